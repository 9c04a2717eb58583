"""The one place that knows the warehouse's table names and paths, and how each is written."""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, TypeVar

from pyspark.sql import DataFrame, SparkSession

from valuenet import schemas
from valuenet.errors import ValuenetError

INPUT_TABLES = ("nodes", "edges", "rejected")
# the metrics of each year network, then how each year differs from the one before
OUTPUT_TABLES = ("node_metrics", "network_metrics", "flows", "shares",
                 "year_dynamics", "movers", "community_lineage", "robustness", "attachment")

log = logging.getLogger("valuenet")
T = TypeVar("T")


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
    """Create an empty Delta table from its schema file if it does not exist yet.

    Two jobs starting at once on a new warehouse both try to create it: the one that loses the
    race for version 0 gets a conflict (ProtocolChangedException), and the table the other one
    made is the same table.
    """
    from delta.tables import DeltaTable

    schema = schemas.load(table)
    builder = (DeltaTable.createIfNotExists(spark).location(table_path(warehouse, table))
               .addColumns(schema.struct()).comment(schema.description))
    if schema.partition_by:
        builder = builder.partitionedBy(*schema.partition_by)
    # The retry sees the other job's table (its transaction reads the log afresh; isDeltaTable may
    # still answer from this process's cached, empty snapshot) and leaves it as it is.
    _retrying(lambda: _once_the_folder_is_a_table(builder.execute), f"{table_path(warehouse, table)} (create)")
    _retrying(lambda: _add_new_columns(spark, warehouse, table), f"{table_path(warehouse, table)} (new columns)")


def _add_new_columns(spark: SparkSession, warehouse: str, table: str) -> None:
    """Columns of the schema file that a table made by an earlier version lacks, added (null in
    the rows already written; one commit, none when nothing is missing)."""
    path = table_path(warehouse, table)
    stored = set(spark.read.format("delta").load(path).columns)
    missing = [f for f in schemas.load(table).struct().fields if f.name not in stored]
    if missing:
        added = ", ".join(f"`{f.name}` {f.dataType.simpleString()} COMMENT {_quoted(f.metadata.get('comment', ''))}"
                          for f in missing)
        spark.sql(f"ALTER TABLE delta.`{path}` ADD COLUMNS ({added})")
        log.info("  %s: added the columns %s", path, ", ".join(f.name for f in missing))


# What createIfNotExists raises while another job has made the table's folder but not yet committed
# its version 0: Delta refuses a non-empty location that is not a table, or, once the log folder is
# there, takes the table for existing and finds no version of it.
_TABLE_BEING_CREATED = ("DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION", "DELTA_TABLE_NOT_FOUND")


def _once_the_folder_is_a_table(create, attempts: int = 20) -> None:
    """create(), again while another job is creating the same table (_TABLE_BEING_CREATED)."""
    from pyspark.errors import AnalysisException

    for attempt in range(attempts):
        try:
            return create()
        except AnalysisException as exc:
            if exc.getCondition() not in _TABLE_BEING_CREATED or attempt == attempts - 1:
                raise
            time.sleep(0.5)


def ensure_tables(spark: SparkSession, warehouse: str, names: tuple[str, ...]) -> None:
    """ensure_table for each of these tables, all at once."""
    together(spark, {name: (lambda n=name: ensure_table(spark, warehouse, n)) for name in names})


def together(spark: SparkSession, commits: dict[str, Callable[[], T]]) -> dict[str, T]:
    """Run one Delta commit per table at the same time (threads sharing this session); results by table.

    A commit on a small table is mostly waiting (log reads and writes, job scheduling), so the
    tables' commits overlap well. Each table still ends as it was or fully updated. All commits
    finish before the first failure is raised, so none is left running behind a failed job.
    """
    from pyspark import inheritable_thread_target

    with ThreadPoolExecutor(max_workers=len(commits), thread_name_prefix="commit") as pool:
        # each thread inherits the caller's Spark local properties and tags
        futures = {name: pool.submit(inheritable_thread_target(spark)(commit)) for name, commit in commits.items()}
    # leaving the pool waited for every commit; result() raises the first failure
    return {name: future.result() for name, future in futures.items()}


