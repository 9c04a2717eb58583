"""Scratch files: intermediate tables written as Parquet under the checkpoint dir and read back,
deleted when their owner is done.

Not localCheckpoint for tables that feed further joins: a checkpoint keeps the size estimate of
the plan it replaced, and Spark estimates an inner join as the product of its sides, so after some
rounds of joins the estimates have millions of digits and planning one round took minutes of
BigInteger arithmetic. Read back from files, a table is estimated by its size on disk, its lineage
is cut (nothing upstream is recomputed or materialised by a later job) and a lost executor loses
nothing.
"""

from __future__ import annotations

import tempfile
import uuid

from pyspark.sql import DataFrame, SparkSession


class Scratch:
    """A folder of its own under the checkpoint dir (shared storage on a cluster)."""

    def __init__(self, spark: SparkSession, purpose: str):
        base = spark.sparkContext.getCheckpointDir() or tempfile.mkdtemp(prefix=f"valuenet-{purpose}-")
        self.spark, self.root, self.written = spark, f"{base.rstrip('/')}/{purpose}-{uuid.uuid4().hex}", 0

    def keep(self, frame: DataFrame) -> DataFrame:
        """frame written once and read back: the same rows, with no lineage."""
        self.written += 1
        path = f"{self.root}/{self.written}"
        frame.write.parquet(path)
        # the schema given: no footer read to infer it
        return self.spark.read.schema(frame.schema).parquet(path)

    def delete(self) -> None:
        """Deletes every file written (frames read from them must be held before)."""
        jvm = self.spark.sparkContext._jvm
        root = jvm.org.apache.hadoop.fs.Path(self.root)
        root.getFileSystem(self.spark.sparkContext._jsc.hadoopConfiguration()).delete(root, True)
