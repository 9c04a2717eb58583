"""Community lineage: hand-made years checked on paper, and a pure-Python reference on drifting
random partitions.

In the hand cases a community is written {community id: its nodes}, one letter a node:
{1: "abcd"} is community 1 with nodes a, b, c, d. J is the Jaccard index of two communities of
consecutive years, |A ∩ B| / |A ∪ B|; the threshold is 0.3 unless a test says otherwise.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from valuenet.metrics.community_lineage import EVENTS, community_lineage, lineage_event_counts

NODE_ROWS = "year int, id string, community long"


def _rows(partitions: dict[int, dict[int, object]]) -> list[tuple]:
    return [(year, node, community) for year, parts in partitions.items()
            for community, nodes in parts.items() for node in nodes]


def _frame(spark, partitions, lineage: dict[tuple[int, int], str | None] | None = None):
    """Node rows of {year: {community: nodes}}; with lineage ({(year, community): lineage}), stored
    rows that carry a community_lineage column."""
    if lineage is None:
        return spark.createDataFrame(_rows(partitions), NODE_ROWS)
    return spark.createDataFrame([(*row, lineage.get((row[0], row[2]))) for row in _rows(partitions)],
                                 NODE_ROWS + ", community_lineage string")


def _lineage(spark, current, previous=None, **kwargs):
    """(nodes {(year, id): lineage}, communities {(year, community[, "death"]): (event, lineage,
    predecessors, size, best_jaccard)}, the communities DataFrame)."""
    nodes, communities = community_lineage(_frame(spark, current), previous, **kwargs)
    by_node = {(r["year"], r["id"]): r["community_lineage"] for r in nodes.collect()}
    assert len(by_node) == len(_rows(current))  # one row per node row of current
    by_community = {}
    for r in communities.collect():
        key = (r["year"], r["community"], "death") if r["event"] == "death" else (r["year"], r["community"])
        assert key not in by_community
        by_community[key] = (r["event"], r["lineage"], r["predecessors"], r["size"], r["best_jaccard"])
    return by_node, by_community, communities


def _counts(**events) -> dict[str, int]:
    return {event: events.get(event, 0) for event in EVENTS}


def test_continue_with_one_new_node(spark):
    # J({abcd}, {abcde}) = 4/5: the community continues, and the new node e joins its lineage
    nodes, communities, table = _lineage(spark, {2020: {1: "abcd"}, 2021: {1: "abcde"}})
    assert communities == {(2020, 1): (None, "2020-1", [], 4, None),
                           (2021, 1): ("continue", "2020-1", [1], 5, 4 / 5)}
    assert nodes[(2021, "e")] == nodes[(2020, "a")] == "2020-1"
    assert lineage_event_counts(table) == {2021: _counts(**{"continue": 1})}


def test_birth_and_death(spark):
    # 2020 -> 2021: {abc} stays (J = 1). {defg} loses d, e, f; {ghijk} shares only g with it:
    # J = 1/8 ({g} / {d..k}) < 0.3, so {defg} dies and {ghijk} is born. {uv} and {xy} overlap nothing.
    nodes, communities, table = _lineage(spark, {2020: {1: "abc", 4: "defg", 20: "uv"},
                                                 2021: {1: "abc", 7: "ghijk", 24: "xy"}})
    assert communities[(2021, 1)] == ("continue", "2020-1", [1], 3, 1.0)
    assert communities[(2021, 7)] == ("birth", "2021-7", [], 5, 1 / 8)
    assert communities[(2021, 24)] == ("birth", "2021-24", [], 2, None)
    # a death is recorded in 2021 with its 2020 community, size and lineage
    assert communities[(2021, 4, "death")] == ("death", "2020-4", [], 4, 1 / 8)
    assert communities[(2021, 20, "death")] == ("death", "2020-20", [], 2, None)
    assert len(communities) == 3 + 3 + 2
    assert nodes[(2021, "g")] == "2021-7"
    assert lineage_event_counts(table) == {2021: _counts(**{"continue": 1, "birth": 2, "death": 2})}


@pytest.mark.parametrize("threshold, event", [(0.3, "continue"), (0.31, "birth")])
def test_the_threshold_is_inclusive(spark, threshold, event):
    # {abcdef} -> {defghij}: 3 shared of 10 in either, J = 3/10, exactly the default threshold
    _, communities, _ = _lineage(spark, {2020: {1: "abcdef"}, 2021: {4: "defghij"}}, threshold=threshold)
    assert communities[(2021, 4)][0] == event
    assert ((2021, 1, "death") in communities) == (event == "birth")


def test_merge_keeps_the_lineage_of_the_largest_overlap(spark):
    # {ab} + {cde} -> {abcde}: J = 2/5 and 3/5, both match. The lineage is that of 3 (3 shared nodes
    # against 2), although 1 is the smaller id. {pq} + {rs} -> {pqrs}: 2 shared each (J = 1/2 each),
    # a tie: the smaller community, 10, passes its lineage on.
    nodes, communities, table = _lineage(spark, {2020: {1: "ab", 3: "cde", 10: "pq", 12: "rs"},
                                                 2021: {1: "abcde", 10: "pqrs"}})
    assert communities[(2021, 1)] == ("merge", "2020-3", [1, 3], 5, 3 / 5)
    assert communities[(2021, 10)] == ("merge", "2020-10", [10, 12], 4, 1 / 2)
    assert not [key for key in communities if "death" in key]  # merged communities do not die
    assert nodes[(2021, "a")] == "2020-3"
    assert lineage_event_counts(table) == {2021: _counts(merge=2)}


def test_split_the_largest_part_keeps_the_lineage(spark):
    # {abcde} -> {ab} + {cde}: J = 2/5 and 3/5, both match. {cde} (3 shared) keeps the lineage,
    # {ab} starts its own, named after its year and id.
    nodes, communities, table = _lineage(spark, {2020: {1: "abcde"}, 2021: {1: "ab", 3: "cde"}})
    assert communities[(2021, 3)] == ("split", "2020-1", [1], 3, 3 / 5)
    assert communities[(2021, 1)] == ("split", "2021-1", [1], 2, 2 / 5)
    assert nodes[(2021, "a")] == "2021-1" and nodes[(2021, "c")] == "2020-1"
    assert lineage_event_counts(table) == {2021: _counts(split=2)}


def test_a_merge_whose_main_predecessor_split_takes_the_next_free_lineage(spark):
    # 2020 {abcdefg} splits into 2021 {abcd} (J = 4/7) and {efgxy} (J = 3/|abcdefgxy| = 3/9), and
    # {efgxy} also takes in 2020's {xy} (J = 2/5): it is a merge (2 predecessors), counted once.
    # 1's lineage goes along its largest overlap (4 nodes, to {abcd}), so the merge, whose largest
    # overlap is with 1, keeps the lineage of its other predecessor, 20: one community per lineage.
    _, communities, table = _lineage(spark, {2020: {1: "abcdefg", 20: "xy"}, 2021: {1: "abcd", 5: "efgxy"}})
    assert communities[(2021, 1)] == ("split", "2020-1", [1], 4, 4 / 7)
    assert communities[(2021, 5)] == ("merge", "2020-20", [1, 20], 5, 2 / 5)
    assert lineage_event_counts(table) == {2021: _counts(split=1, merge=1)}


def test_a_year_without_its_previous_year(spark):
    nodes, communities, table = _lineage(spark, {2021: {1: "ab", 3: "c"}})
    assert communities == {(2021, 1): (None, "2021-1", [], 2, None), (2021, 3): (None, "2021-3", [], 1, None)}
    assert nodes == {(2021, "a"): "2021-1", (2021, "b"): "2021-1", (2021, "c"): "2021-3"}
    assert lineage_event_counts(table) == {}


def test_lineages_propagate_over_three_years(spark):
    # 2019 -> 2020: {abcdef} splits into {abcd} (J = 4/6, keeps 2019-1) and {ef} (J = 2/6, starts
    #               2020-5); {ghi} -> {ghij} continues (J = 3/4).
    # 2020 -> 2021: {abcd} -> {abcdz} continues (J = 4/5, still 2019-1); {ef} and {ghij} merge into
    #               {efghij} (J = 2/6 and 4/6), which keeps 2019-7 (4 shared nodes against 2).
    nodes, communities, table = _lineage(spark, {2019: {1: "abcdef", 7: "ghi"},
                                                 2020: {1: "abcd", 5: "ef", 7: "ghij"},
                                                 2021: {1: "abcdz", 5: "efghij"}})
    assert communities == {
        (2019, 1): (None, "2019-1", [], 6, None), (2019, 7): (None, "2019-7", [], 3, None),
        (2020, 1): ("split", "2019-1", [1], 4, 4 / 6), (2020, 5): ("split", "2020-5", [1], 2, 2 / 6),
        (2020, 7): ("continue", "2019-7", [7], 4, 3 / 4),
        (2021, 1): ("continue", "2019-1", [1], 5, 4 / 5), (2021, 5): ("merge", "2019-7", [5, 7], 6, 4 / 6)}
    assert nodes[(2019, "a")] == nodes[(2020, "a")] == nodes[(2021, "z")] == "2019-1"
    assert nodes[(2020, "e")] == "2020-5" and nodes[(2021, "e")] == "2019-7"
    assert lineage_event_counts(table) == {2020: _counts(split=2, **{"continue": 1}),
                                           2021: _counts(merge=1, **{"continue": 1})}


def test_previous_year_from_stored_rows(spark):
    # stored 2020: {abcd} written before lineages existed (null: its lineage is 2020-1) and {xy},
    # whose lineage began in 2016. Both continue into 2021: J = 4/5 and 2/3.
    stored = {2018: {1: "abcd"}, 2020: {1: "abcd", 9: "xy"}, 2021: {99: "q"}}
    previous = _frame(spark, stored, lineage={(2020, 9): "2016-3", (2018, 1): "2018-1", (2021, 99): "2021-99"})
    current = {2021: {1: "abcde", 9: "xyw"}}
    nodes, communities, table = _lineage(spark, current, previous)
    # stored rows of years that are not the previous year of a current year (2018), or that are
    # in current (2021), are ignored
    assert communities == {(2021, 1): ("continue", "2020-1", [1], 5, 4 / 5),
                           (2021, 9): ("continue", "2016-3", [9], 3, 2 / 3)}
    assert nodes[(2021, "w")] == "2016-3"
    assert lineage_event_counts(table) == {2021: _counts(**{"continue": 2})}
    # stored rows without the column at all are rows without lineage
    _, communities, _ = _lineage(spark, current, _frame(spark, {2020: stored[2020]}))
    assert communities[(2021, 9)][1] == "2020-9"
    # no stored rows: 2021 has no previous year
    empty = spark.createDataFrame([], NODE_ROWS + ", community_lineage string")
    _, communities, _ = _lineage(spark, current, empty)
    assert communities[(2021, 9)] == (None, "2021-9", [], 3, None)


def test_non_consecutive_years(spark):
    # 2014 and 2016 are analysed, 2015 is not: 2016 has no previous year, unless 2015 is stored
    current = {2014: {1: "abc"}, 2016: {1: "abc"}}
    _, communities, table = _lineage(spark, current)
    assert communities[(2016, 1)] == (None, "2016-1", [], 3, None)
    assert lineage_event_counts(table) == {}
    stored_2015 = _frame(spark, {2015: {1: "abc"}}, lineage={(2015, 1): "2014-1"})
    _, communities, table = _lineage(spark, current, stored_2015)
    assert communities[(2016, 1)] == ("continue", "2014-1", [1], 3, 1.0)
    assert lineage_event_counts(table) == {2016: _counts(**{"continue": 1})}


def test_the_threshold_must_be_a_share(spark):
    with pytest.raises(ValueError, match="threshold"):
        community_lineage(_frame(spark, {2020: {1: "a"}}), None, threshold=0.0)


# ---- cross-check: drifting random partitions against a pure-Python reference ------------------


def _drifting_partitions(seed: int, years=range(2014, 2021), nodes: int = 300) -> dict[int, dict[int, list[str]]]:
    """{year: {community: node ids}}: groups whose members wander, that split, merge, dissolve and
    appear, and nodes that leave and enter the network. A community's id is its smallest node number
    (as node_metrics names communities)."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 8, size=nodes)
    present = rng.random(nodes) < 0.8
    fresh = 8
    partitions = {}
    for year in years:
        labels = np.unique(group[present])
        wander = present & (rng.random(nodes) < 0.1)
        group[wander] = rng.choice(labels, size=wander.sum())
        for _ in range(rng.integers(1, 3)):  # a group splits: about half of it leaves together
            members = present & (group == rng.choice(labels)) & (rng.random(nodes) < 0.45)
            group[members], fresh = fresh, fresh + 1
        # merges are seen (J >= 0.3 with both parts) when the parts have similar sizes
        labels, sizes = np.unique(group[present], return_counts=True)
        by_size = labels[np.argsort(sizes, kind="stable")]
        i, j = rng.choice(len(by_size) - 1, size=2, replace=False)
        group[group == by_size[i]] = by_size[i + 1]  # two groups merge
        if rng.random() < 0.7:  # about half a group joins a smaller one: a split and a merge at once
            c = by_size[j + 1]
            smaller = np.abs(sizes - 0.45 * sizes[labels == c]) + (labels == c) * nodes
            group[(group == c) & (rng.random(nodes) < rng.uniform(0.45, 0.55))] = labels[np.argmin(smaller)]
        if rng.random() < 0.4:  # a group dissolves into the others
            members = present & (group == rng.choice(labels))
            group[members] = rng.choice(labels, size=members.sum())
        leave, enter = present & (rng.random(nodes) < 0.06), ~present & (rng.random(nodes) < 0.3)
        present = (present & ~leave) | enter
        if rng.random() < 0.5:  # newcomers found a group of their own
            group[enter], fresh = fresh, fresh + 1
        members_of: dict[int, list[int]] = {}
        for v in np.flatnonzero(present).tolist():
            members_of.setdefault(int(group[v]), []).append(v)
        partitions[year] = {min(vs): [f"n{v:03d}" for v in vs] for vs in members_of.values()}
    return partitions


