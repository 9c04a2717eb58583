"""Reads a raw nodes or edges file (CSV, Parquet or JSON) into raw rows, every value a string.

A raw-rows DataFrame has: source_file, row_number (CSV: physical line, header =
1; Parquet/JSON: 1-based row), n_fields (fields found on the row), raw (the row
as read), and one string column per contract column (null where the file lacks
an optional column). Blank CSV lines are not rows. Whole-file problems raise
InputFileError naming the file and what to do.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from valuenet.errors import InputFileError
from valuenet.schemas import TableSchema

FORMATS = {".csv": "csv", ".parquet": "parquet", ".json": "json", ".jsonl": "json", ".ndjson": "json"}

def file_format(path: str) -> str:
    """csv, parquet or json, from the file's extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputFileError(f"{path}: unknown file type {suffix or '(none)'}; give a .csv, .parquet or .json file")
    return FORMATS[suffix]


def check_header(path: str, header: list[str], schema: TableSchema) -> None:
    """Raise InputFileError if required columns are missing or unknown columns are present."""
    unknown = [c for c in header if c not in schema.names]
    missing = [c for c in schema.required if c not in header]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    problems = []
    if missing:
        problems.append(f"missing required column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
    if duplicated:
        problems.append(f"repeated column(s) {', '.join(duplicated)}")
    if problems:
        raise InputFileError(f"{path}: {'; '.join(problems)}. The {schema.table} columns are: "
                             f"{', '.join(schema.names)} (see schemas/{schema.table}.json)")


def _with_row_numbers(df: DataFrame, start: int) -> DataFrame:
    """Number rows in file order, in the JVM: row index within its split plus the split's offset.

    monotonically_increasing_id() is (split << 33) + index within the split, and a single
    file's splits are in file order; one small job counts the rows of each split.
    """
    tagged = df.select("*", F.spark_partition_id().alias("_split"), F.monotonically_increasing_id().alias("_mono"))
    sizes = sorted((r["_split"], r["n"]) for r in tagged.groupBy("_split").agg(F.count("*").alias("n")).collect())
    offsets, running = [], start
    for split, n in sizes:
        offsets += [F.lit(split), F.lit(running)]
        running += n
    offset = F.element_at(F.create_map(*offsets), F.col("_split")) if offsets else F.lit(start)
    index = F.col("_mono") - F.shiftleft(F.col("_split").cast("long"), 33)
    return tagged.withColumn("row_number", (offset + index).cast("long")).drop("_split", "_mono")


def _read_csv(spark: SparkSession, path: str, schema: TableSchema) -> DataFrame:
    lines = spark.read.option("wholetext", False).text(path)
    first = lines.first()
    if first is None or not first["value"].strip():
        raise InputFileError(f"{path}: the file is empty or its first line is blank; "
                             f"the first line must be the header ({', '.join(schema.names)})")
    header = [h.strip() for h in next(csv.reader([first["value"].lstrip("\ufeff").rstrip("\r")]))]
    check_header(path, header, schema)
    numbered = _with_row_numbers(lines, start=1)
    # Blank lines are not rows; a trailing CR (CRLF files) is not part of the last field.
    rows = (numbered.where((F.col("row_number") > 1) & (F.trim(F.col("value")) != ""))
            .select("row_number", F.regexp_replace("value", "\r$", "").alias("raw")))
    # Spark's CSV parser drops surplus fields silently: count them from the delimiters outside quotes.
    n_fields = F.size(F.split(F.regexp_replace("raw", '"(?:[^"]|"")*"', ""), ",", -1))
    fields = ", ".join(f"`f{i}` string" for i in range(len(header)))
    parsed = F.from_csv("raw", fields, {"escape": '"', "mode": "PERMISSIVE"})
    columns = [(parsed.getField(f"f{header.index(name)}") if name in header else F.lit(None).cast("string")).alias(name)
               for name in schema.names]
    return rows.select(F.lit(path).alias("source_file"), "row_number", n_fields.alias("n_fields"),
                       F.lit(len(header)).alias("expected_fields"), "raw", *columns)


def _read_structured(spark: SparkSession, path: str, fmt: str, schema: TableSchema) -> DataFrame:
    try:
        reader = spark.read.option("primitivesAsString", True) if fmt == "json" else spark.read
        df = reader.format(fmt).load(path)
        header = df.columns
    except Exception as exc:  # Spark's AnalysisException: unreadable or not that format
        raise InputFileError(f"{path}: cannot be read as {fmt} ({str(exc).splitlines()[0][:200]}); "
                             f"check the file or its extension") from None
    if "_corrupt_record" in header:
        raise InputFileError(f"{path}: not valid JSON lines (one object per line); check the file")
    check_header(path, header, schema)
    as_text = df.select([F.col(c).cast("string").alias(c) for c in header])
    numbered = _with_row_numbers(as_text, start=1)
    columns = [(F.col(n) if n in header else F.lit(None).cast("string")).alias(n) for n in schema.names]
    return numbered.select(F.lit(path).alias("source_file"), "row_number", F.lit(len(header)).alias("n_fields"),
                           F.lit(len(header)).alias("expected_fields"),
                           F.to_json(F.struct(*[F.col(c) for c in header])).alias("raw"), *columns)


def read_raw(spark: SparkSession, path: str, schema: TableSchema) -> DataFrame:
    """The raw rows of one input file (see the module docstring)."""
    if "://" not in path and not Path(path).is_file():
        raise InputFileError(f"{path}: no such file")
    fmt = file_format(path)
    if fmt == "csv":
        return _read_csv(spark, path, schema)
    return _read_structured(spark, path, fmt, schema)
