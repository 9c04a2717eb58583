"""The MLflow server dies in the middle of analyze: every year still reaches Delta, the job
says so in one line (with the `valuenet track` command that logs the runs again), and the
year logged before the death keeps its run."""

from __future__ import annotations

import logging

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


class _StopServerOn(logging.Handler):
    """Kills the server (SIGKILL) when analyze logs a line containing `text`."""

    def __init__(self, server: MlflowServer, text: str):
        super().__init__()
        self.server, self.text, self.fired = server, text, False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.fired and self.text in record.getMessage():
            self.fired = True
            self.server.stop()


def test_a_dead_server_mid_run_loses_no_delta_output(runtime, tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="valuenet")  # the progress lines the stopper listens to
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")  # restored after the test
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    warehouse = str(tmp_path / "warehouse")
    ingest(runtime.spark, write_csv(tmp_path / "nodes.csv", NODES), write_csv(tmp_path / "edges.csv", EDGES),
           warehouse)
    server = MlflowServer(tmp_path / "mlflow").start()
    config = load_config([f"mlflow.tracking_uri={server.uri}", "mlflow.experiment=faults",
                          "analyze.parallel_years=1"])
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
