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


MOVEMENTS = ("entry", "exit", "riser", "faller")


def movers(rows: pd.DataFrame, nodes: pd.DataFrame) -> pd.DataFrame:
    """A year's movers (the movers table's rows) with names: entries and exits of the PageRank top
    20, then the biggest risers and fallers, each by this year's rank (exits by last year's)."""
    named = rows.merge(nodes[["id", "name", "org_type"]], on="id", how="left")
    named["order"] = named["movement"].map(MOVEMENTS.index)
    named["by"] = named["pagerank_rank"].where(named["movement"] != "exit", named["previous_pagerank_rank"])
    ranked = named.sort_values(["order", "by", "id"])
    columns = ["movement", "id", "name", "org_type", "previous_pagerank_rank", "pagerank_rank", "change"]
    return ranked[columns].rename(columns={"previous_pagerank_rank": "rank before", "pagerank_rank": "rank"}) \
        .astype({"rank before": "Int64", "rank": "Int64", "change": "Int64"}).reset_index(drop=True)


DYNAMICS_COLUMNS = {"year": "year", "pagerank_spearman": "PageRank rho", "pagerank_kendall": "PageRank tau",
                    "top20_entries": "top-20 in", "top20_exits": "top-20 out",
                    "communities_continued": "continued", "communities_merged": "merged",
                    "communities_split": "split", "communities_born": "born", "communities_died": "died",
                    "max_core": "max core", "innermost_core_nodes": "core nodes",
                    "robustness_pagerank": "robustness (hubs)", "robustness_random": "robustness (random)",
                    "attachment_exponent": "attachment exp.", "attachment_exponent_low": "exp. low",
                    "attachment_exponent_high": "exp. high"}


def dynamics_by_year(year_dynamics: pd.DataFrame) -> pd.DataFrame:
    """The year_dynamics rows, one per year, under short headings (counts as integers, blanks where
    a year had no previous year)."""
    table = year_dynamics.sort_values("year")[list(DYNAMICS_COLUMNS)].rename(columns=DYNAMICS_COLUMNS)
    counts = [DYNAMICS_COLUMNS[c] for c in DYNAMICS_COLUMNS
              if c.startswith(("top20", "communities", "max_core", "innermost")) or c == "year"]
    return table.astype({c: "Int64" for c in counts}).reset_index(drop=True)


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
