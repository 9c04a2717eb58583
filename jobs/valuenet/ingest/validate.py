"""The rules of DESIGN.md section 2 as pure DataFrame -> DataFrame functions.

Each `check_*` function takes raw rows (see ingest.read) and returns them with a
`reason` column: null when the row is accepted, else every broken rule joined
by '; '. `accepted_*` and `rejected` then split them.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from valuenet.schemas import load, vocabulary

_TRUE = ("true", "1", "yes", "y", "t")
_FALSE = ("false", "0", "no", "n", "f")


def _blank(c: str) -> Column:
    return F.col(c).isNull() | (F.trim(F.col(c)) == "")


def _to_int(c: str) -> Column:
    """The value as a 32-bit integer (ASCII digits, an optional sign, blanks around it), else null.

    Spark's own cast, not a regular expression: a regex on every year of every row was a quarter of
    the edges' check."""
    return F.col(c).try_cast("int")


def _not_int(c: str) -> Column:
    """Set, but not an integer that fits in 32 bits."""
    return ~_blank(c) & _to_int(c).isNull()


def _outside(c: str, values: tuple[str, ...]) -> Column:
    return ~_blank(c) & ~F.col(c).isin(*values)


def _rule(condition: Column, message: Column | str) -> Column:
    return F.when(condition, message if isinstance(message, Column) else F.lit(message))


def _reason(*rules: Column) -> Column:
    joined = F.concat_ws("; ", F.array(*rules))
    return F.when(joined == "", None).otherwise(joined)


def _field_count_rule() -> Column:
    # A row that ran on over several lines most likely swallowed them through a stray quote: say so.
    spans = F.when(F.col("last_line") > F.col("row_number"),
                   F.format_string(" (a quoted field runs on to line %d: check for an unbalanced quote)",
                                   F.col("last_line"))).otherwise(F.lit(""))
    return _rule(F.col("read_problem").isNull() & (F.col("n_fields") != F.col("expected_fields")),
                 F.concat(F.format_string("wrong number of fields: %d, expected %d", F.col("n_fields"),
                                          F.col("expected_fields")), spans))


def _read_rule() -> Column:
    return _rule(F.col("read_problem").isNotNull(), F.col("read_problem"))


def check_nodes(raw: DataFrame) -> DataFrame:
    """Nodes raw rows -> the same rows with `reason` (null = accepted).

    Rules: readable (no unbalanced quote), field count, empty id, id already seen on an earlier row (first wins),
    kind and org_type vocabularies (empty org_type is fine), founded_year integer.
    """
    kinds, org_types = vocabulary("nodes", "kind"), vocabulary("nodes", "org_type")
    earlier = Window.partitionBy("id").orderBy("source_file", "row_number")
    first_seen = F.first("row_number").over(earlier)
    return raw.withColumn("reason", _reason(
        _read_rule(),
        _field_count_rule(),
        _rule(_blank("id"), "empty id"),
        _rule(~_blank("id") & (first_seen != F.col("row_number")),
              F.format_string("id %s already seen on row %d", F.col("id"), first_seen)),
        _rule(_blank("kind"), "empty kind"),
        _rule(_outside("kind", kinds), F.format_string("kind '%s' is not one of " + ", ".join(kinds), F.col("kind"))),
        _rule(_outside("org_type", org_types),
              F.format_string("org_type '%s' is not one of " + ", ".join(org_types), F.col("org_type"))),
        _rule(_not_int("founded_year"), F.format_string("founded_year '%s' is not an integer", F.col("founded_year"))),
    ))


def check_edges(raw: DataFrame, node_ids: DataFrame, broadcast_ids: bool = False) -> DataFrame:
    """Edges raw rows -> the same rows with `reason` (null = accepted).

    `node_ids` has one column `id`: every accepted node id (this ingest's and the table's).
    Rules: readable (no unbalanced quote), field count, empty src/dst, src/dst not a node id, relation vocabulary,
    start_year integer, end_year integer and >= start_year, weight finite and > 0.
    broadcast_ids: send the ids to every task instead of shuffling the edges twice (once by src, once
    by dst); for ids that fit in memory (broadcast_fits).
    """
    relations = vocabulary("edges", "relation")
    ids = node_ids.select(F.col("id").alias("_known")).distinct()
    if broadcast_ids:
        ids = F.broadcast(ids)
    with_src = raw.join(ids.withColumnRenamed("_known", "_src_known"), F.col("src") == F.col("_src_known"), "left")
    with_both = with_src.join(ids.withColumnRenamed("_known", "_dst_known"), F.col("dst") == F.col("_dst_known"), "left")
    weight = F.trim(F.col("weight")).try_cast("double")
    start, end = _to_int("start_year"), _to_int("end_year")
    checked = with_both.withColumn("reason", _reason(
        _read_rule(),
        _field_count_rule(),
        _rule(_blank("src"), "empty src"),
        _rule(_blank("dst"), "empty dst"),
        _rule(~_blank("src") & F.col("_src_known").isNull(), F.format_string("src '%s' is not a node id", F.col("src"))),
        _rule(~_blank("dst") & F.col("_dst_known").isNull(), F.format_string("dst '%s' is not a node id", F.col("dst"))),
        _rule(_blank("relation"), "empty relation"),
        _rule(_outside("relation", relations),
              F.format_string("relation '%s' is not one of " + ", ".join(relations), F.col("relation"))),
        _rule(_blank("start_year"), "empty start_year"),
        _rule(_not_int("start_year"), F.format_string("start_year '%s' is not an integer", F.col("start_year"))),
        _rule(_not_int("end_year"), F.format_string("end_year '%s' is not an integer", F.col("end_year"))),
        _rule(start.isNotNull() & end.isNotNull() & (end < start), "end_year is before start_year"),
        _rule(~_blank("weight") & (weight.isNull() | F.isnan(weight) | (F.abs(weight) == float("inf")) | (weight <= 0)),
              F.format_string("weight '%s' is not a finite number > 0", F.col("weight"))),
    ))
    return checked.drop("_src_known", "_dst_known")


