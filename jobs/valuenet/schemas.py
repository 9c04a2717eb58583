"""The table schemas of schemas/*.json, loaded once: used to read and validate input and to create tables."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from pyspark.sql import types as T

from valuenet.config import project_root

_SPARK_TYPES = {
    "string": T.StringType(), "int": T.IntegerType(), "long": T.LongType(), "double": T.DoubleType(),
    "boolean": T.BooleanType(), "timestamp": T.TimestampType(), "array<long>": T.ArrayType(T.LongType()),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    enum: tuple[str, ...] | None = None
    description: str = ""


@dataclass(frozen=True)
class TableSchema:
    table: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]          # the input / output contract
    stored_columns: tuple[Column, ...]   # extra columns kept in the Delta table
    partition_by: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns + self.stored_columns if c.name == name)

    def struct(self, extra: tuple[Column, ...] = ()) -> T.StructType:
        """The Spark schema of the stored table (contract columns, then stored columns)."""
        return T.StructType([
            T.StructField(c.name, _SPARK_TYPES[c.type], nullable=not c.required, metadata={"comment": c.description})
            for c in self.columns + self.stored_columns + extra
        ])


def _columns(items: list[dict]) -> tuple[Column, ...]:
    return tuple(Column(name=c["name"], type=c["type"], required=c.get("required", False),
                        enum=tuple(c["enum"]) if "enum" in c else None,
                        description=c.get("description", "")) for c in items)


@lru_cache(maxsize=None)
def load(table: str) -> TableSchema:
    """The schema of `table` (nodes, edges, rejected, node_metrics, network_metrics)."""
    with (project_root() / "schemas" / f"{table}.json").open(encoding="utf-8") as f:
        raw = json.load(f)
    return TableSchema(table=raw["table"], description=raw["description"], key=tuple(raw["key"]),
                       columns=_columns(raw["columns"]), stored_columns=_columns(raw.get("stored_columns", [])),
                       partition_by=tuple(raw.get("partition_by", [])))


def vocabulary(table: str, column: str) -> tuple[str, ...]:
    """The allowed values of an enumerated column, for example vocabulary('edges', 'relation')."""
    values = load(table).column(column).enum
    assert values is not None, f"{table}.{column} has no vocabulary"
    return values
