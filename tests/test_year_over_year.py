"""Year over year end to end: analyze writes the new tables and columns, compares a year with the
stored year before it, and logs the metrics, tables and pictures to MLflow."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from mlflow import MlflowClient

from tests.conftest import write_csv
from valuenet import tables
from valuenet.commands.analyze import analyze
from valuenet.commands.ingest import ingest
from valuenet.metrics.definitions import YEAR_DYNAMICS

NEW_TABLES = ("year_dynamics", "movers", "community_lineage", "robustness", "attachment")


def registry(folder: Path) -> tuple[str, str]:
    """60 organisations; two hubs that attract most relations, relations starting 2020-2022 (a few
    ending in 2021), so the years grow and their ranks move."""
    rng = np.random.default_rng(2)
    nodes = ["id,name,kind,org_type"] + [f"n{i},Org {i},{'sample' if i < 20 else 'relation'},enterprise"
                                        for i in range(60)]
    edges = ["src,dst,relation,start_year,end_year"]
    for year, count in ((2020, 50), (2021, 40), (2022, 45)):
        for _ in range(count):
            src = int(rng.integers(0, 60))
            dst = int(rng.choice([0, 1, 2, 3, int(rng.integers(0, 60))], p=[0.3, 0.2, 0.1, 0.05, 0.35]))
            end = "2021" if rng.random() < 0.1 else ""
            edges.append(f"n{src},n{dst},tech_cooperation,{year},{end}")
    return (write_csv(folder / "nodes.csv", "\n".join(nodes) + "\n"),
            write_csv(folder / "edges.csv", "\n".join(edges) + "\n"))


@pytest.fixture(scope="module")
def analysed(runtime, tmp_path_factory):
    """2020-2021 analysed in one run, then 2022 alone (its previous year comes from the store)."""
    import os

    from valuenet.config import load_config

    folder = tmp_path_factory.mktemp("yoy")
    warehouse = str(folder / "warehouse")
    ingest(runtime.spark, *registry(folder), warehouse)
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    config = load_config([f"mlflow.tracking_uri={uri}", "mlflow.experiment=yoy"])
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    analyze(runtime, config, warehouse, "2020-2021", tracking=True)
    analyze(runtime, config, warehouse, "2022", tracking=True)
    return {"warehouse": warehouse, "uri": uri}


def rows(spark, warehouse, table):
    return [r.asDict() for r in tables.read(spark, warehouse, table).collect()]


def test_every_year_has_its_dynamics_and_the_first_compares_with_nothing(spark, analysed):
    dynamics = {r["year"]: r for r in rows(spark, analysed["warehouse"], "year_dynamics")}
    assert sorted(dynamics) == [2020, 2021, 2022]
    assert dynamics[2020]["previous_year"] is None and dynamics[2020]["pagerank_spearman"] is None
    assert dynamics[2020]["communities_born"] is None, "no previous year: no lineage events"
    for year in (2021, 2022):  # 2022's previous year was read back from the first run's rows
        row = dynamics[year]
        assert row["previous_year"] == year - 1
        assert row["nodes_in_both"] > 0 and -1 <= row["pagerank_kendall"] <= 1
        assert row["communities_continued"] + row["communities_merged"] + row["communities_split"] \
            + row["communities_born"] >= 1
    for row in dynamics.values():
        assert row["max_core"] >= 1 and row["innermost_core_nodes"] >= row["max_core"] + 1
        assert 0 < row["robustness_pagerank"] <= row["robustness_random"] <= 1, "the hubs hold this network together"


def test_rank_changes_agree_with_the_stored_ranks(spark, analysed):
    stored = {(r["year"], r["id"]): r for r in rows(spark, analysed["warehouse"], "node_metrics")}
    checked = 0
    for (year, node), row in stored.items():
        before = stored.get((year - 1, node))
        if before is None:
            assert row["pagerank_rank_change"] is None
        else:
            assert row["pagerank_rank_change"] == before["pagerank_rank"] - row["pagerank_rank"]
            assert row["degree_rank_change"] == before["degree_rank"] - row["degree_rank"]
            checked += 1
        assert row["core"] is not None and row["community_lineage"] is not None
    assert checked > 20


def test_lineages_carry_over_from_the_stored_year(spark, analysed):
    communities = rows(spark, analysed["warehouse"], "community_lineage")
    stored_2021 = {r["lineage"] for r in communities if r["year"] == 2021 and r["event"] != "death"}
    continued_2022 = {r["lineage"] for r in communities if r["year"] == 2022 and r["event"] == "continue"}
    assert continued_2022 and continued_2022 <= stored_2021
    nodes = rows(spark, analysed["warehouse"], "node_metrics")
    assert {r["community_lineage"] for r in nodes if r["year"] == 2022} >= continued_2022


def test_the_other_tables_have_rows_for_the_compared_years(spark, analysed):
    for table in ("movers", "attachment"):
        assert {r["year"] for r in rows(spark, analysed["warehouse"], table)} == {2021, 2022}, table
    curves = rows(spark, analysed["warehouse"], "robustness")
    assert {(r["year"], r["strategy"]) for r in curves if r["k"] == 0} == \
        {(y, s) for y in (2020, 2021, 2022) for s in ("pagerank", "random")}


def test_mlflow_has_the_metrics_tables_and_pictures(analysed):
    client = MlflowClient(tracking_uri=analysed["uri"])
    experiment = client.get_experiment_by_name("yoy")
    runs = client.search_runs([experiment.experiment_id])
    year_run = next(r for r in runs if r.info.run_name == "year=2021")
    assert {"nodes_in_both", "pagerank_spearman", "pagerank_kendall", "top20_entries", "communities_born",
            "communities_died", "max_core", "robustness_pagerank", "robustness_random"} <= set(year_run.data.metrics)
    assert set(year_run.data.metrics) & set(YEAR_DYNAMICS), "the year_dynamics columns are the metrics' names"
    logged = {a.path for folder in ("tables", "figures") for a in client.list_artifacts(year_run.info.run_id, folder)}
    assert {"tables/movers.json", "tables/robustness.json", "tables/attachment.json", "figures/robustness.png",
            "figures/network.png", "figures/network.html"} <= logged
    movers = json.loads(Path(client.download_artifacts(year_run.info.run_id, "tables/movers.json")).read_text())
    assert set(movers["columns"]) >= {"id", "movement", "pagerank_rank", "previous_pagerank_rank", "change"}
    parent = client.get_run(year_run.data.tags["mlflow.parentRunId"])
    assert "figures/networks_by_year.png" in {a.path for a in client.list_artifacts(parent.info.run_id, "figures")}
    born = client.get_metric_history(parent.info.run_id, "communities_born")
    assert [m.step for m in born] == [2021]
