"""Community lineage: an identity for communities across years, and what happened to them.

Communities of year Y-1 and year Y are matched by node overlap. Their Jaccard index is
J(A, B) = |A ∩ B| / |A ∪ B| over node ids; a node that exists in only one of the two years still
counts in the union. A and B match when J >= threshold (default 0.3, the threshold of Greene,
Doyle & Cunningham 2010, "Tracking the evolution of communities in dynamic social networks").

Events of year Y, one per community of Y (plus the deaths of Y-1's communities):
- continue: exactly one matched predecessor, and that predecessor has exactly one matched successor;
- merge: two or more matched predecessors (also when one of them split: a community's event is
  counted once, and merge comes first);
- split: its single matched predecessor has two or more matched successors;
- birth: no matched predecessor;
- death: a community of Y-1 without a matched successor, recorded in year Y.
A year whose previous year is not available has no events (null): every community starts a lineage.

Lineage ids. A new lineage is named f"{year}-{community}" (year of birth, the community's id in that
year): unique by construction. A community that continues keeps its predecessor's lineage; a merge
keeps the lineage of its predecessor with the largest overlap; of a split's successors, the one with
the largest overlap keeps the lineage and the others start new ones; a birth starts a new one.
"Overlap" is the number of shared nodes |A ∩ B|; ties go to the smaller community id.

When these rules collide (a community that merged from a predecessor which also split), a lineage
must still pass to one community only. So lineages are handed out along the matched pairs in order of
decreasing overlap (ties: the smaller community of Y, then the smaller community of Y-1): a pair
passes the predecessor's lineage on when neither the predecessor has passed it on yet nor the
community has one already. For continue, pure merges and pure splits this is exactly the rules
above; a community that gets no lineage this way starts a new one. So every lineage names at most
one community per year.

The overlaps are counted in Spark (join on node id, group by the community pair); only the table of
community pairs and the community sizes (both about the size of the community count) reach the
driver, where the lineages are assigned year after year (a year's lineages need the previous year's).
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

EVENTS = ("continue", "merge", "split", "birth", "death")

COMMUNITIES = ("year int, community long, lineage string, event string, size long, "
               "predecessors array<long>, best_jaccard double")

_COMMUNITIES_ARROW = pa.schema([("year", pa.int32()), ("community", pa.int64()), ("lineage", pa.string()),
                                ("event", pa.string()), ("size", pa.int64()),
                                ("predecessors", pa.list_(pa.int64())), ("best_jaccard", pa.float64())])


def community_lineage(current: DataFrame, previous: DataFrame | None, threshold: float = 0.3,
                      years: list[int] | None = None) -> tuple[DataFrame, DataFrame]:
    """(nodes, communities): the lineage of every community of every year of `current`, and its event.

    current: year, id, community, one row per node and year, every year of this pass (years need
    not be consecutive: a year whose previous year is neither in `current` nor in `previous` has no
    events). Read several times: cache it if it is expensive to compute.
    previous: year, id, community and optionally community_lineage (null or missing: the lineage
    is f"{year}-{community}"): stored node rows of the years Y-1 that are not in `current` but
    precede a year Y of it. Rows of other years are ignored. May be None or empty.
    years: the years of current, when the caller knows them (else read from current).

    nodes: year, id, community_lineage; one row per row of current.
    communities: year, community, lineage, event, size, predecessors, best_jaccard (schema
    COMMUNITIES): one row per community of each year of current, plus one row per death (its
    community, size and lineage are those of year Y-1; its predecessors are empty), so (year,
    community) is unique only together with whether the event is a death. best_jaccard is the
    largest J with any community of the other year, null when none overlaps or there is no
    previous year.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"community lineage: the Jaccard threshold must be in (0, 1], not {threshold}")
    if years is None:
        years = [r["year"] for r in current.select("year").distinct().collect()]
    years = sorted(years)
    members = _members(current, previous, years)
    sizes = _community_sizes(members)
    overlaps = _overlaps(current, members)
    table = _trace(years, sizes, overlaps, threshold)
    communities = current.sparkSession.createDataFrame(table, COMMUNITIES)
    lineage_of = F.broadcast(communities.where(F.col("event").isNull() | (F.col("event") != "death"))
                             .select("year", "community", F.col("lineage").alias("community_lineage")))
    nodes = (current.select("year", "id", "community").join(lineage_of, ["year", "community"], "left")
             .select("year", "id", "community_lineage"))
    return nodes, communities


def lineage_event_counts(communities: DataFrame) -> dict[int, dict[str, int]]:
    """{year: {event: count}} with all five events (zeros included), for each year that had a
    previous year; years without one are absent. communities: as community_lineage returns them."""
    counted = communities.where(F.col("event").isNotNull()).groupBy("year", "event").count().collect()
    counts: dict[int, dict[str, int]] = {}
    for row in counted:
        counts.setdefault(row["year"], dict.fromkeys(EVENTS, 0))[row["event"]] = row["count"]
    return dict(sorted(counts.items()))


def _members(current: DataFrame, previous: DataFrame | None, years: list[int]) -> DataFrame:
    """year, id, community, stored_lineage: current's rows (stored_lineage null) and previous's rows
    of the years that precede a year of current without being in it."""
    rows = current.select(F.col("year").cast("int").alias("year"), "id", F.col("community").cast("long"),
                          F.lit(None).cast("string").alias("stored_lineage"))
    needed = sorted({y - 1 for y in years} - set(years))
    if previous is None or not needed:
        return rows
    # rows written before lineages existed have none (or not even the column): name it as a birth
    named = F.format_string("%d-%d", "year", "community")
    stored = F.coalesce("community_lineage", named) if "community_lineage" in previous.columns else named
    return rows.unionByName(previous.where(F.col("year").isin(needed)).select(
        F.col("year").cast("int").alias("year"), "id", F.col("community").cast("long"),
        stored.alias("stored_lineage")))


