"""Published figure beside measured figure, with the deviation and its tolerance.

Pure pandas: every input is a DataFrame read from the warehouse's Delta tables.
"""

from __future__ import annotations

import pandas as pd

COLUMNS = ["table", "figure", "published", "measured", "deviation", "tolerance", "within"]
CLUSTERING_FLOOR = 0.005


def _row(table, figure, published, measured, kind, tol):
    """kind: exact | relative (tol = fraction) | absolute (tol in the figure's unit) | points (shares)
    | clustering (tol = fraction, never tighter than 0.005: the report prints three decimals)."""
    if measured is None or pd.isna(measured):
        return [table, figure, published, None, None, _tol_text(kind, tol), False]
    deviation = measured - published
    if kind == "exact":
        ok = measured == published
    elif kind == "relative":
        ok = abs(deviation) <= tol * abs(published)
    elif kind == "clustering":
        ok = abs(deviation) <= max(CLUSTERING_FLOOR, tol * abs(published))
    else:
        ok = abs(deviation) <= tol
    return [table, figure, published, measured, deviation, _tol_text(kind, tol), bool(ok)]


def _tol_text(kind, tol):
    return {"exact": "exact", "relative": f"{tol:.0%}", "clustering": f"max({CLUSTERING_FLOOR}, {tol:.0%})",
            "absolute": f"+-{tol}", "points": f"+-{tol * 100:g} pt"}[kind]


def table2(figures: dict, network: pd.DataFrame) -> list[list]:
    cols = figures["value_network_by_year"]["columns"]
    by_year = network.set_index("year")
    rows = []
    for values in figures["value_network_by_year"]["rows"]:
        pub = dict(zip(cols, values))
        year = pub["year"]
        got = by_year.loc[year] if year in by_year.index else None
        get = (lambda k: None if got is None else got[k])
        for key in ("nodes", "sample_nodes", "relation_nodes", "edges"):
            rows.append(_row("Table 2", f"{year} {key}", pub[key], get(key), "exact", 0))
        rows.append(_row("Table 2", f"{year} avg_path_length", pub["avg_path_length"], get("avg_path_length"),
                         "relative", 0.10))
        rows.append(_row("Table 2", f"{year} diameter", pub["diameter"], get("diameter"), "absolute", 3))
        rows.append(_row("Table 2", f"{year} avg_clustering", pub["avg_clustering"], get("avg_clustering"),
                         "clustering", 0.25))
    return rows


def named_degrees(figures: dict, node_metrics: pd.DataFrame, nodes: pd.DataFrame) -> list[list]:
    merged = node_metrics.merge(nodes[["id", "name"]], on="id")
    by_name = merged.drop_duplicates("name").set_index("name")
    rows = []
    for key, table, tol in (("top_sample_nodes", "Table 3", 0.10), ("top_relation_nodes", "Table 4", 0.15)):
        cols = figures[key]["columns"]
        for values in figures[key]["rows"]:
            pub = dict(zip(cols, values))
            got = by_name.loc[pub["name"]] if pub["name"] in by_name.index else None
            for side in ("in_degree", "out_degree"):
                rows.append(_row(table, f"{pub['name']} {side}", pub[side],
                                 None if got is None else int(got[side]), "relative", tol))
    return rows


