"""The MLflow server dies in the middle of analyze: every year still reaches Delta, the job
says so in one line (with the `valuenet track` command that logs the runs again), and the
year logged before the death keeps its run."""

from __future__ import annotations

import logging
import shutil

import pytest
from deltalake import DeltaTable
from mlflow import MlflowClient

from tests.conftest import MlflowServer, write_csv
from valuenet import tables
from valuenet.commands.analyze import analyze
from valuenet.commands.ingest import ingest
from valuenet.config import load_config
from valuenet.errors import TrackingLost

NODES = """
id,name,kind,org_type,province,city,founded_year,is_platform
h,Hub,sample,enterprise,Beijing,Beijing,2001,true
a,Aye,sample,enterprise,Guangdong,Shenzhen,2005,false
b,Bee,relation,university,Beijing,Beijing,,
c,Cee,relation,investor,Zhejiang,Hangzhou,,
"""
EDGES = """
src,dst,relation,start_year,end_year,tech_category,application_field,industry,weight
h,a,tech_cooperation,2020,,vision,manufacturing,secondary,1
a,b,human_capital,2021,,,,,1
b,c,tech_cooperation,2022,,speech,education,tertiary,1
"""


@pytest.fixture(scope="module")
def ingested(runtime, tmp_path_factory) -> str:
    """The three-year registry above, ingested once; each test analyses its own copy."""
    folder = tmp_path_factory.mktemp("faults")
    warehouse = str(folder / "warehouse")
    ingest(runtime.spark, write_csv(folder / "nodes.csv", NODES), write_csv(folder / "edges.csv", EDGES), warehouse)
    return warehouse


def _copy(ingested: str, tmp_path) -> str:
    return shutil.copytree(ingested, tmp_path / "warehouse").as_posix()


class _StopServerOn(logging.Handler):
    """Kills the server (SIGKILL) when analyze logs a line containing `text`."""

    def __init__(self, server: MlflowServer, text: str):
        super().__init__()
        self.server, self.text, self.fired = server, text, False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.fired and self.text in record.getMessage():
            self.fired = True
            self.server.stop()


def test_a_dead_server_mid_run_loses_no_delta_output(runtime, ingested, tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="valuenet")  # the progress lines the stopper listens to
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")  # restored after the test
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    warehouse = _copy(ingested, tmp_path)
    server = MlflowServer(tmp_path / "mlflow").start()
    config = load_config([f"mlflow.tracking_uri={server.uri}", "mlflow.experiment=faults"])
    stopper = _StopServerOn(server, "[1/3] year 2020")
    logging.getLogger("valuenet").addHandler(stopper)
    try:
        with pytest.raises(TrackingLost) as lost:
            analyze(runtime, config, warehouse, "2020-2022", tracking=True)
    finally:
        logging.getLogger("valuenet").removeHandler(stopper)
        server.stop()
    assert stopper.fired
    message = str(lost.value)
    assert "every year is written to Delta" in message
    assert f"valuenet track --warehouse {warehouse} --years 2020,2021,2022" in message
    assert lost.value.exit_code == 3

    rows = DeltaTable(tables.table_path(warehouse, "network_metrics")).to_pandas().set_index("year")
    assert sorted(rows.index) == [2020, 2021, 2022]
    assert rows.loc[2020, "run_id"] and rows[["run_id"]].loc[[2021, 2022]].isna().all().all()
    assert set(DeltaTable(tables.table_path(warehouse, "node_metrics")).to_pandas()["year"]) == {2020, 2021, 2022}

    # The run logged before the server died is complete in its store.
    server.start()
    try:
        run = MlflowClient(tracking_uri=server.uri).get_run(rows.loc[2020, "run_id"])
        assert run.info.status == "FINISHED" and run.data.metrics["nodes"] == 2
    finally:
        server.stop()


def test_a_failing_year_is_a_failed_run_and_the_next_year_is_written(runtime, ingested, tmp_path, monkeypatch,
                                                                     tracking):
    """A year whose computation raises (injected: a real failure cannot be ordered on a small graph)
    gets a FAILED run with its error; the year after it, in the next pass, is written and logged;
    the parent is FAILED and counts the failed years."""
    from valuenet.commands import analyze as analyze_module
    from valuenet.errors import YearsFailed

    real = analyze_module.network_metrics

    def failing_in_2021(network, *args, **kwargs):
        if 2021 in network.years:
            raise RuntimeError("disk full while computing 2021")
        return real(network, *args, **kwargs)

    monkeypatch.setattr(analyze_module, "network_metrics", failing_in_2021)
    warehouse = _copy(ingested, tmp_path)
    # one year per pass: a failing pass fails its years only
    config = load_config(["mlflow.experiment=failing-year", "analyze.years_per_pass=1"])
    with pytest.raises(YearsFailed) as failed:
        analyze(runtime, config, warehouse, "2021-2022", tracking=True)
    assert failed.value.exit_code == 1 and list(failed.value.failed) == [2021]
    assert "disk full while computing 2021" in str(failed.value)

    rows = DeltaTable(tables.table_path(warehouse, "network_metrics")).to_pandas()
    assert sorted(rows["year"]) == [2022]
    client = MlflowClient(tracking_uri=tracking)
    runs = client.search_runs([client.get_experiment_by_name("failing-year").experiment_id])
    by_name = {r.info.run_name: r for r in runs}
    assert by_name["year=2021"].info.status == "FAILED"
    assert "disk full while computing 2021" in by_name["year=2021"].data.tags["valuenet.error"]
    assert sorted(n for n in by_name if n.startswith("year=")) == ["year=2021", "year=2022"]
    assert by_name["year=2022"].info.status == "FINISHED"
    parent = next(r for r in runs if r.data.tags.get("valuenet.role") == "analyze")
    assert parent.info.status == "FAILED"
    assert parent.data.metrics["failed_years"] == 1 and parent.data.tags["valuenet.failed_years"] == "2021"
