"""Reads a raw nodes or edges file (CSV, Parquet or JSON) into raw rows, every value a string.

A raw-rows DataFrame has: source_file, row_number (CSV: physical line, header =
1, of the row's first line; Parquet/JSON: 1-based row), last_line (the row's last
line: a quoted CSV field may hold line breaks), read_problem (why the row could not
be read, e.g. an unbalanced quote; null when it could), n_fields (fields found on the
row), raw (the row as read), and one string column per contract column (null where
the file lacks an optional column). Blank CSV lines are not rows. Whole-file problems raise
InputFileError naming the file and what to do.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
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


def _tag(df: DataFrame) -> DataFrame:
    """Each row's split and its position in the file: monotonically_increasing_id() is
    (split << 33) + index within the split, and a single file's splits are in file order."""
    return df.select("*", F.spark_partition_id().alias("_split"), F.monotonically_increasing_id().alias("_mono"))


class _Numbering:
    """Row numbers from the row count of each split (the counts come from one small aggregate)."""

    def __init__(self, split_sizes: list[tuple[int, int]], start: int):
        self.start, self.offsets, running = start, {}, start
        for split, n in sorted(split_sizes):
            self.offsets[split] = running
            running += n

    def of(self, mono: int) -> int:
        """The row number of the row tagged `mono`."""
        split = mono >> 33
        return self.offsets[split] + mono - (split << 33)

    def apply(self, tagged: DataFrame) -> DataFrame:
        """`tagged` (see _tag) with row_number in place of its tags, computed in the JVM."""
        pairs = [F.lit(v) for split, offset in self.offsets.items() for v in (split, offset)]
        offset = F.element_at(F.create_map(*pairs), F.col("_split")) if pairs else F.lit(self.start)
        index = F.col("_mono") - F.shiftleft(F.col("_split").cast("long"), 33)
        return tagged.withColumn("row_number", (offset + index).cast("long")).drop("_split", "_mono")


def _with_row_numbers(df: DataFrame, start: int) -> DataFrame:
    """Number rows in file order, in the JVM: row index within its split plus the split's offset."""
    tagged = _tag(df)
    sizes = [(r["_split"], r["n"]) for r in tagged.groupBy("_split").agg(F.count("*").alias("n")).collect()]
    return _Numbering(sizes, start).apply(tagged)


# The text between a pair of quotes. Removing every such pair left to right removes whole quoted
# fields ("a""b" is the pairs "a" and "b"), leaving only the delimiters outside quotes. No alternation
# inside a repetition: Java's regex engine recurses once per repetition of a group and overflows
# its stack on long fields (a 1 MB name full of "" escapes).
_QUOTED = '"[^"]*"'


def _odd_quotes() -> Column:
    """Whether a line has an odd number of quote characters (it opens or closes a quoted field)."""
    # a literal replace, not a regular expression: this runs on every line of the file. Bytes, not
    # characters: a quote is one byte in UTF-8 (never part of another character's bytes), and
    # counting characters decodes the line twice (the scale-100 edges: 8.5-10.9 s against 3.3-3.8)
    quotes = F.octet_length("value") - F.octet_length(F.replace(F.col("value"), F.lit('"'), F.lit("")))
    return quotes % 2 == 1


def _scan_lines(path: str, lines: DataFrame, kind: str = "CSV") -> tuple[DataFrame, bool]:
    """One pass over a text file's lines: (the lines numbered from 1, whether any line has an odd
    number of quote characters).

    The same pass counts each split's lines (for the numbers) and checks that every line is UTF-8
    text: Spark's text reader keeps the bytes as they are, so a GBK, latin-1, UTF-16 or binary file
    would otherwise be ingested with its names and ids silently turned into replacement characters.
    Such a file raises InputFileError naming its first such line. A NUL byte is valid UTF-8 but no
    CSV or JSON text has one: it is how UTF-16 and binary files show. kind: what the file must be,
    for the message ("CSV", "JSON lines").
    """
    tagged = _tag(lines)
    not_text = ~F.is_valid_utf8("value") | F.col("value").contains("\x00")
    # counts only (no collect_list here): Spark generates code for the aggregate, 1.4 times as fast
    facts = tagged.groupBy("_split").agg(
        F.count("*").alias("n"), F.count(F.when(not_text, 1)).alias("not_text"),
        F.min(F.when(not_text, F.col("_mono"))).alias("first_not_text"),
        F.count(F.when(_odd_quotes(), 1)).alias("odd")).collect()
    numbering = _Numbering([(r["_split"], r["n"]) for r in facts], start=1)
    bad = [r for r in facts if r["not_text"]]
    if bad:
        line, more = min(numbering.of(r["first_not_text"]) for r in bad), sum(r["not_text"] for r in bad) - 1
        which = "is" if not more else f"and {more:,} more lines are"
        how = ("for example iconv -f GBK -t UTF-8 in.csv > out.csv, or save it as 'CSV UTF-8' from a spreadsheet"
               if kind == "CSV" else "for example iconv -f GBK -t UTF-8 in.json > out.json")
        raise InputFileError(f"{path}: line {line} {which} not UTF-8 text; the file must be UTF-8 {kind}: "
                             f"convert it ({how}) and ingest again")
    return numbering.apply(tagged), any(r["odd"] for r in facts)


