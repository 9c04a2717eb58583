"""The table registry's helpers on real Delta tables."""

from __future__ import annotations

from valuenet import tables


def test_rows_detached_from_a_table_stay_as_read_when_the_table_is_written(spark, tmp_path):
    path = str(tmp_path / "table")
    spark.range(3).write.format("delta").save(path)
    plain = spark.read.format("delta").load(path).cache()
    held = tables.detached(spark.read.format("delta").load(path)).cache()
    assert (plain.count(), held.count()) == (3, 3)
    spark.range(5).write.format("delta").mode("overwrite").save(path)
    # the write re-planned the cached frame that reads the table, not the detached one
    assert (plain.count(), held.count()) == (5, 3)
    plain.unpersist()
    held.unpersist()


def test_creating_a_table_another_job_is_creating_waits_for_it(monkeypatch):
    # what Delta raises while the other job's folder or log exists without a version 0 yet
    import pytest
    from pyspark.errors import AnalysisException

    monkeypatch.setattr(tables.time, "sleep", lambda seconds: None)
    raised = iter(["DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION", "DELTA_TABLE_NOT_FOUND"])
    calls = []

    def create():
        calls.append(1)
        condition = next(raised, None)
        if condition:
            raise AnalysisException(message=condition, errorClass=condition)
        return "created"

    assert tables._once_the_folder_is_a_table(create) == "created" and len(calls) == 3
    with pytest.raises(AnalysisException, match="DELTA_MISSING_DELTA_TABLE"):
        tables._once_the_folder_is_a_table(lambda: (_ for _ in ()).throw(
            AnalysisException(message="DELTA_MISSING_DELTA_TABLE", errorClass="DELTA_MISSING_DELTA_TABLE")))