def _reference(partitions: dict[int, dict[int, list[str]]], threshold: float = 0.3):
    """What the definition says, with sets and loops: ({(year, id): lineage}, {key: (event, lineage,
    predecessors, size, best_jaccard)}) with the keys of _lineage."""
    communities, lineage_of = {}, {}
    for year in sorted(partitions):
        now = {c: set(nodes) for c, nodes in partitions[year].items()}
        if year - 1 not in partitions:
            lineage_of[year] = {c: f"{year}-{c}" for c in now}
            communities.update({(year, c): (None, lineage_of[year][c], [], len(now[c]), None) for c in now})
            continue
        before = {c: set(nodes) for c, nodes in partitions[year - 1].items()}
        shared = {(p, c): len(before[p] & now[c]) for p in before for c in now if before[p] & now[c]}
        jaccard = {(p, c): n / len(before[p] | now[c]) for (p, c), n in shared.items()}
        matched = [pair for pair, j in jaccard.items() if j >= threshold]
        predecessors = {c: sorted(p for p, c2 in matched if c2 == c) for c in now}
        successors = {p: [c for p2, c in matched if p2 == p] for p in before}
        # hand lineages down: each time the pair of largest overlap (ties: smaller c, then p) among
        # the pairs whose predecessor still has its lineage and whose community has none
        handed, given = {}, set()
        while True:
            free = [(p, c) for p, c in matched if c not in handed and p not in given]
            if not free:
                break
            p, c = min(free, key=lambda pair: (-shared[pair], pair[1], pair[0]))
            handed[c], given = lineage_of[year - 1][p], given | {p}
        lineage_of[year] = {c: handed.get(c, f"{year}-{c}") for c in now}
        for c in now:
            preds = predecessors[c]
            event = ("birth" if not preds else "merge" if len(preds) > 1
                     else "split" if len(successors[preds[0]]) > 1 else "continue")
            best = max((j for (p, c2), j in jaccard.items() if c2 == c), default=None)
            communities[(year, c)] = (event, lineage_of[year][c], preds, len(now[c]), best)
        for p in before:
            if not successors[p]:
                best = max((j for (p2, c), j in jaccard.items() if p2 == p), default=None)
                communities[(year, p, "death")] = ("death", lineage_of[year - 1][p], [], len(before[p]), best)
    nodes = {(year, node): lineage_of[year][c] for year, parts in partitions.items()
             for c, members in parts.items() for node in members}
    return nodes, communities


