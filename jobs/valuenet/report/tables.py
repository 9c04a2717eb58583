"""The report's tables from the Delta outputs, read without a JVM (delta-rs): pure pandas functions."""

from __future__ import annotations

import pandas as pd


def top_nodes(node_metrics: pd.DataFrame, nodes: pd.DataFrame, kind: str, n: int = 20) -> pd.DataFrame:
    """Tables 3 (kind=sample) and 4 (kind=relation): the top n by degree, ties by in-degree then id."""
    year_nodes = node_metrics[node_metrics["kind"] == kind].merge(
        nodes[["id", "name", "org_type"]], on="id", how="left")
    ranked = year_nodes.sort_values(["degree", "in_degree", "id"], ascending=[False, False, True]).head(n)
    return ranked[["id", "name", "org_type", "in_degree", "out_degree", "degree", "pagerank"]].reset_index(drop=True)
