"""Nothing leaks: no credential reaches MLflow or the job's output; no input text reaches HTML unescaped.

`valuenet analyze` runs (in-process, against a real `mlflow server` over HTTP) with credentials
in every place a user puts them: the environment (MLflow token and password, AWS secret key), a
Spark setting (--spark spark.hadoop.fs.s3a.secret.key=...) and the tracking URI's user:password@.
Each is a fresh random value; none may appear in any param, tag, metric name or artifact of the
runs (all downloaded, config.json included) nor in what the job printed. The registry's names
carry HTML (`<script>`, `&`), which `valuenet report` must escape in report.html.
"""

from __future__ import annotations

import contextlib
import io
import secrets
from pathlib import Path

import pytest
from mlflow import MlflowClient

from tests.conftest import write_csv
from valuenet.commands import analyze as analyze_command
from valuenet.commands import report
from valuenet.commands.ingest import ingest

SCRIPT = '<script>alert("x")</script>'
NODES = f"""
id,name,kind,org_type,province,city,founded_year,is_platform
h,{SCRIPT},sample,enterprise,Beijing,Beijing,2001,true
a,R&D <Labs> & Co,relation,university,Beijing,Beijing,,
b,Bee,relation,investor,Zhejiang,Hangzhou,,
"""
EDGES = """
src,dst,relation,start_year,end_year,tech_category,application_field,industry,weight
h,a,tech_cooperation,2020,,vision,education,tertiary,1
h,b,investment,2020,,,,,1
a,b,tech_cooperation,2020,,speech,finance,tertiary,1
"""


@pytest.fixture(scope="module")
def analysed(runtime, mlflow_server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("leaks")
    warehouse = str(folder / "warehouse")
    ingest(runtime.spark, write_csv(folder / "nodes.csv", NODES), write_csv(folder / "edges.csv", EDGES), warehouse)
    secret = {name: f"{name.lower()}-{secrets.token_hex(12)}" for name in
              ("MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_PASSWORD", "AWS_SECRET_ACCESS_KEY", "S3A_SECRET", "URI_PASSWORD")}
    host = mlflow_server.uri.split("://", 1)[1]
    with pytest.MonkeyPatch.context() as env:
        for name in ("MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_PASSWORD", "AWS_SECRET_ACCESS_KEY"):
            env.setenv(name, secret[name])
        env.setenv("MLFLOW_TRACKING_USERNAME", "someone")  # restored afterwards, whatever the job sets
        env.delenv("MLFLOW_TRACKING_URI", raising=False)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            code = analyze_command.main([
                "--warehouse", warehouse, "--years", "2020",
                "--spark", f"spark.hadoop.fs.s3a.secret.key={secret['S3A_SECRET']}",
                "--conf", f"mlflow.tracking_uri=http://valuenet:{secret['URI_PASSWORD']}@{host}",
                "--conf", "mlflow.experiment=leaks"])
    return {"code": code, "printed": printed.getvalue(), "warehouse": warehouse, "secrets": secret, "folder": folder,
            "client": MlflowClient(tracking_uri=mlflow_server.uri)}


def _runs(analysed):
    client = analysed["client"]
    return client.search_runs([client.get_experiment_by_name("leaks").experiment_id])


def test_the_job_logged_its_runs(analysed):
    assert analysed["code"] == 0
    runs = _runs(analysed)
    assert sorted(r.info.run_name for r in runs if "mlflow.parentRunId" in r.data.tags) == ["year=2020"]
    assert len(runs) == 2


def test_no_secret_in_params_tags_or_metric_names(analysed):
    for run in _runs(analysed):
        logged = " ".join([*run.data.params, *run.data.params.values(), *run.data.tags, *run.data.tags.values(),
                           *run.data.metrics])
        for name, value in analysed["secrets"].items():
            assert value not in logged, (name, run.info.run_name)


def test_no_secret_in_any_artifact(analysed):
    client, files = analysed["client"], []
    for run in _runs(analysed):
        target = analysed["folder"] / "artifacts" / run.info.run_id
        target.mkdir(parents=True)
        client.download_artifacts(run.info.run_id, "", str(target))
        files += [p for p in target.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"config.json", "top20_degree.json", "degree_distribution.png"} <= names
    for path in files:
        content = path.read_bytes()
        for name, value in analysed["secrets"].items():
            assert value.encode() not in content, (name, path)
    config = next(p for p in files if p.name == "config.json").read_text(encoding="utf-8")
    assert "valuenet:" not in config and "***@127.0.0.1" in config  # the URI is there, masked


def test_no_secret_in_what_the_job_printed(analysed):
    # The job's Python output: valuenet's log lines, MLflow's "View run ... at: <uri>" lines, the
    # year table. (Spark's JVM logs go to the JVM's own stderr; log4j2.properties keeps them quiet.)
    out = analysed["printed"]
    assert "MLflow: experiment 'leaks' at http://127.0.0.1:" in out and "View run year=2020" in out
    for name, value in analysed["secrets"].items():
        assert value not in out, name


def test_the_report_escapes_names_in_html(analysed):
    out = Path(analysed["folder"]) / "report"
    assert report.main(["--warehouse", analysed["warehouse"], "--year", "2020", "--out", str(out)]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in page  # quotes need no escaping in element text
    assert "R&amp;D &lt;Labs&gt; &amp; Co" in page
    assert "<script" not in page and "<Labs>" not in page and "R&D" not in page


def test_a_warehouse_uri_with_credentials_is_tagged_masked():
    """s3a://KEY:SECRET@bucket/... is a valid warehouse; its tag on every run keeps the bucket, not the key."""
    from valuenet.tracking.layout import run_tags

    key, password = secrets.token_hex(8), secrets.token_hex(16)
    tags = run_tags("registry", f"s3a://{key}:{password}@bucket/warehouse", "", {"spark": "4.1"})
    assert tags["valuenet.warehouse"] == "s3a://***@bucket/warehouse"
    assert not any(password in v or key in v for v in tags.values())
