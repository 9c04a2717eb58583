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

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from valuenet.errors import InputFileError
from valuenet.schemas import TableSchema

FORMATS = {".csv": "csv", ".parquet": "parquet", ".json": "json", ".jsonl": "json", ".ndjson": "json"}

_PARSED = T.StructType([
    T.StructField("row_number", T.LongType()),
    T.StructField("raw", T.StringType()),
    T.StructField("fields", T.ArrayType(T.StringType())),
])


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


def _parse_csv_batches(batches):
    """mapInArrow kernel: split each CSV line into fields with Python's csv module."""
    for batch in batches:
        numbers = batch.column("row_number").to_pylist()
        lines = batch.column("value").to_pylist()
        keep_n, keep_raw, keep_fields = [], [], []
        for number, line in zip(numbers, lines):
            if line is None or not line.strip():
                continue  # blank lines are not rows
            line = line.rstrip("\r")
            keep_n.append(number)
            keep_raw.append(line)
            keep_fields.append(next(csv.reader([line])))
        yield pa.RecordBatch.from_arrays(
            [pa.array(keep_n, pa.int64()), pa.array(keep_raw, pa.string()),
             pa.array(keep_fields, pa.list_(pa.string()))], schema=_PARSED_ARROW)


_PARSED_ARROW = pa.schema([("row_number", pa.int64()), ("raw", pa.string()), ("fields", pa.list_(pa.string()))])


def _with_row_numbers(df: DataFrame, start: int) -> DataFrame:
    """Number rows in file order (zipWithIndex keeps the order of the file's splits)."""
    schema = T.StructType(df.schema.fields + [T.StructField("row_number", T.LongType())])
    return df.rdd.zipWithIndex().map(lambda r: (*r[0], r[1] + start)).toDF(schema)


def _read_csv(spark: SparkSession, path: str, schema: TableSchema) -> DataFrame:
    lines = spark.read.option("wholetext", False).text(path)
    first = lines.first()
    if first is None or not first["value"].strip():
        raise InputFileError(f"{path}: the file is empty or its first line is blank; "
                             f"the first line must be the header ({', '.join(schema.names)})")
    header = [h.strip() for h in next(csv.reader([first["value"].lstrip("\ufeff").rstrip("\r")]))]
    check_header(path, header, schema)
    numbered = _with_row_numbers(lines, start=1).where(F.col("row_number") > 1)
    parsed = numbered.mapInArrow(_parse_csv_batches, _PARSED)
    empty_to_null = lambda c: F.when(F.length(c) == 0, None).otherwise(c)  # noqa: E731
    columns = [
        (empty_to_null(F.try_element_at("fields", F.lit(header.index(name) + 1))) if name in header
         else F.lit(None).cast("string")).alias(name)
        for name in schema.names
    ]
    return parsed.select(F.lit(path).alias("source_file"), "row_number", F.size("fields").alias("n_fields"),
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
