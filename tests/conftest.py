"""One real Spark session (local[2], Delta, quiet) for the whole run; temporary warehouses per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def runtime(tmp_path_factory):
    from valuenet.config import load_config
    from valuenet.spark import create_session

    config = load_config()
    checkpoints = tmp_path_factory.mktemp("checkpoints")
    return create_session(config, ["spark.sql.shuffle.partitions=2", "spark.default.parallelism=2",
                                   "spark.driver.memory=2g"],
                          str(checkpoints))


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


def needs_graphframes(runtime):
    if not runtime.has_graphframes:
        pytest.skip("GraphFrames JVM classes are missing (io.graphframes:graphframes-spark4_2.13:0.12.3 "
                    "is not served by Maven Central here; see .jars/RESOLUTION.txt)")


@pytest.fixture(scope="session")
def shared():
    if not SHARED.exists():
        pytest.skip(f"{SHARED} is not present")
    return SHARED


def write_csv(path: Path, text: str) -> str:
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return str(path)


os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "false")
