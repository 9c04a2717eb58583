"""analyze end to end on LDBC's example graph (a peer's expected outputs) with a real MLflow store."""

import csv

import pytest
from mlflow import MlflowClient

from valuenet import tables
from valuenet.commands.analyze import analyze
from valuenet.commands.ingest import ingest
from valuenet.metrics.definitions import NETWORK_METRICS


@pytest.fixture(scope="module")
def example(runtime, shared, tmp_path_factory):
    """The LDBC example-directed graph, ingested and analysed once, with its own MLflow store."""
    import os

    folder = tmp_path_factory.mktemp("example")
    warehouse = str(folder / "warehouse")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    case = shared / "ldbc" / "example_case"
    ingest(runtime.spark, str(case / "nodes.csv"), str(case / "edges.csv"), warehouse)
    from valuenet.config import load_config

    config = load_config([f"mlflow.tracking_uri={uri}", "mlflow.experiment=example"])
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    rows = analyze(runtime, config, warehouse, None, tracking=True)
    expected = {r["id"]: r for r in csv.DictReader(open(case / "expected" / "node_metrics.csv"))}
    expected_network = next(csv.DictReader(open(case / "expected" / "network_metrics.csv")))
    return {"warehouse": warehouse, "uri": uri, "rows": rows, "expected": expected, "case": case,
            "expected_network": expected_network}


def _node_metrics(spark, warehouse):
    return {r["id"]: r for r in tables.read(spark, warehouse, "node_metrics").collect()}


def test_years_default_to_the_data(example):
    assert [r["year"] for r in example["rows"]] == [2020]


def test_degrees_match_the_expected_files(spark, example):
    got = _node_metrics(spark, example["warehouse"])
    assert set(got) == set(example["expected"])
    for node_id, want in example["expected"].items():
        assert (got[node_id]["in_degree"], got[node_id]["out_degree"], got[node_id]["degree"]) == \
            (int(want["in_degree"]), int(want["out_degree"]), int(want["degree"])), node_id


def test_network_row_matches_the_expected_counts(example):
    row, want = example["rows"][0], example["expected_network"]
    for key in ("nodes", "sample_nodes", "relation_nodes", "edges"):
        assert row[key] == int(want[key]), key
    assert row["avg_degree"] == pytest.approx(float(want["avg_degree"]), abs=1e-12)
    assert row["density"] == pytest.approx(float(want["density"]), abs=1e-12)


def test_pagerank_and_components_match_the_expected_files(spark, example):
    got = _node_metrics(spark, example["warehouse"])
    for node_id, want in example["expected"].items():
        ref = float(want["pagerank"])
        assert abs(got[node_id]["pagerank"] - ref) <= 1e-6 + 1e-4 * ref, node_id
    assert len({r["component"] for r in got.values()}) == 1
    assert example["rows"][0]["components"] == 1 and example["rows"][0]["largest_component"] == 10


def test_path_and_clustering_metrics_match_the_expected_files(spark, example):
    row, want = example["rows"][0], example["expected_network"]
    assert row["diameter"] == int(want["diameter"]) and row["path_method"] == "exact"
    assert row["avg_path_length"] == pytest.approx(float(want["avg_path_length"]), abs=1e-6)
    assert row["avg_clustering"] == pytest.approx(float(want["avg_clustering"]), abs=1e-6)
    got = _node_metrics(spark, example["warehouse"])
    for node_id, expected in example["expected"].items():
        assert got[node_id]["clustering"] == pytest.approx(float(expected["clustering"]), abs=1e-6), node_id


def test_modularity_is_that_of_the_stored_communities(spark, example):
    import networkx as nx

    case_edges = [(r["src"], r["dst"]) for r in csv.DictReader(open(example["case"] / "edges.csv"))]
    groups: dict[int, set] = {}
    for node_id, r in _node_metrics(spark, example["warehouse"]).items():
        groups.setdefault(r["community"], set()).add(node_id)
    q = nx.community.modularity(nx.Graph(case_edges), list(groups.values()))
    row = example["rows"][0]
    assert row["modularity"] == pytest.approx(q, abs=1e-6)
    assert row["communities"] == len(groups)
    assert row["modularity"] >= float(example["expected_network"]["louvain_modularity_nx"]) - 0.03


def test_every_node_has_pagerank_and_component(spark, example):
    got = _node_metrics(spark, example["warehouse"])
    assert all(r["pagerank"] is not None and r["component"] is not None for r in got.values())
    assert sum(r["pagerank"] for r in got.values()) == pytest.approx(1.0, abs=1e-12)


def test_mlflow_has_one_parent_and_a_child_per_year(spark, example):
    client = MlflowClient(tracking_uri=example["uri"])
    experiment = client.get_experiment_by_name("example")
    runs = client.search_runs([experiment.experiment_id])
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    children = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    assert len(parents) == 1 and len(children) == 1
    child, parent = children[0], parents[0]
    assert child.info.run_name == "year=2020" and child.info.status == "FINISHED"
    assert child.data.tags["mlflow.parentRunId"] == parent.info.run_id
    row = example["rows"][0]
    for key in NETWORK_METRICS:
        if row[key] is not None:
            assert child.data.metrics[key] == pytest.approx(row[key]), key
    assert child.data.params["input_version_edges"] == str(tables.version(spark, example["warehouse"], "edges"))
    assert parent.data.tags["valuenet.version.spark"].startswith("4.1")
    history = client.get_metric_history(parent.info.run_id, "edges")
    assert [(m.step, m.value) for m in history] == [(2020, 17.0)]


def test_outputs_carry_the_run_id(spark, example):
    client = MlflowClient(tracking_uri=example["uri"])
    child = [r for r in client.search_runs([client.get_experiment_by_name("example").experiment_id])
             if r.info.run_name == "year=2020"][0]
    assert example["rows"][0]["run_id"] == child.info.run_id
    assert {r["run_id"] for r in _node_metrics(spark, example["warehouse"]).values()} == {child.info.run_id}


def test_reanalysing_a_year_replaces_exactly_its_rows(runtime, example, config):
    spark, warehouse = runtime.spark, example["warehouse"]
    before = tables.version(spark, warehouse, "node_metrics")
    analyze(runtime, config, warehouse, "2020,2021", tracking=False)
    rows = tables.read(spark, warehouse, "node_metrics").groupBy("year").count().collect()
    assert {r["year"]: r["count"] for r in rows} == {2020: 10, 2021: 10}
    assert tables.version(spark, warehouse, "node_metrics") == before + 1  # one commit for both years
