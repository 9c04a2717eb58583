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
