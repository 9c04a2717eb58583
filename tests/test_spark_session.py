"""How the SparkSession is set up for a job."""

from __future__ import annotations

from valuenet.spark import full_jit


def test_the_full_jit_is_for_jobs_reading_at_least_the_threshold():
    config = {"spark": {"full_jit_from_bytes": 100}}
    assert [full_jit(config, size) for size in (None, 0, 99, 100, 10**12)] == [False, False, False, True, True]
    assert full_jit({"spark": {"full_jit_from_bytes": None}}, None)  # null: always


def test_the_suites_session_runs_with_the_full_jit(runtime):
    jvm = runtime.spark.sparkContext._jvm
    arguments = [str(a) for a in jvm.java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()]
    assert not [a for a in arguments if a.startswith("-XX:TieredStopAtLevel=")]