def _conflicts() -> tuple[type[Exception], ...]:
    """Delta's commit conflicts (they share no base class in Python): another writer committed first."""
    from delta.exceptions import (ConcurrentAppendException, ConcurrentDeleteDeleteException,
                                  ConcurrentDeleteReadException, ConcurrentTransactionException,
                                  ConcurrentWriteException, DeltaConcurrentModificationException,
                                  MetadataChangedException, ProtocolChangedException)

    return (ConcurrentAppendException, ConcurrentDeleteDeleteException, ConcurrentDeleteReadException,
            ConcurrentTransactionException, ConcurrentWriteException, DeltaConcurrentModificationException,
            MetadataChangedException, ProtocolChangedException)


def _is_conflict(exc: BaseException) -> bool:
    """Whether `exc` is Delta's commit conflict, also when it reaches Python wrapped in another
    JVM exception (then PySpark cannot map it and raises the bare Py4JJavaError)."""
    if isinstance(exc, _conflicts()):
        return True
    from py4j.protocol import Py4JError

    names = {kind.__name__ for kind in _conflicts()}
    java = getattr(exc, "java_exception", None) or getattr(exc, "_origin", None)
    try:
        for _ in range(10):  # the cause chain, as far as it goes
            if java is None:
                return False
            if java.getClass().getSimpleName() in names:
                return True
            java = java.getCause()
    except Py4JError:  # the JVM is gone: not a conflict to retry
        return False
    return False


def _retrying(commit: Callable[[], T], what: str, retries: int = 3) -> T:
    """Run `commit` (one Delta transaction), again after a pause if another writer committed first;
    returns what it returned."""
    for attempt in range(retries + 1):
        try:
            return commit()
        except Exception as exc:  # noqa: BLE001 (anything but a conflict is raised as it is)
            if not _is_conflict(exc):
                raise
            if attempt == retries:
                raise ValuenetError(f"{what}: another job kept committing to the same table first "
                                    f"({type(exc).__name__}, {retries + 1} attempts); run this job again "
                                    f"once the other one has finished") from exc
            log.info("  %s: another job committed first (%s); retrying", what, type(exc).__name__)
            time.sleep(1 + attempt)


def stored_input_bytes(warehouse: str) -> int | None:
    """stored_bytes of the input tables an analysis reads (nodes and edges)."""
    return stored_bytes(warehouse, ("nodes", "edges"))


def stored_bytes(warehouse: str, names: tuple[str, ...]) -> int | None:
    """The size of these tables' current data files together, read from their Delta logs without
    a JVM (before the Spark session starts); None for a warehouse that is not a local folder, or
    when one of the tables does not exist yet or cannot be read that way (a hint, never an error)."""
    from deltalake import DeltaTable

    if "://" in warehouse:
        return None
    try:
        actions = [DeltaTable(table_path(warehouse, name)).get_add_actions(flatten=True) for name in names]
    except Exception:  # noqa: BLE001 (no table yet, or a table feature delta-rs does not read)
        return None
    return sum(sum(size for size in action.column("size_bytes").to_pylist() if size) for action in actions)


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


def detached(rows: DataFrame) -> DataFrame:
    """`rows` (read from a table) computed now and held apart from their table (a local checkpoint).

    For rows that feed cached frames of a job that then writes the same table: Spark re-plans
    every cached plan that reads a table when the table is written (Delta's file listing
    included) and refills it when next used, so frames built on the table itself would be planned
    and computed again by the job's own commit. For small rows only: the blocks are held in
    executor memory until the frame is garbage-collected, and a lost executor loses them (the job
    then fails; for large or long-lived tables Scratch files are the way).
    """
    return rows.localCheckpoint(eager=True)


