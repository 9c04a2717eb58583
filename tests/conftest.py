"""One real Spark session (local[2], Delta, quiet) for the whole run; temporary warehouses per test."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

# The tests' graphs have a handful of rows, so compiling Java for each new plan (whole-stage
# codegen, then Janino) costs more than running it: interpreted, a warm analyze of a 5-node
# registry takes 6.4 s instead of 9.5 s, a warm ingest 5.5 s instead of 7.5 s. Same
# results by Spark's contract. The suite's session and the jobs it starts to kill or race use it;
# the spark-submit jobs on the standalone cluster keep the profile's codegen, and the cluster test
# compares their tables with this session's.
INTERPRETED = ["spark.sql.codegen.wholeStage=false", "spark.sql.codegen.factoryMode=NO_CODEGEN"]

# the years of the analysed_sample fixture: two small years, every metric runs, year over year too
SAMPLE_YEARS = "2020-2021"


def interpreted_args() -> list[str]:
    """INTERPRETED as the --spark options of a valuenet command."""
    return [arg for setting in INTERPRETED for arg in ("--spark", setting)]


@pytest.fixture(scope="session")
def runtime(tmp_path_factory):
    from valuenet.config import load_config
    from valuenet.spark import create_session

    config = load_config()
    # The whole suite shares this JVM: unlike a short job on small data (C1 only), it gains from
    # the full JIT (a warm 2-year analyze of a tiny graph: 39-50 s -> 29 s).
    config["spark"]["full_jit_from_bytes"] = None
    checkpoints = tmp_path_factory.mktemp("checkpoints")
    return create_session(config, ["spark.sql.shuffle.partitions=2", "spark.default.parallelism=2",
                                   "spark.driver.memory=2g", *INTERPRETED],
                          str(checkpoints))


@pytest.fixture(scope="module", autouse=True)
def release_plans():
    """After each module, collect the Python cycles that keep its DataFrames' JVM plans alive: the
    suite's single JVM (2 GiB) would otherwise fill up with the plans of every test before it."""
    yield
    gc.collect()


@pytest.fixture(scope="session")
def spark(runtime):
    return runtime.spark


@pytest.fixture
def warehouse(tmp_path):
    return str(tmp_path / "warehouse")


@pytest.fixture
def tracking(tmp_path, monkeypatch):
    """A real MLflow sqlite store of this test's own."""
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    return uri


@pytest.fixture
def config():
    from valuenet.config import load_config

    return load_config()


@pytest.fixture(scope="session")
def analysed_sample(runtime, tmp_path_factory):
    """The 0.01 sample (seed 7) ingested and analysed for SAMPLE_YEARS, without tracking, once for
    the suite: {"nodes", "edges": its files, "warehouse"}. Read it or copy it; never change it."""
    from valuenet.commands.analyze import analyze
    from valuenet.commands.ingest import ingest
    from valuenet.commands.sample import write_sample
    from valuenet.config import load_config

    folder = tmp_path_factory.mktemp("analysed_sample")
    nodes, edges = write_sample(str(folder / "files"), 0.01, 7)
    warehouse = str(folder / "warehouse")
    ingest(runtime.spark, str(nodes), str(edges), warehouse)
    analyze(runtime, load_config(), warehouse, SAMPLE_YEARS, tracking=False)
    return {"nodes": str(nodes), "edges": str(edges), "warehouse": warehouse}


@pytest.fixture(scope="session")
def shared():
    if not SHARED.exists():
        pytest.skip(f"{SHARED} is not present")
    return SHARED


def write_csv(path: Path, text: str) -> str:
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return str(path)


os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "false")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MlflowServer:
    """A real `mlflow server` on 127.0.0.1 (sqlite backend, local artifact root) in a child process."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.uri = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self, timeout: float = 90.0) -> "MlflowServer":
        import subprocess
        import sys
        import time
        import urllib.request

        self.folder.mkdir(parents=True, exist_ok=True)
        mlflow_cli = Path(sys.executable).parent / "mlflow"
        self.log = open(self.folder / "server.log", "ab")
        self.process = subprocess.Popen(
            [str(mlflow_cli), "server", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1",
             "--backend-store-uri", f"sqlite:///{self.folder / 'mlflow.db'}",
             "--artifacts-destination", (self.folder / "artifacts").as_uri()],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            # no background job runner (six huey processes valuenet never uses)
            env={**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"})
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mlflow server exited: {(self.folder / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.uri + "/health", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"mlflow server did not answer within {timeout} s")

    def stop(self) -> None:
        import os
        import signal

        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # the server and its workers
            self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory):
    """One server for the modules that only log to it (each in its own experiment): a start is 4-9 s."""
    server = MlflowServer(tmp_path_factory.mktemp("mlflow_server")).start()
    yield server
    server.stop()