@pytest.mark.parametrize("seed", [1, 21])
def test_drifting_partitions_match_the_reference(spark, seed):
    partitions = _drifting_partitions(seed)
    del partitions[2018]  # a gap: 2019 has no previous year
    nodes, communities, table = _lineage(spark, partitions)
    assert (nodes, communities) == _reference(partitions)
    # the data exercises every event, so the comparison is not vacuous
    counts = lineage_event_counts(table)
    assert sorted(counts) == [2015, 2016, 2017, 2020]
    for event in EVENTS:
        assert sum(c[event] for c in counts.values()) > 0, event
    live = {key: value for key, value in communities.items() if len(key) == 2}
    # ... including a merge one of whose predecessors also split (the lineages' collision rule)
    successors = Counter((key[0], p) for key, value in live.items() for p in value[2])
    assert any(value[0] == "merge" and any(successors[(key[0], p)] > 1 for p in value[2])
               for key, value in live.items())
    # a lineage names at most one community a year
    lineages = [(key[0], value[1]) for key, value in live.items()]
    assert len(lineages) == len(set(lineages))


def test_a_pass_continued_from_stored_rows_equals_one_pass(spark):
    # 2014-2016 analysed and stored, then 2017-2020 analysed with 2016's stored rows as previous
    partitions = _drifting_partitions(5)
    first = {y: p for y, p in partitions.items() if y <= 2016}
    later = {y: p for y, p in partitions.items() if y > 2016}
    first_nodes, _ = community_lineage(_frame(spark, first), None)
    stored = (_frame(spark, {2016: first[2016]})
              .join(first_nodes.where("year = 2016"), ["year", "id"]))
    nodes, communities, _ = _lineage(spark, later, stored)
    all_nodes, all_communities = _reference(partitions)
    assert nodes == {key: value for key, value in all_nodes.items() if key[0] > 2016}
    assert communities == {key: value for key, value in all_communities.items() if key[0] > 2016}