def replace_years(df: DataFrame, warehouse: str, table: str, years: list[int], filter_text: str = "",
                  retries: int = 3) -> None:
    """Atomically replace these years' rows of an output table for one filter (one Delta commit).

    Each (year, filter) is fully replaced or untouched; other filters' rows of the same years
    stay. Retries on a concurrent-writer conflict: writers of other years do not conflict (the
    table is partitioned by year), writers of the same year (another filter, or the same one)
    do, and the retry replaces the year again on top of their commit.
    """
    columns = schemas.load(table).names
    where = f"year IN ({', '.join(str(int(y)) for y in years)}) AND filter = {_quoted(filter_text)}"
    _retrying(lambda: (df.select(*columns).write.format("delta").mode("overwrite").option("replaceWhere", where)
                       .save(table_path(warehouse, table))),
              f"{table_path(warehouse, table)} (years {','.join(map(str, years))})", retries)


def set_run_ids(spark: SparkSession, warehouse: str, table: str, filter_text: str, run_ids: dict[int, str]) -> None:
    """Point the run_id of these years' rows (one filter) at other MLflow runs: one Delta commit.

    Only the rows of those (year, filter) change; the values stay as they are.
    """
    from delta.tables import DeltaTable
    from pyspark.sql import functions as F

    years = sorted(run_ids)
    new_id = F.lit(None).cast("string")
    for year in years:
        new_id = F.when(F.col("year") == year, F.lit(run_ids[year])).otherwise(new_id)
    condition = F.col("year").isin(years) & (F.col("filter") == filter_text)
    _retrying(lambda: DeltaTable.forPath(spark, table_path(warehouse, table)).update(condition, {"run_id": new_id}),
              f"{table_path(warehouse, table)} (run ids)")


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def upsert(spark: SparkSession, source: DataFrame, warehouse: str, table: str) -> int:
    """MERGE `source` into `table` by the table's key; returns the rows inserted or changed.

    Rows identical to the stored ones are left out first, so re-ingesting the same data
    makes no new table version. `source` must be unique on the key. Retried when another job
    commits to the table first.
    """
    return _retrying(lambda: _upsert_once(spark, source, warehouse, table), f"{table_path(warehouse, table)} (merge)")


def _upsert_once(spark: SparkSession, source: DataFrame, warehouse: str, table: str) -> int:
    """One MERGE transaction of upsert."""
    from delta.tables import DeltaTable

    schema = schemas.load(table)
    columns = [f.name for f in schema.struct().fields]
    source = source.select(*columns)
    stored = read(spark, warehouse, table).select(*columns)
    condition = " AND ".join(f"t.`{k}` <=> s.`{k}`" for k in schema.key)

    def merge(rows: DataFrame, insert_only: bool = False) -> int:
        builder = DeltaTable.forPath(spark, table_path(warehouse, table)).alias("t").merge(rows.alias("s"), condition)
        if not insert_only:
            builder = builder.whenMatchedUpdateAll()
        metrics = builder.whenNotMatchedInsertAll().execute().first()
        return metrics["num_updated_rows"] + metrics["num_inserted_rows"]

    # Into an empty table every row is new: comparing would shuffle the whole source for nothing.
    # An insert-only MERGE writes its source in one pass (Delta copies the source of any other
    # MERGE to disk first, then writes it: at scale 100 half the edges' commit). It still reads
    # the table in its transaction: a job committing rows to it after that read makes this
    # commit conflict (and upsert retries, then on a table with rows); rows committed between the
    # check below and that read keep their values where keys meet, the order in which the two
    # jobs' upserts would have left them had this one committed first.
    if not stored.take(1):
        return merge(source, insert_only=True)
    # Else the rows that differ, counted first: none (a re-ingest) means no MERGE, which would
    # still read the whole table to match them.
    changed = source.subtract(stored).cache()
    try:
        return merge(changed) if changed.count() else 0
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
        quoted = ", ".join(_quoted(f) for f in files)
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
