"""`valuenet analyze` processes on one warehouse at once: nothing lost, nothing doubled.

Three real separate processes (each with its own Spark) at once, two on the same year and one on
another, on a warehouse freshly ingested with the registry of tests/tracking/test_server.py
(2020: 4 nodes, 2021: 5 nodes) and no output table yet, so they also race to create the output
tables. One round of three instead of two rounds of two: the same races in half the time.
--no-tracking keeps them cheap.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from deltalake import DeltaTable

from tests.conftest import interpreted_args, write_csv
from tests.tracking.test_server import EDGES, NODES
from valuenet import schemas, tables
from valuenet.commands.ingest import ingest
from valuenet.errors import ValuenetError

NODES_PER_YEAR = {2020: 4, 2021: 5}


@pytest.fixture(scope="module")
def warehouse(runtime, tmp_path_factory):
    folder = tmp_path_factory.mktemp("concurrency")
    path = str(folder / "warehouse")
    ingest(runtime.spark, write_csv(folder / "nodes.csv", NODES), write_csv(folder / "edges.csv", EDGES), path)
    return path


def _start(warehouse: str, years: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "valuenet.cli", "analyze", "--warehouse", warehouse,
                             "--years", years, "--no-tracking", "--spark", "spark.driver.memory=1g",
                             *interpreted_args()],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _all(warehouse: str, years: tuple[str, ...]) -> list[tuple[int, str]]:
    """Start one analyze process per entry at once; wait for all; (exit code, stderr) of each."""
    jobs = [_start(warehouse, y) for y in years]
    printed = [job.communicate(timeout=900)[1] for job in jobs]
    return [(job.returncode, err) for job, err in zip(jobs, printed)]


def _what_went_wrong(err: str) -> str:
    """The job's own lines and the exception lines, then the end of what it printed."""
    lines = [line for line in err.splitlines() if "valuenet" in line or "Exception" in line or "Error" in line]
    return "\n".join(lines[:40]) + "\n...\n" + err[-2000:]


def _rows(warehouse: str, table: str, year: int):
    df = DeltaTable(tables.table_path(warehouse, table)).to_pandas()
    return df[(df["year"] == year) & (df["filter"] == "")]


def _one_copy(warehouse: str, year: int) -> None:
    """Every output table holds that year's rows once (no key twice), all with one run_id."""
    for table in tables.OUTPUT_TABLES:
        rows = _rows(warehouse, table, year)
        key = list(schemas.load(table).key)
        # a year analysed alone has no previous year: no movers, no attachment kernel
        assert (len(rows) > 0 or table in ("movers", "attachment")) and not rows.duplicated(subset=key).any(), \
            (table, year)
        assert rows["run_id"].nunique(dropna=False) == (1 if len(rows) else 0), (table, year)
    assert len(_rows(warehouse, "network_metrics", year)) == 1
    assert len(_rows(warehouse, "node_metrics", year)) == NODES_PER_YEAR[year]


@pytest.fixture(scope="module")
def three_jobs(warehouse):
    """Three jobs at once on a warehouse without output tables: two on 2020, one on 2021."""
    assert not Path(tables.table_path(warehouse, "node_metrics")).exists()  # all three will create the tables
    return _all(warehouse, ("2020", "2020", "2021"))


def test_a_job_on_another_year_succeeds_beside_them(warehouse, three_jobs):
    code, err = three_jobs[2]
    assert code == 0, _what_went_wrong(err)
    _one_copy(warehouse, 2021)


def test_two_jobs_on_the_same_year_leave_one_copy(warehouse, three_jobs):
    same_year = three_jobs[:2]
    assert 0 in [code for code, _ in same_year], [_what_went_wrong(err) for _, err in same_year]
    for code, err in same_year:
        if code != 0:  # the loser says so in one line
            errors = [line for line in err.splitlines() if "valuenet:" in line and "another job" in line]
            assert code == 2 and len(errors) == 1 and "Traceback" not in err, _what_went_wrong(err)
    _one_copy(warehouse, 2020)


@pytest.mark.parametrize("conflict", ["io.delta.exceptions.ConcurrentWriteException",
                                      "org.apache.spark.sql.delta.ConcurrentWriteException"])
def test_a_conflict_inside_another_jvm_exception_is_retried_then_named(runtime, conflict):
    """PySpark maps Delta's conflicts to Python classes only when they are the outermost exception
    of the public class; a wrapped one (or the older class) arrives as a bare Py4JJavaError."""
    jvm = runtime.spark.sparkContext._jvm
    inner = jvm
    for part in conflict.split("."):
        inner = getattr(inner, part)
    failing = jvm.scala.util.Failure(jvm.java.lang.RuntimeException("a commit failed", inner("someone else won")))
    attempts = []
    with pytest.raises(ValuenetError, match="another job kept committing to the same table first"):
        tables._retrying(lambda: attempts.append(1) or failing.get(), "t (years 2020)", retries=1)
    assert len(attempts) == 2


def test_any_other_jvm_failure_is_raised_at_once(runtime):
    jvm = runtime.spark.sparkContext._jvm
    failing = jvm.scala.util.Failure(jvm.java.lang.RuntimeException("disk full", jvm.java.io.IOException("no space")))
    attempts = []
    with pytest.raises(Exception, match="disk full") as raised:
        tables._retrying(lambda: attempts.append(1) or failing.get(), "t (years 2020)", retries=3)
    assert len(attempts) == 1 and not isinstance(raised.value, ValuenetError)
