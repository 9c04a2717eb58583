"""`valuenet track`: the MLflow runs of years analysed with --no-tracking (or while the server was
down), logged afterwards from the Delta rows in the layout `analyze` logs, and the rows pointed at them.

The registry: a hub h enabling four others in 2020, a chain growing from it in 2021 (the one of
tests/tracking/test_server.py). It is analysed with --no-tracking, then tracked twice into a
real sqlite store.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from mlflow import MlflowClient
from mlflow.entities import ViewType

from tests.conftest import write_csv
from tests.tracking.test_server import EDGES, NODES
from valuenet import tables
from valuenet.commands import track
from valuenet.commands.analyze import analyze
from valuenet.commands.ingest import ingest
from valuenet.config import load_config
from valuenet.metrics.definitions import NETWORK_METRICS


# tables with rows only for a year whose previous year was analysed too (2021 here, not 2020)
COMPARED_WITH_A_PREVIOUS_YEAR = ("movers", "attachment")


def _years(table: str) -> tuple[int, ...]:
    return (2021,) if table in COMPARED_WITH_A_PREVIOUS_YEAR else (2020, 2021)


def _run_ids_in_delta(spark, warehouse) -> dict[str, set]:
    return {t: {(r["year"], r["run_id"]) for r in tables.read(spark, warehouse, t).select("year", "run_id").distinct()
                .collect()} for t in tables.OUTPUT_TABLES}


@pytest.fixture(scope="module")
def tracked(runtime, tmp_path_factory):
    folder = tmp_path_factory.mktemp("track")
    warehouse = str(folder / "warehouse")
    ingest(runtime.spark, write_csv(folder / "nodes.csv", NODES), write_csv(folder / "edges.csv", EDGES), warehouse)
    rows = {r["year"]: r for r in analyze(runtime, load_config(), warehouse, "2020-2021", tracking=False)}
    untracked = _run_ids_in_delta(runtime.spark, warehouse)
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    args = ["--warehouse", warehouse, "--conf", f"mlflow.tracking_uri={uri}", "--conf", "mlflow.experiment=track"]
    client = MlflowClient(tracking_uri=uri)
    codes, children, in_delta = [], [], []
    for _ in range(2):  # tracked twice: the second replaces the first
        codes.append(track.main(args))
        experiment = client.get_experiment_by_name("track").experiment_id
        children.append({r.info.run_id for r in client.search_runs([experiment], "tags.`valuenet.role` = 'year'",
                                                                    run_view_type=ViewType.ACTIVE_ONLY)})
        in_delta.append(_run_ids_in_delta(runtime.spark, warehouse))
    live = client.search_runs([experiment], run_view_type=ViewType.ACTIVE_ONLY)
    return {"rows": rows, "untracked": untracked, "codes": codes, "children": children, "in_delta": in_delta,
            "live": live, "client": client, "warehouse": warehouse}


def _children(tracked):
    return sorted((r for r in tracked["live"] if "mlflow.parentRunId" in r.data.tags), key=lambda r: r.info.run_name)


def test_analyze_without_tracking_left_no_run_id(tracked):
    assert tracked["untracked"] == {t: {(y, None) for y in _years(t)} for t in tables.OUTPUT_TABLES}


def test_one_parent_and_a_child_per_year(tracked):
    assert tracked["codes"] == [0, 0]
    parents = [r for r in tracked["live"] if "mlflow.parentRunId" not in r.data.tags]
    children = _children(tracked)
    assert len(parents) == 1 and [c.info.run_name for c in children] == ["year=2020", "year=2021"]
    parent = parents[0]
    assert parent.data.tags["valuenet.role"] == "analyze" and parent.data.params["years"] == "2020-2021"
    assert all(c.data.tags["mlflow.parentRunId"] == parent.info.run_id and c.info.status == "FINISHED"
               for c in children)


def test_the_children_carry_the_stored_metrics_versions_and_artifacts(tracked):
    for child in _children(tracked):
        year = int(child.data.tags["valuenet.year"])
        row = tracked["rows"][year]
        expected = {k: float(row[k]) for k in NETWORK_METRICS if row[k] is not None and not math.isnan(row[k])}
        assert {k: child.data.metrics[k] for k in expected} == pytest.approx(expected)
        versions = json.loads(row["input_versions"])
        assert child.data.params["input_version_nodes"] == str(versions["nodes"])
        assert child.data.params["input_version_edges"] == str(versions["edges"])
        assert len(child.data.tags["valuenet.fingerprint"]) == 24 and child.data.tags["valuenet.filter"] == "none"
        artifacts = {a.path for a in tracked["client"].list_artifacts(child.info.run_id, "tables")}
        assert {"tables/top20_degree.json", "tables/top20_pagerank.json", "tables/flows.json",
                "tables/shares.json"} <= artifacts
        assert {i.dataset.name for i in tracked["client"].get_run(child.info.run_id).inputs.dataset_inputs} == \
            {"nodes", "edges"}
    logged = tracked["client"].download_artifacts(_children(tracked)[0].info.run_id, "tables/top20_degree.json")
    top = json.loads(Path(logged).read_text(encoding="utf-8"))
    first = dict(zip(top["columns"], top["data"][0]))
    assert (first["id"], first["name"]) == ("h", "Hub <Co>")  # names from the nodes table


def test_the_parent_holds_each_metric_per_year(tracked):
    parent = next(r for r in tracked["live"] if "mlflow.parentRunId" not in r.data.tags)
    history = tracked["client"].get_metric_history(parent.info.run_id, "nodes")
    assert sorted((m.step, m.value) for m in history) == [(2020, 4.0), (2021, 5.0)]


def test_the_delta_rows_point_at_the_new_runs(tracked):
    for children, in_delta in zip(tracked["children"], tracked["in_delta"]):
        for table, pairs in in_delta.items():
            assert {y for y, _ in pairs} == set(_years(table)), table
            assert {run_id for _, run_id in pairs} <= children and len(pairs) == len(_years(table)), table
    years = {int(c.data.tags["valuenet.year"]): c.info.run_id for c in _children(tracked)}
    assert tracked["in_delta"][1]["network_metrics"] == set(years.items())


def test_tracking_twice_leaves_one_set_of_live_runs(tracked):
    first, second = tracked["children"]
    assert len(first) == len(second) == 2 and not first & second
    assert {r.info.run_id for r in _children(tracked)} == second
    for run_id in first:
        assert tracked["client"].get_run(run_id).info.lifecycle_stage == "deleted"
    assert len(tracked["live"]) == 3  # the first parent went with its children


def test_years_not_in_delta_are_one_clear_error(tracked, capsys):
    code = track.main(["--warehouse", tracked["warehouse"], "--years", "2019-2020",
                       "--conf", "mlflow.tracking_uri=sqlite:///unused.db"])
    assert code == 2
    assert "no stored rows for 2019; run `valuenet analyze` for them first" in capsys.readouterr().err


@pytest.mark.parametrize("years, label", [([2022], "2022"), ([2014, 2015, 2016], "2014-2016"),
                                          ([2014, 2018], "2014,2018")])
def test_years_are_named_as_years_takes_them(years, label):
    from valuenet.tracking.layout import years_label

    assert years_label(years) == label