def geography(figures: dict, flows: pd.DataFrame, shares: pd.DataFrame) -> list[list]:
    rows = []

    def share(dimension, value):
        hit = shares[(shares["dimension"] == dimension) & (shares["value"] == value)]
        return float(hit["share"].iloc[0]) if len(hit) else 0.0

    def flow(level, a, b):
        hit = flows[(flows["level"] == level) & (flows["enabling"] == a) & (flows["receiving"] == b)]
        return float(hit["share"].iloc[0]) if len(hit) else 0.0

    for level, key, table, top in (("province", "province_shares", "Table 7", 10), ("city", "city_shares", "Table 10", 5)):
        for side, dimension in (("enabling", f"{level}_enabling"), ("input", f"{level}_receiving")):
            for name, _, value in figures[key][side][:top]:
                rows.append(_row(table, f"{side} {name}", value, share(dimension, name), "points", 0.015))
    for level, key, table, top in (("province", "province_flows", "Table 8", 10), ("city", "city_flows", "Table 9", 5)):
        for a, b, value in figures[key]["rows"][:top]:
            rows.append(_row(table, f"{a} -> {b}", value, flow(level, a, b), "points", 0.01))
    for key, dimension, label in (("technology_categories", "tech_category", "Section 6.2"),
                                  ("application_fields", "application_field", "Section 6.3")):
        for name, _, value in figures[key][:5]:
            rows.append(_row(label, name, value, share(dimension, name), "points", 0.01))
    industry = shares[shares["dimension"] == "industry"]
    sector = industry["value"].str.split(" / ").str[0]
    for name, value in figures["industries"]["sectors"].items():
        rows.append(_row("Section 6.4", f"sector {name}", value, float(industry[sector == name]["share"].sum()),
                         "points", 0.015))
    return rows


def enterprise_locations(figures: dict, nodes: pd.DataFrame) -> list[list]:
    sample = nodes[nodes["kind"] == "sample"]
    rows = []
    for level in ("provinces", "cities"):
        column = "province" if level == "provinces" else "city"
        counts = sample[column].value_counts(normalize=True)
        for name, value in list(figures["enterprise_location_shares"][level].items())[:5]:
            rows.append(_row("Section 5.2", f"enterprises in {name}", value, float(counts.get(name, 0.0)),
                             "points", 0.015))
    return rows


def platform_network(figures: dict, platform: pd.DataFrame) -> list[list]:
    """Tables 5 and 6 and section 5.2.3 against the network_metrics rows of the platform-network filter."""
    by_year = platform.set_index("year") if len(platform) else pd.DataFrame()

    def get(year, key):
        return None if year not in by_year.index else by_year.loc[year][key]

    table5 = figures["platform_network_2021"]
    rows = [_row("Table 5", f"2021 {key}", table5[key], get(2021, key), "relative", 0.05) for key in ("nodes", "edges")]
    cols = figures["platform_network_by_year"]["columns"]
    for values in figures["platform_network_by_year"]["rows"]:
        pub = dict(zip(cols, values))
        year = pub["year"]
        rows.append(_row("Table 6", f"{year} avg_path_length", pub["avg_path_length"], get(year, "avg_path_length"),
                         "relative", 0.10))
        rows.append(_row("Table 6", f"{year} diameter", pub["diameter"], get(year, "diameter"), "absolute", 2))
        rows.append(_row("Table 6", f"{year} avg_clustering", pub["avg_clustering"], get(year, "avg_clustering"),
                         "relative", 0.25))
    for key, column in (("top_10_percent", "out_degree_top_10pct"), ("top_1_percent", "out_degree_top_1pct"),
                        ("top_0_1_percent", "out_degree_top_0_1pct")):
        rows.append(_row("Section 5.2.3", f"2021 out-degree share of the {key.replace('_', ' ')}",
                         figures["platform_out_degree_concentration"][key], get(2021, column), "points", 0.03))
    return rows


def compare(figures: dict, network: pd.DataFrame, node_metrics: pd.DataFrame, nodes: pd.DataFrame,
            flows: pd.DataFrame, shares: pd.DataFrame, platform: pd.DataFrame) -> pd.DataFrame:
    """Every published figure that valuenet measures, beside the measured one.

    network: the unfiltered network_metrics rows (all years); node_metrics, flows, shares: one year;
    platform: the network_metrics rows of the platform-network filter (empty if never analysed).
    """
    rows = (table2(figures, network) + named_degrees(figures, node_metrics, nodes)
            + geography(figures, flows, shares) + enterprise_locations(figures, nodes)
            + platform_network(figures, platform))
    return pd.DataFrame(rows, columns=COLUMNS)
