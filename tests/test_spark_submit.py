"""The jobs under spark-submit with the local profile, as a data engineer starts them.

Ingest and analyze end to end under spark-submit run in tests/cluster (a real standalone
cluster, tables compared with local mode); here the local profile file and the exit code."""

import os
import subprocess
import sys
from pathlib import Path

from valuenet.config import load_config, project_root
from valuenet.jars import jars_dir, local_jars


def _submit(job: str, *args: str) -> subprocess.CompletedProcess:
    root = project_root()
    jars = ",".join(str(j) for j in local_jars(jars_dir(load_config())))
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    command = [str(Path(sys.executable).parent / "spark-submit"),
               "--properties-file", str(root / "conf" / "spark-defaults.local.conf"),
               "--conf", "spark.driver.memory=1g", "--conf", "spark.sql.shuffle.partitions=2",
               "--driver-java-options", f"-Dlog4j2.configurationFile=file:{root / 'conf' / 'log4j2.properties'}",
               "--jars", jars, str(root / "jobs" / f"{job}.py"), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)


def test_a_bad_argument_exits_non_zero_with_one_clear_line(tmp_path):
    result = _submit("analyze", "--warehouse", str(tmp_path / "empty"), "--no-tracking")
    assert result.returncode == 2
    output = result.stdout + result.stderr  # pyspark routes the driver's logging to either
    assert "no such table; run `valuenet ingest` first" in output
    assert "Traceback" not in output
