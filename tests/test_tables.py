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


def test_stored_bytes_count_the_current_files_of_the_tables(spark, tmp_path):
    import os
    from urllib.parse import urlparse

    warehouse = str(tmp_path / "warehouse")
    spark.range(1000).selectExpr("CAST(id AS STRING) AS id").write.format("delta").save(f"{warehouse}/nodes")
    spark.range(50).write.format("delta").save(f"{warehouse}/edges")
    spark.range(70).write.format("delta").mode("overwrite").save(f"{warehouse}/edges")  # v0's file stays on disk
    current = sum(os.path.getsize(urlparse(f).path)
                  for t in ("nodes", "edges") for f in spark.read.format("delta").load(f"{warehouse}/{t}").inputFiles())
    on_disk = sum(os.path.getsize(os.path.join(d, f)) for t in ("nodes", "edges")
                  for d, _, files in os.walk(f"{warehouse}/{t}") for f in files if f.endswith(".parquet"))
    assert tables.stored_bytes(warehouse, ("nodes", "edges")) == current < on_disk
    assert tables.stored_bytes(warehouse, ("nodes", "rejected")) is None  # no such table yet
    broken = tmp_path / "warehouse" / "rejected" / "_delta_log"
    broken.mkdir(parents=True)
    (broken / f"{0:020d}.json").write_text("not a Delta log\n")
    assert tables.stored_bytes(warehouse, ("nodes", "rejected")) is None  # unreadable: not known
    assert tables.stored_bytes("s3a://bucket/warehouse", ("nodes",)) is None


def test_rows_committed_between_the_empty_check_and_the_merge_are_kept_once(spark, tmp_path, monkeypatch):
    """Another job fills the table after upsert saw it empty, before its MERGE reads it: each key
    once, the other job's values where keys meet (as if this upsert had committed first), no row lost."""
    from delta.tables import DeltaTable
    from pyspark.sql import functions as F

    warehouse = str(tmp_path / "warehouse")
    tables.ensure_table(spark, warehouse, "nodes")

    def rows(ids, name):
        given = {"id": F.col("id"), "name": F.lit(name), "kind": F.lit("sample")}
        return spark.createDataFrame([(i,) for i in ids], "id string").select(
            *[given.get(f.name, F.lit(None)).cast(f.dataType).alias(f.name)
              for f in tables.read(spark, warehouse, "nodes").schema.fields])

    empty = tables.read(spark, warehouse, "nodes")
    real_read = tables.read

    def read_then_other_job_commits(*args, **kwargs):
        monkeypatch.setattr(tables, "read", real_read)  # what upsert saw: the table still empty
        DeltaTable.forPath(spark, tables.table_path(warehouse, "nodes")).alias("t").merge(
            theirs.alias("s"), "t.id = s.id").whenNotMatchedInsertAll().execute()
        return empty.limit(0)

    ours, theirs = rows(["a", "b"], "ours"), rows(["b", "c"], "other")
    monkeypatch.setattr(tables, "read", read_then_other_job_commits)
    assert tables.upsert(spark, ours, warehouse, "nodes") == 1  # a only
    stored = {r["id"]: r["name"] for r in real_read(spark, warehouse, "nodes").collect()}
    assert stored == {"a": "ours", "b": "other", "c": "other"}
    assert real_read(spark, warehouse, "nodes").count() == 3
