"""Degenerate year networks: no crash (ANSI mode is on), sensible metrics, MLflow runs logged.

Years of the registry below:
  2017  one node: s's only relation is a self-loop
  2018  all self-loops: s and t, each with a self-loop only
  2019  empty: no relation is active
  2020  one giant star: h enables 50 leaves
"""

import pytest
from mlflow import MlflowClient

from tests.conftest import write_csv
from valuenet import tables
from valuenet.commands.analyze import analyze
from valuenet.commands.ingest import ingest
from valuenet.config import load_config

LEAVES = [f"leaf{i:02d}" for i in range(50)]
NODES = "id,name,kind,org_type,province,city,founded_year,is_platform\n" + "\n".join(
    ["h,Hub,sample,enterprise,Beijing,Beijing,2000,true", "s,Ess,sample,enterprise,Beijing,Beijing,2000,false",
     "t,Tee,relation,university,Beijing,Beijing,,"]
    + [f"{leaf},Leaf {leaf},relation,enterprise,Zhejiang,Hangzhou,," for leaf in LEAVES]) + "\n"
EDGES = "src,dst,relation,start_year,end_year,tech_category,application_field,industry,weight\n" + "\n".join(
    ["s,s,tech_cooperation,2017,2018,vision,education,tertiary,1", "t,t,investment,2018,2018,,,,1"]
    + [f"h,{leaf},tech_cooperation,2020,,vision,manufacturing,secondary,1" for leaf in LEAVES]) + "\n"


@pytest.fixture(scope="module")
def limits(runtime, tmp_path_factory):
    folder = tmp_path_factory.mktemp("limits")
    warehouse = str(folder / "warehouse")
    ingest(runtime.spark, write_csv(folder / "nodes.csv", NODES), write_csv(folder / "edges.csv", EDGES), warehouse)
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    config = load_config([f"mlflow.tracking_uri={uri}", "mlflow.experiment=limits"])
    rows = analyze(runtime, config, warehouse, None, tracking=True)
    return {r["year"]: r for r in rows}, warehouse, uri


def test_every_year_of_the_span_is_analysed(limits):
    rows, _, _ = limits
    assert sorted(rows) == [2017, 2018, 2019, 2020]


def test_a_year_with_one_node(limits):
    row = limits[0][2017]
    assert (row["nodes"], row["edges"], row["communities"]) == (1, 0, 1)
    assert row["avg_degree"] == 0.0 and row["density"] is None  # n (n - 1) = 0: undefined, not 0/0
    # no pair u != v: no mean; the diameter follows igraph's diameter(directed=True, unconn=True) = 0
    assert row["diameter"] == 0 and row["avg_path_length"] is None
    assert row["avg_clustering"] == 0.0
    assert row["modularity"] is None  # no edge: Q is undefined


def test_a_year_of_self_loops_only(limits, spark):
    row = limits[0][2018]
    assert (row["nodes"], row["edges"], row["avg_degree"], row["density"]) == (2, 0, 0.0, 0.0)
    assert row["diameter"] == 0 and row["avg_path_length"] is None and row["avg_clustering"] == 0.0
    per_node = tables.read(spark, limits[1], "node_metrics").where("year = 2018").collect()
    assert sorted((r["id"], r["degree"], r["clustering"]) for r in per_node) == [("s", 0, 0.0), ("t", 0, 0.0)]


def test_an_empty_year(limits):
    row = limits[0][2019]
    assert (row["nodes"], row["edges"], row["avg_degree"], row["density"]) == (0, 0, None, None)
    assert row["diameter"] is None and row["avg_path_length"] is None  # igraph: nan for the null graph
    assert row["avg_clustering"] is None and row["out_degree_top_10pct"] is None
    assert (row["components"], row["communities"], row["modularity"]) == (0, 0, None)


def test_one_giant_star(limits, spark):
    row = limits[0][2020]
    assert (row["nodes"], row["edges"], row["diameter"], row["avg_path_length"]) == (51, 50, 1, 1.0)
    assert row["avg_degree"] == pytest.approx(50 / 51) and row["density"] == pytest.approx(1 / 51)
    assert row["avg_clustering"] == 0.0 and row["out_degree_top_10pct"] == 1.0
    assert row["modularity"] == pytest.approx(0.0, abs=1e-12) and row["communities"] == 1


def test_each_year_has_a_finished_run(limits):
    _, _, uri = limits
    client = MlflowClient(tracking_uri=uri)
    runs = client.search_runs([client.get_experiment_by_name("limits").experiment_id])
    years = sorted(r.info.run_name for r in runs if "mlflow.parentRunId" in r.data.tags)
    assert years == ["year=2017", "year=2018", "year=2019", "year=2020"]
    assert all(r.info.status == "FINISHED" for r in runs)