def _records(spark: SparkSession, numbered: DataFrame, odd: list[int]) -> DataFrame:
    """Physical lines -> CSV records: row_number (first line), last_line, raw, read_problem.

    A quoted field may hold line breaks (RFC 4180): a line with an odd number of quote
    characters (`odd`, their line numbers in order) opens a record that the next such line
    closes. A quote still open at the end of the file is an unbalanced quote: that line alone
    is the record (rejected with that reason) and the lines after it are read as rows of their
    own, so one typo loses nothing. Files without such lines (nearly all) take the plain path.
    """
    plain = numbered.select("row_number", F.col("row_number").alias("last_line"), F.col("value").alias("raw"),
                            F.lit(None).cast("string").alias("read_problem"))
    if not odd:
        return plain
    spans = [(odd[i], odd[i + 1]) for i in range(0, len(odd) - 1, 2)]
    unclosed = [odd[-1]] if len(odd) % 2 else []
    spanned = (spark.createDataFrame(spans or [(0, 0)], "start long, end long").where(F.col("start") > 0)
               .select(F.explode(F.sequence("start", "end")).alias("row_number"), F.col("start").alias("record")))
    joined = numbered.join(spanned, "row_number", "left")
    single = joined.where(F.col("record").isNull()).select(
        "row_number", F.col("row_number").alias("last_line"), F.col("value").alias("raw"),
        F.when(F.col("row_number").isin(*unclosed),
               F.lit("unbalanced quote: a quoted field opened on this line never closes")).alias("read_problem"))
    lines = F.array_sort(F.collect_list(F.struct("row_number", "value")))
    multi = (joined.where(F.col("record").isNotNull()).groupBy("record")
             .agg(F.max("row_number").alias("last_line"),
                  F.array_join(F.transform(lines, lambda line: line["value"]), "\n").alias("raw"))
             .select(F.col("record").alias("row_number"), "last_line", "raw",
                     F.lit(None).cast("string").alias("read_problem")))
    return single.unionByName(multi)


def _read_csv(spark: SparkSession, path: str, schema: TableSchema) -> DataFrame:
    # Hadoop's line reader ends a line at LF, CRLF or CR, so CRLF files need nothing special.
    lines = spark.read.option("wholetext", False).text(path)
    first = lines.first()
    if first is None or not first["value"].strip():
        raise InputFileError(f"{path}: the file is empty or its first line is blank; "
                             f"the first line must be the header ({', '.join(schema.names)})")
    numbered, any_odd = _scan_lines(path, lines)
    # A byte-order mark (Excel's "CSV UTF-8") is not part of the first column's name.
    header = [h.strip() for h in next(csv.reader([first["value"].lstrip("\ufeff").rstrip("\r")]))]
    check_header(path, header, schema)
    body = numbered.where(F.col("row_number") > 1)
    # nearly every file has no such line: no second pass. Sorted here, not by Spark: a global sort
    # would first sample the whole file in a job of its own.
    odd = sorted(r["row_number"] for r in body.where(_odd_quotes()).select("row_number").collect()) if any_odd else []
    records = _records(spark, body, odd)
    # Blank lines are not rows (a line break inside a quoted field is part of its record).
    rows = records.where(F.trim(F.col("raw")) != "")
    fields = ", ".join([f"`f{i}` string" for i in range(len(header))] + ["`_wrong_count` string"])
    parsed = F.from_csv("raw", fields, {"escape": '"', "mode": "PERMISSIVE", "columnNameOfCorruptRecord": "_wrong_count"})
    # Spark's CSV parser drops surplus fields and fills missing ones, but marks such a row: only
    # then are its fields counted, from the delimiters outside quotes (a regex, too slow for every row).
    n_fields = F.when(parsed.getField("_wrong_count").isNotNull(),
                      F.size(F.split(F.regexp_replace("raw", _QUOTED, ""), ",", -1))).otherwise(F.lit(len(header)))
    columns = [(parsed.getField(f"f{header.index(name)}") if name in header else F.lit(None).cast("string")).alias(name)
               for name in schema.names]
    return rows.select(F.lit(path).alias("source_file"), "row_number", "last_line", "read_problem",
                       n_fields.alias("n_fields"), F.lit(len(header)).alias("expected_fields"), "raw", *columns)


def _read_structured(spark: SparkSession, path: str, fmt: str, schema: TableSchema) -> DataFrame:
    if fmt == "json":  # else Spark reports a GBK file as "not valid JSON", not as the encoding it is
        _scan_lines(path, spark.read.text(path), "JSON lines")
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
    return numbered.select(F.lit(path).alias("source_file"), "row_number", F.col("row_number").alias("last_line"),
                           F.lit(None).cast("string").alias("read_problem"), F.lit(len(header)).alias("n_fields"),
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
