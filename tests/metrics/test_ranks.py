"""Rank dynamics: ranks, their change since the previous year, top-20 movers and rank correlations,
by hand on two small years and against SciPy / pandas on random ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from valuenet.metrics import ranks

SCHEMA = "year int, id string, pagerank double, degree long"

# 2020: a (PageRank 0.5, degree 3), b (0.3, 2), c (0.2, 2)     PageRank ranks a 1, b 2, c 3; degree a 1, b 2, c 2
# 2021: b (0.5, 3), d (0.3, 2), a (0.2, 1)                     PageRank ranks b 1, d 2, a 3; degree b 1, d 2, a 3
HAND = [(2020, "a", 0.5, 3), (2020, "b", 0.3, 2), (2020, "c", 0.2, 2),
        (2021, "b", 0.5, 3), (2021, "d", 0.3, 2), (2021, "a", 0.2, 1)]


@pytest.fixture
def hand(spark):
    return ranks.ranks(spark.createDataFrame(HAND, SCHEMA))


def compared(ranked, years, top=ranks.TOP):
    """The driver rows of these years against their previous years."""
    return ranks.compared(ranks.paired(ranked, years), top)


def test_ranks_by_hand(hand):
    got = {(r["year"], r["id"]): (r["pagerank_rank"], r["degree_rank"], r["place"]) for r in hand.collect()}
    assert got == {(2020, "a"): (1, 1, 1), (2020, "b"): (2, 2, 2), (2020, "c"): (3, 2, 3),
                   (2021, "b"): (1, 1, 1), (2021, "d"): (2, 2, 2), (2021, "a"): (3, 3, 3)}


def test_changes_by_hand(hand):
    got = {r["id"]: (r["pagerank_rank_change"], r["degree_rank_change"])
           for r in ranks.rank_changes(ranks.paired(hand, [2021])).collect()}
    # a fell from 1 to 3 on both; b rose from 2 to 1 on both; d is new (c left: no row)
    assert got == {"a": (-2, -2), "b": (1, 1), "d": (None, None)}
    first = ranks.rank_changes(ranks.paired(hand, [2020])).collect()
    assert {(r["pagerank_rank_change"], r["degree_rank_change"]) for r in first} == {(None, None)}, \
        "2019 is not there: no change"


def _by_movement(found) -> dict:
    return {(r.movement, r.id): (_value(r.pagerank_rank), _value(r.previous_pagerank_rank), _value(r.change))
            for r in found.itertuples()}


def _value(v):
    return None if pd.isna(v) else int(v)


def test_movers_by_hand(hand):
    moved = ranks.movers(compared(hand, [2021], top=2), top=2)
    # top 2 of 2020: a, b; of 2021: b, d. d enters (new), a exits (now 3rd), b rose by 1, a fell by 2
    assert _by_movement(moved) == {("entry", "d"): (2, None, None), ("exit", "a"): (3, 1, -2),
                                   ("riser", "b"): (1, 2, 1), ("faller", "a"): (3, 1, -2)}
    assert ranks.top_turnover(moved) == {2021: {"top20_entries": 1, "top20_exits": 1}}
    assert len(ranks.movers(compared(hand, [2020]))) == 0, "no previous year, no movers"


def test_exit_of_a_node_that_left(spark):
    rows = [(2020, "a", 0.6, 1), (2020, "b", 0.4, 1), (2021, "b", 0.7, 1), (2021, "c", 0.3, 1)]
    ranked = ranks.ranks(spark.createDataFrame(rows, SCHEMA))
    got = {key: value[:2] for key, value in _by_movement(ranks.movers(compared(ranked, [2021], top=1), top=1)).items()}
    assert got == {("exit", "a"): (None, 1), ("riser", "b"): (1, 2), ("entry", "b"): (1, 2)}


def test_correlations_by_hand(hand):
    # a and b are in both years and swap places: both correlations are -1
    assert ranks.rank_correlations(compared(hand, [2021])) == {
        2021: {"previous_year": 2020, "nodes_in_both": 2, "pagerank_spearman": pytest.approx(-1.0),
               "pagerank_kendall": pytest.approx(-1.0)}}


def random_years(rng: np.random.Generator) -> pd.DataFrame:
    """Three years of 400 node ids drawn from 600, with tied PageRanks and degrees."""
    frames = []
    for year in (2019, 2020, 2021):
        ids = rng.choice(600, 400, replace=False)
        frames.append(pd.DataFrame({"year": year, "id": [f"n{i}" for i in ids],
                                    "pagerank": rng.integers(1, 60, 400) / 1000.0,
                                    "degree": rng.integers(1, 12, 400)}))
    return pd.concat(frames, ignore_index=True)


def test_against_scipy_on_random_years(spark):
    data = random_years(np.random.default_rng(3))
    ranked = ranks.ranks(spark.createDataFrame(data, SCHEMA))
    pairs = ranks.paired(ranked, [2020, 2021])
    got = ranks.rank_changes(pairs).toPandas().set_index(["year", "id"])
    data["pagerank_rank"] = data.groupby("year")["pagerank"].rank(method="min", ascending=False).astype(int)
    data["degree_rank"] = data.groupby("year")["degree"].rank(method="min", ascending=False).astype(int)
    correlations = ranks.rank_correlations(ranks.compared(pairs))
    for year in (2020, 2021):
        now, before = data[data["year"] == year].set_index("id"), data[data["year"] == year - 1].set_index("id")
        both = now.index.intersection(before.index)
        for column in ("pagerank_rank", "degree_rank"):
            expected = (before.loc[both, column] - now.loc[both, column]).astype(float)
            found = got.loc[year].loc[both, f"{column}_change"].astype(float)
            assert np.array_equal(found.to_numpy(), expected.to_numpy())
        assert got.loc[year].loc[now.index.difference(both), "pagerank_rank_change"].isna().all()
        x, y = before.loc[both, "pagerank"], now.loc[both, "pagerank"]
        assert correlations[year]["nodes_in_both"] == len(both)
        assert correlations[year]["pagerank_spearman"] == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)
        assert correlations[year]["pagerank_kendall"] == pytest.approx(stats.kendalltau(x, y).statistic, abs=1e-12)
    assert 2019 not in correlations


def test_movers_against_pandas_on_random_years(spark):
    data = random_years(np.random.default_rng(5))
    ranked = ranks.ranks(spark.createDataFrame(data, SCHEMA))
    found = ranks.movers(compared(ranked, [2021]))
    data["rank"] = data.groupby("year")["pagerank"].rank(method="min", ascending=False).astype(int)
    now, before = (data[data["year"] == y].set_index("id") for y in (2021, 2020))
    top = {y: set(data[data["year"] == y].sort_values(["pagerank", "id"], ascending=[False, True])["id"][:20])
           for y in (2020, 2021)}
    assert set(found[found["movement"] == "entry"]["id"]) == top[2021] - top[2020]
    assert set(found[found["movement"] == "exit"]["id"]) == top[2020] - top[2021]
    both = now.index.intersection(before.index)
    change = (before.loc[both, "rank"] - now.loc[both, "rank"]).rename("change").reset_index()
    risers = change[change["change"] > 0].sort_values(["change", "id"], ascending=[False, True])[:20]
    fallers = change[change["change"] < 0].sort_values(["change", "id"])[:20]
    assert list(found[found["movement"] == "riser"].sort_values(["change", "id"], ascending=[False, True])["id"]) \
        == list(risers["id"])
    assert list(found[found["movement"] == "faller"].sort_values(["change", "id"])["id"]) == list(fallers["id"])
