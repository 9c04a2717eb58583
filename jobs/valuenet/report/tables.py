"""The report's tables from the Delta outputs, read without a JVM (delta-rs): pure pandas functions."""

from __future__ import annotations

import pandas as pd


def top_nodes(node_metrics: pd.DataFrame, nodes: pd.DataFrame, kind: str, n: int = 20) -> pd.DataFrame:
    """Tables 3 (kind=sample) and 4 (kind=relation): the top n by degree, ties by in-degree then id."""
    year_nodes = node_metrics[node_metrics["kind"] == kind].merge(
        nodes[["id", "name", "org_type"]], on="id", how="left")
    ranked = year_nodes.sort_values(["degree", "in_degree", "id"], ascending=[False, False, True]).head(n)
    return ranked[["id", "name", "org_type", "in_degree", "out_degree", "degree", "pagerank"]].reset_index(drop=True)


def top_shares(shares: pd.DataFrame, dimension: str, n: int) -> pd.DataFrame:
    """The n largest values of one shares dimension (Tables 7 and 10, sections 6.2-6.4)."""
    rows = shares[shares["dimension"] == dimension].sort_values(["share", "value"], ascending=[False, True])
    return rows.head(n)[["value", "relations", "share"]].reset_index(drop=True)


def top_flows(flows: pd.DataFrame, level: str, n: int) -> pd.DataFrame:
    """The n largest flows of a level (Tables 8 and 9)."""
    rows = flows[flows["level"] == level].sort_values(["share", "enabling", "receiving"], ascending=[False, True, True])
    return rows.head(n)[["enabling", "receiving", "relations", "share"]].reset_index(drop=True)


def markdown(df: pd.DataFrame, decimals: int = 4) -> str:
    """A GitHub-style Markdown table."""
    def cell(v):
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return ""
        if isinstance(v, float):
            return f"{v:.{decimals}f}"
        return str(v).replace("|", "\\|")
    lines = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)
