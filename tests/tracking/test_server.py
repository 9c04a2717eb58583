"""analyze against a real `mlflow server` over HTTP, read back through the MLflow client."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from mlflow import MlflowClient

from tests.conftest import free_port, write_csv
from valuenet import tables
from valuenet.commands.analyze import analyze
from valuenet.commands.ingest import ingest
from valuenet.config import load_config
from valuenet.metrics.definitions import NETWORK_METRICS

# Two years of a small registry: a hub h enabling four others, then a chain growing from it.
NODES = """
id,name,kind,org_type,province,city,founded_year,is_platform
h,Hub <Co>,sample,enterprise,Beijing,Beijing,2001,true
a,Aye,sample,enterprise,Guangdong,Shenzhen,2005,false
b,Bee,relation,university,Beijing,Beijing,,
c,Cee,relation,investor,Zhejiang,Hangzhou,,
d,Dee,relation,research_institute,Shanghai,Shanghai,,
"""
EDGES = """
src,dst,relation,start_year,end_year,tech_category,application_field,industry,weight
h,a,tech_cooperation,2020,,vision,manufacturing,secondary,1
h,b,tech_cooperation,2020,,speech,education,tertiary,1
h,c,investment,2020,,,,,2
a,b,human_capital,2020,,,,,1
b,d,tech_cooperation,2021,,vision,healthcare,tertiary,1
d,h,tech_cooperation,2021,,nlp,finance,tertiary,1
"""


@pytest.fixture(scope="module")
def served(runtime, mlflow_server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    warehouse = str(folder / "warehouse")
    ingest(runtime.spark, write_csv(folder / "nodes.csv", NODES), write_csv(folder / "edges.csv", EDGES),
           warehouse)
    config = load_config([f"mlflow.tracking_uri={mlflow_server.uri}", "mlflow.experiment=served"])
    rows = analyze(runtime, config, warehouse, None, tracking=True)
    client = MlflowClient(tracking_uri=mlflow_server.uri)
    experiment = client.get_experiment_by_name("served")
    return {"rows": rows, "client": client, "warehouse": warehouse,
            "runs": client.search_runs([experiment.experiment_id])}


def test_the_runs_reach_the_server(served):
    parents = [r for r in served["runs"] if "mlflow.parentRunId" not in r.data.tags]
    children = sorted((r for r in served["runs"] if "mlflow.parentRunId" in r.data.tags),
                      key=lambda r: r.info.run_name)
    assert len(parents) == 1
    assert [c.info.run_name for c in children] == ["year=2020", "year=2021"]
    assert all(c.info.status == "FINISHED" and c.data.tags["mlflow.parentRunId"] == parents[0].info.run_id
               for c in children)
    by_year = {r["year"]: r for r in served["rows"]}
    for child in children:
        row = by_year[int(child.data.tags["valuenet.year"])]
        assert child.data.metrics["edges"] == row["edges"]
        assert set(child.data.metrics) >= {k for k in NETWORK_METRICS if row[k] is not None}


def test_the_parent_holds_each_metric_per_year(served):
    parent = next(r for r in served["runs"] if "mlflow.parentRunId" not in r.data.tags)
    history = served["client"].get_metric_history(parent.info.run_id, "nodes")
    # 2020: h, a, b, c; 2021: all five
    assert sorted((m.step, m.value) for m in history) == [(2020, 4.0), (2021, 5.0)]


def test_artifacts_are_served_back(served):
    child = next(r for r in served["runs"] if r.info.run_name == "year=2021")
    listed = {a.path for a in served["client"].list_artifacts(child.info.run_id, "figures")}
    assert {"figures/degree_distribution.png", "figures/province_flows.png"} <= listed
    tables_listed = {a.path for a in served["client"].list_artifacts(child.info.run_id, "tables")}
    assert "tables/top20_degree.json" in tables_listed
    parent = next(r for r in served["runs"] if "mlflow.parentRunId" not in r.data.tags)
    figures = [a.path for a in served["client"].list_artifacts(parent.info.run_id, "figures")]
    assert figures == ["figures/networks_by_year.png", "figures/year_trends.png"]
    assert {"figures/network.png", "figures/network.html"} <= listed
    # five nodes: too few for a power-law tail, so no fit and no lognormal comparison (never faked)
    assert not {"degree_powerlaw_alpha", "degree_lognormal_mu"} & set(child.data.metrics)


def test_the_delta_rows_carry_the_served_run_ids(runtime, served):
    run_ids = {r.info.run_id for r in served["runs"] if "mlflow.parentRunId" in r.data.tags}
    stored = {r["run_id"] for r in tables.read(runtime.spark, served["warehouse"], "network_metrics").collect()}
    assert stored == run_ids


def test_an_unreachable_server_is_one_clear_line_before_any_spark_work(tmp_path):
    uri = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    started = time.time()
    done = subprocess.run([sys.executable, "-m", "valuenet.cli", "analyze", "--warehouse", str(tmp_path / "none"),
                           "--conf", f"mlflow.tracking_uri={uri}"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if "valuenet:" in line]
    assert len(errors) == 1, done.stderr
    assert f"MLflow tracking server {uri} cannot be reached" in errors[0] and "--no-tracking" in errors[0]
    assert "Spark session" not in done.stderr and time.time() - started < 60
