"""`valuenet run` end to end on a small calibrated sample: exact Table 2 counts, MLflow runs and artifacts."""

from pathlib import Path

import pytest
from deltalake import DeltaTable
from mlflow import MlflowClient

from valuenet.commands import report, run
from valuenet.sample.model import year_targets

SCALE = 0.02


@pytest.fixture(scope="module")
def finished(runtime, tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    warehouse, uri = str(folder / "warehouse"), f"sqlite:///{folder / 'mlflow.db'}"
    code = run.main(["--warehouse", warehouse, "--conf", f"sample.scale={SCALE}",
                     "--conf", "run.filtered=[{filter: [platform_network], years: '2019,2021'}]",
                     "--conf", f"mlflow.tracking_uri={uri}", "--conf", "mlflow.experiment=run-test"])
    return code, warehouse, uri, folder


def test_year_counts_equal_the_samples_targets(finished):
    code, warehouse, _, _ = finished
    assert code == 0
    rows = DeltaTable(f"{warehouse}/network_metrics").to_pandas()
    rows = rows[rows["filter"] == ""].set_index("year")
    for year, want in year_targets(SCALE).items():
        for key, value in want.items():
            assert rows.loc[year, key] == value, (year, key)
    assert rows["diameter"].notna().all() and rows["avg_clustering"].notna().all()


def test_nine_year_runs_with_tables_and_figures(finished):
    _, _, uri, _ = finished
    client = MlflowClient(tracking_uri=uri)
    runs = client.search_runs([client.get_experiment_by_name("run-test").experiment_id])
    whole = [r for r in runs if r.data.tags["valuenet.filter"] == "none"]
    children = sorted(r.info.run_name for r in whole if "mlflow.parentRunId" in r.data.tags)
    assert children == [f"year={y}" for y in range(2014, 2023)]
    parent = next(r for r in whole if "mlflow.parentRunId" not in r.data.tags)
    assert parent.data.tags["valuenet.data_source"].startswith("synthetic sample")
    child = next(r for r in runs if r.info.run_name == "year=2022")
    figures = [a.path for a in client.list_artifacts(child.info.run_id, "figures")]
    assert figures == ["figures/degree_distribution.png", "figures/network.html", "figures/network.png",
                       "figures/province_flows.png", "figures/robustness.png"]
    assert "degree_powerlaw_alpha" in child.data.metrics
    fitted = child.data.metrics
    assert fitted["degree_lognormal_sigma"] > 0 and 0 <= fitted["degree_powerlaw_vs_lognormal_p"] <= 1
    assert {"degree_lognormal_mu", "degree_powerlaw_vs_lognormal_R"} <= set(fitted)
    assert [a.path for a in client.list_artifacts(parent.info.run_id, "figures")] == \
        ["figures/networks_by_year.png", "figures/year_trends.png"]
    trend = client.get_metric_history(parent.info.run_id, "nodes")
    assert [m.step for m in sorted(trend, key=lambda m: m.step)] == list(range(2014, 2023))


def test_the_platform_network_is_analysed_beside_the_whole_network(finished):
    _, warehouse, uri, _ = finished
    rows = DeltaTable(f"{warehouse}/network_metrics").to_pandas()
    platform = rows[rows["filter"] == "platform;relation=tech_cooperation"]
    assert sorted(platform["year"]) == [2019, 2021]
    whole = rows[rows["filter"] == ""].set_index("year")
    for _, row in platform.iterrows():
        assert 0 < row["edges"] < whole.loc[row["year"], "edges"]
    client = MlflowClient(tracking_uri=uri)
    runs = client.search_runs([client.get_experiment_by_name("run-test").experiment_id],
                              "tags.`valuenet.filter` = 'platform;relation=tech_cooperation'")
    assert sorted(r.info.run_name for r in runs if "mlflow.parentRunId" in r.data.tags) == \
        ["year=2019", "year=2021"]


def test_report_prints_and_writes_the_tables(finished, capsys):
    _, warehouse, uri, folder = finished
    store = ["--conf", f"mlflow.tracking_uri={uri}", "--conf", "mlflow.experiment=run-test"]
    assert report.main(["--warehouse", warehouse, "--compare", "--out", str(folder / "report"), *store]) == 0
    printed = capsys.readouterr().out
    assert "Synthetic sample" in printed and "Table 8." in printed
    assert "published figures are within tolerance" in printed
    assert "Table 5. The filtered network (--filter platform;relation=tech_cooperation), 2021" in printed
    page = (folder / "report" / "report.html").read_text(encoding="utf-8")
    assert "<table" in page and "Synthetic sample" in page
    figures = ["degree_distribution.png", "province_flows.png", "robustness.png", "year_trends.png"]
    assert sorted(p.name for p in (folder / "report" / "figures").iterdir()) == figures
    assert all(f"src='figures/{name}'" in page for name in figures)
    # the folder went to the newest analyze run of the whole network, named in one line
    client = MlflowClient(tracking_uri=uri)
    parent = client.search_runs([client.get_experiment_by_name("run-test").experiment_id],
                                "tags.`valuenet.role` = 'analyze' and tags.`valuenet.filter` = 'none'")[0]
    assert f"logged as report/ to run {parent.info.run_id}" in printed
    logged = {a.path for a in client.list_artifacts(parent.info.run_id, "report")}
    assert logged == {"report/report.md", "report/report.html", "report/figures"}
    assert len(client.list_artifacts(parent.info.run_id, "report/figures")) == 4


def test_report_without_an_analyze_run_warns_and_still_writes(finished, capsys):
    _, warehouse, uri, folder = finished
    args = ["--warehouse", warehouse, "--year", "2020", "--out", str(folder / "report-2020"),
            "--conf", f"mlflow.tracking_uri={uri}", "--conf", "mlflow.experiment=no-such-experiment"]
    assert report.main(args) == 0
    captured = capsys.readouterr()
    assert "warning: no analyze run of" in captured.err and "logged as report/" not in captured.out
    assert (folder / "report-2020" / "figures" / "degree_distribution.png").exists()


def test_the_compare_years_notebook_runs_on_the_finished_run(finished, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    _, warehouse, uri, folder = finished
    path = Path(__file__).resolve().parents[1] / "notebooks" / "compare_years.ipynb"
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "commit the notebook with outputs cleared"
    # the kernel inherits these (the notebook's parameters)
    for name, value in {"VALUENET_WAREHOUSE": warehouse, "MLFLOW_TRACKING_URI": uri,
                        "VALUENET_EXPERIMENT": "run-test", "VALUENET_YEARS": "2014,2018,2022"}.items():
        monkeypatch.setenv(name, value)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()  # raises on a cell's error
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 6  # trends, bump chart, degree distributions, movers, lineages, robustness curves
    shown = "\n".join(str(o.get("data", {}).get("text/markdown", "")) + str(o.get("text", "")) for o in outputs)
    assert "9 year runs" in shown and "Synthetic sample" in shown
    assert "Top 10 organisations by PageRank, each year" in shown
    assert "degree distributions overlaid: 2014, 2018, 2022" in shown
