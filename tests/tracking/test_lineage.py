"""Lineage: each year run records the Delta versions it read as MLflow datasets, and
`analyze --as-of-run RUN_ID` re-runs that year on exactly those versions (time travel)."""

from __future__ import annotations

import json

import pytest
from mlflow import MlflowClient

from tests.conftest import write_csv
from tests.tracking.test_server import EDGES, NODES
from valuenet import tables
from valuenet.commands import analyze as analyze_command
from valuenet.commands.analyze import analyze
from valuenet.commands.ingest import ingest
from valuenet.config import load_config
from valuenet.metrics.definitions import NETWORK_METRICS

# A later delivery adds two 2021 relations: the 2021 network changes.
MORE_EDGES = EDGES + "a,c,tech_cooperation,2021,,vision,education,tertiary,1\nc,d,investment,2021,,,,,1\n"


@pytest.fixture(scope="module")
def lineage(runtime, tmp_path_factory):
    folder = tmp_path_factory.mktemp("lineage")
    warehouse, uri = str(folder / "warehouse"), f"sqlite:///{folder / 'mlflow.db'}"
    overrides = [f"mlflow.tracking_uri={uri}", "mlflow.experiment=lineage"]
    nodes = write_csv(folder / "nodes.csv", NODES)
    ingest(runtime.spark, nodes, write_csv(folder / "edges.csv", EDGES), warehouse)
    first = {r["year"]: r for r in analyze(runtime, load_config(overrides), warehouse, None, tracking=True)}
    ingest(runtime.spark, nodes, write_csv(folder / "edges_v2.csv", MORE_EDGES), warehouse)
    client = MlflowClient(tracking_uri=uri)
    original = client.get_run(first[2021]["run_id"])
    code = analyze_command.main(["--warehouse", warehouse, "--as-of-run", original.info.run_id, *(
        x for o in overrides for x in ("--conf", o))])
    return {"warehouse": warehouse, "client": client, "original": original, "first": first, "code": code,
            "experiment": client.get_experiment_by_name("lineage").experiment_id}


def test_year_runs_record_the_tables_they_read_with_versions(lineage):
    inputs = {d.dataset.name: d for d in lineage["original"].inputs.dataset_inputs}
    assert set(inputs) == {"nodes", "edges"}
    source = json.loads(inputs["edges"].dataset.source)
    assert source["path"].endswith("/edges") and source["delta_table_version"] == 1
    assert {t.key: t.value for t in inputs["edges"].tags}["mlflow.data.context"] == "edges"


def test_as_of_run_recomputes_the_same_metrics_from_the_old_versions(runtime, lineage):
    assert lineage["code"] == 0
    client = lineage["client"]
    latest_edges = tables.version(runtime.spark, lineage["warehouse"], "edges")
    assert latest_edges == 2  # the later delivery is there ...
    rerun = [r for r in client.search_runs([lineage["experiment"]], "attributes.run_name = 'year=2021'")
             if r.info.run_id != lineage["original"].info.run_id]
    assert len(rerun) == 1
    rerun = rerun[0]
    assert rerun.data.params["input_version_edges"] == "1"  # ... but the re-run read version 1
    old = lineage["original"].data.metrics
    for key in NETWORK_METRICS:
        if key in old:
            assert rerun.data.metrics[key] == pytest.approx(old[key], abs=1e-12), key
    stored = tables.read(runtime.spark, lineage["warehouse"], "network_metrics").where("year = 2021").first()
    assert stored["edges"] == lineage["first"][2021]["edges"] and stored["run_id"] == rerun.info.run_id


def test_the_rerun_replaces_the_identical_earlier_run(lineage):
    client = lineage["client"]
    assert client.get_run(lineage["original"].info.run_id).info.lifecycle_stage == "deleted"


def test_as_of_run_on_a_missing_store_names_it_and_creates_nothing(tmp_path):
    from valuenet.errors import TrackingError
    from valuenet.tracking.runs import year_run_inputs

    store = tmp_path / "no-such.db"
    with pytest.raises(TrackingError, match=f"there is no MLflow store at {store}"):
        year_run_inputs(f"sqlite:///{store}", "0123abcd")
    assert not store.exists()
