"""A real Spark standalone cluster on 127.0.0.1, from the Spark distribution that pyspark ships.

One master and N workers (one core each), each a `spark-class` child process in its own
process group, logs in the cluster folder. `stop()` kills them all, also after a failure.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from pyspark.find_spark_home import _find_spark_home

from tests.conftest import free_port


class StandaloneCluster:
    def __init__(self, folder: Path, workers: int = 2, cores: int = 1, memory: str = "1g"):
        self.folder, self.workers, self.cores, self.memory = folder, workers, cores, memory
        self.spark_home = Path(_find_spark_home())
        self.port, self.ui_port = free_port(), free_port()
        self.master_url = f"spark://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []

    def _start(self, name: str, *args: str) -> None:
        env = {**os.environ, "SPARK_HOME": str(self.spark_home), "SPARK_LOCAL_IP": "127.0.0.1",
               "SPARK_NO_DAEMONIZE": "1"}
        log = open(self.folder / f"{name}.log", "ab")
        self.processes.append(subprocess.Popen([str(self.spark_home / "bin" / "spark-class"), *args], env=env,
                                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True))

    def alive_workers(self) -> int:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ui_port}/json/", timeout=2) as answer:
            state = json.load(answer)
        return sum(1 for w in state.get("workers", []) if w.get("state") == "ALIVE")

    def start(self, timeout: float = 120.0) -> "StandaloneCluster":
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            return self._start_all(timeout)
        except BaseException:  # an interrupt or error while starting: no master or worker left behind
            self.stop()
            raise

    def _start_all(self, timeout: float) -> "StandaloneCluster":
        self._start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                    "--port", str(self.port), "--webui-port", str(self.ui_port))
        for i in range(self.workers):
            work = self.folder / f"worker{i}"
            work.mkdir(exist_ok=True)
            self._start(f"worker{i}", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                        "--cores", str(self.cores), "--memory", self.memory, "--webui-port", str(free_port()),
                        "--work-dir", str(work), self.master_url)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(p.poll() is not None for p in self.processes):
                break
            try:
                if self.alive_workers() == self.workers:
                    return self
            except (OSError, ValueError):  # not listening yet, or answering before its JSON is ready
                pass
            time.sleep(1)
        logs = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}" for p in self.folder.glob("*.log"))
        raise RuntimeError(f"the standalone cluster did not come up with {self.workers} workers:\n{logs}")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
        self.processes.clear()
