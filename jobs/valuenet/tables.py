"""The one place that knows the warehouse's table names and paths, and how each is written."""

from __future__ import annotations

import json
import time
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from valuenet import schemas

INPUT_TABLES = ("nodes", "edges", "rejected")
OUTPUT_TABLES = ("node_metrics", "network_metrics", "flows", "shares")


def table_path(warehouse: str, table: str) -> str:
    """Where a table lives in the warehouse."""
    assert table in INPUT_TABLES + OUTPUT_TABLES, table
    return f"{warehouse.rstrip('/')}/{table}"


def checkpoint_path(warehouse: str, config: dict | None = None) -> str:
    """conf spark.checkpoint_dir if set (shared storage on a cluster), else <warehouse>/_checkpoints."""
    configured = (config or {}).get("spark", {}).get("checkpoint_dir")
    return str(configured) if configured else f"{warehouse.rstrip('/')}/_checkpoints"


def exists(spark: SparkSession, warehouse: str, table: str) -> bool:
    from delta.tables import DeltaTable

    return DeltaTable.isDeltaTable(spark, table_path(warehouse, table))


def ensure_table(spark: SparkSession, warehouse: str, table: str) -> None:
    """Create an empty Delta table from its schema file if it does not exist yet."""
    from delta.tables import DeltaTable

    schema = schemas.load(table)
    builder = (DeltaTable.createIfNotExists(spark).location(table_path(warehouse, table))
               .addColumns(schema.struct()).comment(schema.description))
    if schema.partition_by:
        builder = builder.partitionedBy(*schema.partition_by)
    builder.execute()


def version(spark: SparkSession, warehouse: str, table: str) -> int:
    """The current Delta version of a table."""
    from delta.tables import DeltaTable

    return int(DeltaTable.forPath(spark, table_path(warehouse, table)).history(1).collect()[0]["version"])


def read(spark: SparkSession, warehouse: str, table: str, as_of: int | None = None) -> DataFrame:
    """A table, at a given version when `as_of` is set (time travel)."""
    reader = spark.read.format("delta")
    if as_of is not None:
        reader = reader.option("versionAsOf", as_of)
    return reader.load(table_path(warehouse, table))


def replace_years(df: DataFrame, warehouse: str, table: str, years: list[int], filter_text: str = "",
                  retries: int = 3) -> None:
    """Atomically replace these years' rows of an output table for one filter (one Delta commit).

    Each (year, filter) is fully replaced or untouched; other filters' rows of the same years
    stay. Retries on a concurrent-writer conflict, since other years may be written at once.
    """
    from delta.exceptions import ConcurrentAppendException, ConcurrentWriteException

    columns = schemas.load(table).names
    for attempt in range(retries + 1):
        try:
            (df.select(*columns).write.format("delta").mode("overwrite")
             .option("replaceWhere", f"year IN ({', '.join(str(int(y)) for y in years)}) "
                                     f"AND filter = '{filter_text.replace(chr(39), chr(39) * 2)}'")
             .save(table_path(warehouse, table)))
            return
        except (ConcurrentAppendException, ConcurrentWriteException):
            if attempt == retries:
                raise
            time.sleep(1 + attempt)


def upsert(spark: SparkSession, source: DataFrame, warehouse: str, table: str) -> int:
    """MERGE `source` into `table` by the table's key; returns the rows inserted or changed.

    Rows identical to the stored ones are left out first, so re-ingesting the same data
    makes no new table version. `source` must be unique on the key.
    """
    from delta.tables import DeltaTable

    schema = schemas.load(table)
    columns = [f.name for f in schema.struct().fields]
    source = source.select(*columns)
    changed = source.subtract(read(spark, warehouse, table).select(*columns)).cache()
    try:
        count = changed.count()
        if count:
            condition = " AND ".join(f"t.`{k}` <=> s.`{k}`" for k in schema.key)
            (DeltaTable.forPath(spark, table_path(warehouse, table)).alias("t")
             .merge(changed.alias("s"), condition)
             .whenMatchedUpdateAll().whenNotMatchedInsertAll().execute())
        return count
    finally:
        changed.unpersist()


def replace_rejected(spark: SparkSession, source: DataFrame, warehouse: str, files: list[str]) -> int:
    """Make the rejected rows of `files` exactly `source` (one MERGE); returns rows added or changed.

    A re-ingest of the same files with the same outcome makes no new version.
    """
    from delta.tables import DeltaTable
    from pyspark.sql import functions as F

    key = ["source_file", "row_number", "table"]
    compared = key + ["raw", "reason"]
    stored = read(spark, warehouse, "rejected").where(F.col("source_file").isin(*files))
    new_or_changed = source.select(*compared).subtract(stored.select(*compared)).count()
    gone = stored.select(*key).subtract(source.select(*key)).count()
    if new_or_changed or gone:
        quoted = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        (DeltaTable.forPath(spark, table_path(warehouse, "rejected")).alias("t")
         .merge(source.alias("s"), " AND ".join(f"t.`{k}` = s.`{k}`" for k in key))
         .whenMatchedUpdate(condition="t.raw <> s.raw OR t.reason <> s.reason",
                            set={c: f"s.`{c}`" for c in ["raw", "reason", "ingested_at"]})
         .whenNotMatchedInsertAll()
         .whenNotMatchedBySourceDelete(condition=f"t.source_file IN ({quoted})")
         .execute())
    return new_or_changed


def write_source(warehouse: str, source: dict) -> None:
    """Record where the warehouse's data came from (label, files, synthetic or not)."""
    if "://" not in warehouse:
        Path(warehouse).mkdir(parents=True, exist_ok=True)
        (Path(warehouse) / "_source.json").write_text(json.dumps(source, indent=1), encoding="utf-8")


def read_source(warehouse: str) -> dict:
    """What write_source recorded, or {} when unknown."""
    path = Path(warehouse) / "_source.json"
    if "://" in warehouse or not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))