def _community_sizes(members: DataFrame) -> pd.DataFrame:
    """year, community, size, stored_lineage (null for the years of current) of every community."""
    return (members.groupBy("year", "community")
            .agg(F.count("*").alias("size"), F.min("stored_lineage").alias("stored_lineage"))
            .toArrow().to_pandas())


def _overlaps(current: DataFrame, members: DataFrame) -> pd.DataFrame:
    """year, predecessor, successor, overlap: |A ∩ B| for every community B of a year Y of current
    and every community A of Y-1 that shares a node with it."""
    successors = current.select((F.col("year").cast("int") - 1).alias("year"), "id",
                                F.col("community").cast("long").alias("successor"))
    predecessors = members.select("year", "id", F.col("community").alias("predecessor"))
    pairs = (successors.join(predecessors, ["year", "id"])
             .groupBy("year", "predecessor", "successor").agg(F.count("*").alias("overlap")))
    return pairs.select((F.col("year") + 1).alias("year"), "predecessor", "successor", "overlap").toArrow().to_pandas()


def _trace(years: list[int], sizes: pd.DataFrame, overlaps: pd.DataFrame, threshold: float) -> pa.Table:
    """The communities table (schema _COMMUNITIES_ARROW), year after year in order."""
    size_of = {year: frame.set_index("community")["size"] for year, frame in sizes.groupby("year")}
    analysed = set(years)
    stored = {year: dict(zip(frame["community"].tolist(), frame["stored_lineage"].tolist()))
              for year, frame in sizes.groupby("year") if year not in analysed}
    pairs_of = {year: frame for year, frame in overlaps.groupby("year")}
    lineage_of: dict[int, dict[int, str]] = {}
    rows: list[tuple] = []
    for year in (y for y in years if y in size_of):  # a year without nodes has no communities
        before = size_of.get(year - 1)
        if before is None:
            year_rows = [(year, c, f"{year}-{c}", None, n, [], None)
                         for c, n in zip(size_of[year].index.tolist(), size_of[year].tolist())]
        else:
            inherited = lineage_of[year - 1] if year - 1 in lineage_of else stored[year - 1]
            year_rows = _year(year, size_of[year], before, pairs_of.get(year, overlaps.iloc[:0]),
                              inherited, threshold)
        lineage_of[year] = {r[1]: r[2] for r in year_rows if r[3] != "death"}
        lineage_of.pop(year - 1, None)  # only the previous year's lineages are ever needed
        rows += year_rows
    columns = list(zip(*rows)) if rows else [[] for _ in _COMMUNITIES_ARROW]
    return pa.Table.from_arrays([pa.array(list(values), field.type) for values, field in
                                 zip(columns, _COMMUNITIES_ARROW)], schema=_COMMUNITIES_ARROW)


def _year(year: int, now: pd.Series, before: pd.Series, pairs: pd.DataFrame, inherited: dict[int, str],
          threshold: float) -> list[tuple]:
    """Rows (year, community, lineage, event, size, predecessors, best_jaccard) of year's communities
    and of the deaths of year - 1's. now, before: size by community; pairs: predecessor, successor,
    overlap; inherited: lineage of each community of year - 1."""
    union = pairs["predecessor"].map(before).to_numpy() + pairs["successor"].map(now).to_numpy() - pairs["overlap"]
    pairs = pairs.assign(jaccard=pairs["overlap"] / union)
    matched = pairs[pairs["jaccard"] >= threshold].sort_values(["predecessor", "successor"])
    predecessors: dict[int, list[int]] = defaultdict(list)
    successors: dict[int, int] = defaultdict(int)  # matched successors of each predecessor
    for p, c in zip(matched["predecessor"].tolist(), matched["successor"].tolist()):
        predecessors[c].append(p)  # sorted, since matched is
        successors[p] += 1
    lineage = _hand_down(matched, inherited)
    best_now = pairs.groupby("successor")["jaccard"].max().to_dict()
    best_before = pairs.groupby("predecessor")["jaccard"].max().to_dict()
    rows = [(year, c, lineage.get(c, f"{year}-{c}"), _event(predecessors[c], successors), n, predecessors[c],
             best_now.get(c)) for c, n in zip(now.index.tolist(), now.tolist())]
    rows += [(year, p, inherited[p], "death", n, [], best_before.get(p))
             for p, n in zip(before.index.tolist(), before.tolist()) if successors[p] == 0]
    return rows


def _event(predecessors: list[int], successors: dict[int, int]) -> str:
    """The event of a community with these matched predecessors (successors: matched successor
    count of each community of the previous year)."""
    if not predecessors:
        return "birth"
    if len(predecessors) >= 2:
        return "merge"
    return "split" if successors[predecessors[0]] >= 2 else "continue"


def _hand_down(matched: pd.DataFrame, inherited: dict[int, str]) -> dict[int, str]:
    """{community: inherited lineage} along the matched pairs, largest overlap first (ties: smaller
    successor, then smaller predecessor); each lineage goes to one community, each community takes one."""
    ordered = matched.sort_values(["overlap", "successor", "predecessor"], ascending=[False, True, True])
    lineage: dict[int, str] = {}
    passed_on: set[int] = set()
    for p, c in zip(ordered["predecessor"].tolist(), ordered["successor"].tolist()):
        if c not in lineage and p not in passed_on:
            lineage[c] = inherited[p]
            passed_on.add(p)
    return lineage