def kept(checked: DataFrame, table: str) -> DataFrame:
    """Checked rows reduced to what accepted_* and rejected need (to cache them): file, row number,
    the table's columns and reason, and the raw row only where rejected (most of a row's size)."""
    return checked.select("source_file", "row_number", *load(table).names, "reason",
                          F.when(F.col("reason").isNotNull(), F.col("raw")).alias("raw"))


# About 60 bytes a node id in a broadcast hash table (a key hash less): 5 million ids are some
# 300 MB in the driver and in each executor (the scale-100 sample has 3.1 million ids and
# 44,147 repeated edge keys).
BROADCAST_MAX_ROWS = 5_000_000


def broadcast_fits(rows: int) -> bool:
    """Whether this many node ids (check_edges) or repeated edge key hashes (accepted_edges) may be broadcast."""
    return rows <= BROADCAST_MAX_ROWS


def accepted_nodes(checked: DataFrame) -> DataFrame:
    """Accepted nodes rows, typed as the nodes table."""
    platform = F.lower(F.trim(F.col("is_platform")))
    return checked.where(F.col("reason").isNull()).select(
        "id", "name", "kind", F.when(_blank("org_type"), None).otherwise(F.col("org_type")).alias("org_type"),
        "province", "city", _to_int("founded_year").alias("founded_year"),
        F.when(platform.isin(*_TRUE), True).when(platform.isin(*_FALSE), False).alias("is_platform"),
    )


_EDGE_KEY = ["src", "dst", "relation", "start_year"]


def _typed(checked: DataFrame) -> DataFrame:
    """The accepted rows typed as the edges table, with their file and row number and a hash of
    their key (src, dst, relation, start_year)."""
    return checked.where(F.col("reason").isNull()).select(
        "src", "dst", "relation", _to_int("start_year").alias("start_year"), _to_int("end_year").alias("end_year"),
        "tech_category", "application_field", "industry",
        F.coalesce(F.trim(F.col("weight")).try_cast("double"), F.lit(1.0)).alias("weight"),
        "source_file", "row_number").withColumn("_key", F.xxhash64(*_EDGE_KEY))


def repeated_keys(checked: DataFrame) -> DataFrame:
    """The hashes (column `_key`) of the edge keys that more than one accepted row has (parallel
    relations), and of any that share a hash with another key: a 64-bit hash per row is what the
    count shuffles, not the key's strings."""
    return _typed(checked).groupBy("_key").count().where(F.col("count") > 1).select("_key")


def accepted_edges(checked: DataFrame, repeated: DataFrame | None = None) -> DataFrame:
    """Accepted edges rows, typed as the edges table, with `seq` numbering parallel rows of one key.

    seq counts a key's rows in file order (1, 2, ...). repeated: repeated_keys, small enough to
    broadcast; then only the rows of those hashes are numbered by a window (a shuffle of those
    rows alone) and every other row, alone with its key, is seq 1. Without it every row is
    shuffled.
    """
    typed = _typed(checked)
    seq = F.row_number().over(Window.partitionBy(*_EDGE_KEY).orderBy("source_file", "row_number")).cast("int")
    if repeated is None:
        numbered = typed.withColumn("seq", seq)
    else:
        flagged = typed.join(F.broadcast(repeated.withColumn("_repeated", F.lit(True))), "_key", "left")
        numbered = (flagged.where(F.col("_repeated").isNull()).withColumn("seq", F.lit(1))
                    .unionByName(flagged.where(F.col("_repeated")).withColumn("seq", seq)).drop("_repeated"))
    return numbered.drop("_key", "source_file", "row_number")


def rejected(checked: DataFrame, table: str) -> DataFrame:
    """Rejected rows with file, row number, raw values and reason (the rejected table's columns)."""
    return checked.where(F.col("reason").isNotNull()).select(
        "source_file", "row_number", F.lit(table).alias("table"), "raw", "reason",
        F.current_timestamp().alias("ingested_at"))
