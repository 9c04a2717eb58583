"""Filters that narrow the registry before a year network is built (DESIGN.md section 3).

`valuenet analyze --filter CLAUSE` (repeatable; clauses combine with AND):

  relation=tech_cooperation[,investment...]   keep relations of these types
  org_type=enterprise[,university...]         keep relations whose two ends both have these org types
  platform                                    keep relations with a platform enterprise at one end
                                              (the platform enterprises and their neighbours)
  platform_network                            the report's platform network (Tables 5 and 6):
                                              platform + relation=tech_cooperation

A filter has one canonical text (clauses sorted, values sorted), written to the `filter`
column of every output table and to the MLflow runs; the unfiltered network's text is "".
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from valuenet import schemas
from valuenet.errors import ConfigError

SHORTHANDS = {"platform_network": ("platform", "relation=tech_cooperation")}


@dataclass(frozen=True)
class NetworkFilter:
    """What to keep of the registry; an empty filter keeps everything."""

    relations: tuple[str, ...] = ()
    org_types: tuple[str, ...] = ()
    platform: bool = False

    @classmethod
    def parse(cls, clauses: list[str] | None) -> "NetworkFilter":
        """['relation=tech_cooperation', 'platform'] -> a NetworkFilter; a clear error for anything else."""
        relations: set[str] = set()
        org_types: set[str] = set()
        platform = False
        pending = list(clauses or [])
        while pending:
            clause = pending.pop(0).strip()
            if clause in SHORTHANDS:
                pending.extend(SHORTHANDS[clause])
            elif clause == "platform":
                platform = True
            elif clause.startswith("relation="):
                relations |= _values(clause, schemas.vocabulary("edges", "relation"))
            elif clause.startswith("org_type="):
                org_types |= _values(clause, schemas.vocabulary("nodes", "org_type"))
            elif clause:
                raise ConfigError(f"--filter {clause!r}: expected relation=TYPE[,TYPE], org_type=TYPE[,TYPE], "
                                  f"platform or {', '.join(SHORTHANDS)}")
        return cls(tuple(sorted(relations)), tuple(sorted(org_types)), platform)

    @property
    def text(self) -> str:
        """The canonical text: '' for no filter, else clauses joined by ';' in a fixed order."""
        parts = []
        if self.org_types:
            parts.append("org_type=" + ",".join(self.org_types))
        if self.platform:
            parts.append("platform")
        if self.relations:
            parts.append("relation=" + ",".join(self.relations))
        return ";".join(parts)

    def __bool__(self) -> bool:
        return bool(self.relations or self.org_types or self.platform)


def filter_options(filter_text: str) -> str:
    """" --filter A --filter B": a canonical filter text as the command-line options that give it."""
    return "".join(f" --filter {clause}" for clause in filter_text.split(";") if clause)


def _values(clause: str, allowed: tuple[str, ...]) -> set[str]:
    name, _, text = clause.partition("=")
    values = {v.strip() for v in text.split(",") if v.strip()}
    unknown = sorted(values - set(allowed))
    if not values or unknown:
        raise ConfigError(f"--filter {clause!r}: {name} must be one or more of {', '.join(allowed)}"
                          + (f" (not {', '.join(unknown)})" if unknown else ""))
    return values


def filter_relations(network_filter: NetworkFilter, nodes: DataFrame, edges: DataFrame) -> DataFrame:
    """The relations (rows of the edges table) the filter keeps; nodes are the nodes table.

    Nodes are not filtered separately: a year network's nodes are the endpoints of its
    relations, so narrowing the relations narrows the nodes.
    """
    kept = edges
    if network_filter.relations:
        kept = kept.where(F.col("relation").isin(*network_filter.relations))
    if network_filter.org_types:
        allowed = nodes.where(F.col("org_type").isin(*network_filter.org_types)).select("id")
        kept = (kept.join(allowed.withColumnRenamed("id", "src"), "src", "left_semi")
                .join(allowed.withColumnRenamed("id", "dst"), "dst", "left_semi"))
    if network_filter.platform:
        platforms = F.broadcast(nodes.where(F.col("is_platform")).select("id"))
        kept = (kept.join(platforms.withColumnRenamed("id", "src"), "src", "left_semi")
                .unionByName(kept.join(platforms.withColumnRenamed("id", "dst"), "dst", "left_semi")
                             .join(platforms.withColumnRenamed("id", "src"), "src", "left_anti")))
    return kept.select(*edges.columns)
