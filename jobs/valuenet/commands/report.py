"""valuenet report: the report's tables for any year of a warehouse (delta-rs reads the tables: no Spark).

Prints them, and with --out writes report.md and report.html (names escaped) with their figures
and logs that folder to the warehouse's newest MLflow analyze run. With --compare each published
figure of the 2023 report stands beside the measured one.
"""

from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path

import pandas as pd
from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

from valuenet import tables
from valuenet.config import load_config, resolve_path
from valuenet.metrics.degree_distribution import compare_lognormal, fit_power_law
from valuenet.errors import NotAnalysed, ValuenetError
from valuenet.report import tables as report_tables
from valuenet.report.compare import compare
from valuenet.published import published
from valuenet.report.year_table import format_year_table
from valuenet.snapshot.network_filter import NetworkFilter
from valuenet.tracking import artifacts
from valuenet.tracking.runs import log_report

SYNTHETIC = "Synthetic sample: every figure is measured on generated data, not the institute's registry."


def parser():
    p = argparse.ArgumentParser(prog="valuenet report", description="The report's tables for a warehouse.")
    p.add_argument("--warehouse", help="warehouse folder (default: conf warehouse)")
    p.add_argument("--year", type=int, help="year of Tables 3-10 (default: the last analysed year)")
    p.add_argument("--compare", action="store_true", help="published figures beside measured ones")
    p.add_argument("--filter", action="append", metavar="CLAUSE",
                   help="the filtered network of Tables 5 and 6, as given to analyze --filter "
                        "(default: platform_network)")
    p.add_argument("--out", help="folder for report.md, report.html and their figures (logged to the "
                                 "newest MLflow analyze run of the warehouse)")
    p.add_argument("--no-tracking", action="store_true", help="do not log the --out folder to MLflow")
    p.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                   help="override conf/valuenet.yaml, e.g. --conf mlflow.experiment=valuenet")
    return p


def _read(warehouse: str, table: str, year: int | None = None, filter_text: str = "") -> pd.DataFrame:
    """The rows of one output table (of one year and filter); NotAnalysed when the table does not exist."""
    try:
        dt = DeltaTable(tables.table_path(warehouse, table))
    except TableNotFoundError as exc:
        raise NotAnalysed(f"{tables.table_path(warehouse, table)}: no such table") from exc
    df = dt.to_pandas(filters=[("year", "=", year)] if year is not None else None)
    return df[df["filter"] == filter_text] if "filter" in df.columns else df


def build(warehouse: str, year: int | None, with_compare: bool,
          platform_filter: NetworkFilter = NetworkFilter.parse(["platform_network"])
          ) -> tuple[list[tuple[str, pd.DataFrame | str]], str, int]:
    """The report's sections as (title, table or text), a one-line summary and the year of Tables 3-10."""
    network = _read(warehouse, "network_metrics").sort_values("year")
    platform = _read(warehouse, "network_metrics", filter_text=platform_filter.text).sort_values("year")
    if network.empty:
        raise NotAnalysed(f"{tables.table_path(warehouse, 'network_metrics')}: no analysed year")
    year = int(year or network["year"].max())
    if year not in set(network["year"]):
        raise NotAnalysed(f"year {year} was not analysed (analysed: {', '.join(map(str, sorted(network['year'])))})")
    per_node, nodes = _read(warehouse, "node_metrics", year), _read(warehouse, "nodes")
    flows, shares = _read(warehouse, "flows", year), _read(warehouse, "shares", year)
    rows = [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in network.to_dict("records")]
    sections: list[tuple[str, pd.DataFrame | str]] = [
        ("Table 2. The value network by year", format_year_table(rows)),
        (f"Table 3. Top 20 sample enterprises by degree, {year}", report_tables.top_nodes(per_node, nodes, "sample")),
        (f"Table 4. Top 20 relation nodes by degree, {year}", report_tables.top_nodes(per_node, nodes, "relation")),
        *_filtered_sections(platform, platform_filter),
        (f"Table 7. Provinces' shares of technology cooperation, enabling side, {year}",
         report_tables.top_shares(shares, "province_enabling", 20)),
        (f"Table 7. Provinces' shares, receiving (input) side, {year}",
         report_tables.top_shares(shares, "province_receiving", 20)),
        (f"Table 8. Top 20 province-to-province technology flows, {year}", report_tables.top_flows(flows, "province", 20)),
        (f"Table 9. Top 10 city-to-city technology flows, {year}", report_tables.top_flows(flows, "city", 10)),
        (f"Table 10. Cities' shares, enabling side, {year}", report_tables.top_shares(shares, "city_enabling", 10)),
        (f"Table 10. Cities' shares, receiving side, {year}", report_tables.top_shares(shares, "city_receiving", 10)),
        (f"Section 6.2. Technology categories, {year}", report_tables.top_shares(shares, "tech_category", 17)),
        (f"Section 6.3. Application fields, {year}", report_tables.top_shares(shares, "application_field", 19)),
        (f"Section 6.4. Industries of the receiving side, {year}", report_tables.top_shares(shares, "industry", 15)),
    ]
    sections += _dynamics_sections(warehouse, year, nodes)
    summary = ""
    if with_compare:
        table = compare(published(), network, per_node, nodes, flows, shares, platform)
        sections.append((f"Published figures beside measured ones ({year} for Tables 3-10)", table))
        summary = f"{int(table['within'].sum())} of {len(table)} published figures are within tolerance"
    return sections, summary, year


def _dynamics_sections(warehouse: str, year: int, nodes: pd.DataFrame) -> list:
    """Year over year: the movers of `year` and the year_dynamics of every year (a warehouse
    analysed before these tables existed says so instead)."""
    try:
        dynamics, moved = _read(warehouse, "year_dynamics"), _read(warehouse, "movers", year)
    except NotAnalysed:
        return [("Year over year", "not analysed yet: run `valuenet analyze` again")]
    if dynamics.empty:
        return [("Year over year", "not analysed yet: run `valuenet analyze` again")]
    movers = (report_tables.movers(moved, nodes) if len(moved) else
              f"no movers: {year - 1} was not analysed with {year}")
    return [(f"Movers, {year}: PageRank top-20 entries and exits, biggest risers and fallers since {year - 1}",
             movers),
            ("Year over year: rank correlation, top-20 turnover, community events, cores, dependence on hubs, "
             "preferential attachment", report_tables.dynamics_by_year(dynamics))]


def figures(warehouse: str, year: int, synthetic: bool) -> list[tuple[str, str, object]]:
    """(file name, caption, matplotlib figure) of the whole network: the degree distribution of `year`
    on log-log axes with its power-law and lognormal fits, its province flow matrix (when it has
    technology flows) and every network metric by year. The same figures as the MLflow runs'."""
    network = _read(warehouse, "network_metrics").sort_values("year")
    degrees = _read(warehouse, "node_metrics", year)["degree"].to_numpy()
    fit = fit_power_law(degrees)
    out = [("degree_distribution.png", f"Degree distribution, {year} (log-log CCDF)",
            artifacts.degree_distribution_figure(degrees, fit, year, synthetic, compare_lognormal(degrees, fit)))]
    flows = _read(warehouse, "flows", year)
    if len(flows):
        out.append(("province_flows.png", f"Technology flows between provinces, {year}",
                    artifacts.flow_matrix_figure(flows, year, synthetic)))
    out.append(("year_trends.png", "Network metrics by year", artifacts.year_trends_figure(network, synthetic)))
    try:
        curves, dynamics = _read(warehouse, "robustness", year), _read(warehouse, "year_dynamics", year)
    except NotAnalysed:
        return out
    if len(curves) and len(dynamics):
        areas = {"pagerank": dynamics["robustness_pagerank"].iloc[0], "random": dynamics["robustness_random"].iloc[0]}
        out.append(("robustness.png", f"Dependence on hubs, {year}",
                    artifacts.robustness_figure(curves, {k: None if pd.isna(v) else float(v) for k, v in areas.items()},
                                                year, synthetic)))
    return out


def _filtered_sections(platform: pd.DataFrame, platform_filter: NetworkFilter) -> list:
    """Tables 5 and 6 (and the out-degree concentration) of the filtered network, if it was analysed."""
    label = f"--filter {platform_filter.text}"
    if platform.empty:
        return [(f"Tables 5 and 6. The filtered network ({label})",
                 f"not analysed yet: valuenet analyze --filter {platform_filter.text}")]
    rows = [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in platform.to_dict("records")]
    last = platform.iloc[-1]
    concentration = pd.DataFrame({
        "year": platform["year"], "top 10 %": platform["out_degree_top_10pct"],
        "top 1 %": platform["out_degree_top_1pct"], "top 0.1 %": platform["out_degree_top_0_1pct"]})
    return [(f"Table 5. The filtered network ({label}), {int(last['year'])}",
             last[["nodes", "sample_nodes", "relation_nodes", "edges", "avg_degree", "diameter", "density",
                   "modularity", "avg_clustering", "avg_path_length"]].to_frame("value").reset_index(names="figure")),
            (f"Table 6. The filtered network ({label}) by year", format_year_table(rows)),
            (f"Section 5.2.3. Share of edges sent by the top nodes by out-degree ({label})", concentration)]


def _text(sections) -> str:
    out = []
    for title, body in sections:
        out += [title, "", body if isinstance(body, str) else body.to_string(index=False), ""]
    return "\n".join(out)


def write(folder: Path, sections, summary: str, synthetic: bool, pictures=()) -> None:
    """report.md and report.html in folder, and the (file name, caption, figure) pictures in
    folder/figures, shown at the end of both pages."""
    folder.mkdir(parents=True, exist_ok=True)
    md = ["# valuenet report", ""] + ([f"*{SYNTHETIC}*", ""] if synthetic else [])
    page = ["<!doctype html><meta charset='utf-8'><title>valuenet report</title>", "<h1>valuenet report</h1>"]
    if synthetic:
        page.append(f"<p><em>{html.escape(SYNTHETIC)}</em></p>")
    for title, body in sections:
        md += [f"## {title}", ""]
        page.append(f"<h2>{html.escape(title)}</h2>")
        if isinstance(body, str):
            md += ["```", body, "```", ""]
            page.append(f"<pre>{html.escape(body)}</pre>")
        else:
            md += [report_tables.markdown(body), ""]
            page.append(body.to_html(index=False, escape=True, na_rep=""))
    if summary:
        md += [f"**{summary}**", ""]
        page.append(f"<p><strong>{html.escape(summary)}</strong></p>")
    if pictures:
        (folder / "figures").mkdir(exist_ok=True)
        md += ["## Figures", ""]
        page.append("<h2>Figures</h2>")
    for name, caption, figure in pictures:
        figure.savefig(folder / "figures" / name, dpi=100)
        artifacts.close(figure)
        md += [f"![{caption}](figures/{name})", ""]
        page.append(f"<figure><img src='figures/{html.escape(name)}' alt='{html.escape(caption)}'>"
                    f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    (folder / "report.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    (folder / "report.html").write_text("\n".join(page) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        config = load_config(args.conf)
        platform_filter = NetworkFilter.parse(args.filter or ["platform_network"])
    except ValuenetError as exc:
        print(exc, file=sys.stderr)
        return 2
    warehouse = resolve_path(args.warehouse or config["warehouse"])
    try:
        sections, summary, year = build(warehouse, args.year, args.compare, platform_filter)
    except NotAnalysed as exc:  # only this: a bug elsewhere in the report is raised as what it is
        print(f"{warehouse}: cannot make the report ({exc}); run `valuenet analyze` first",
              file=sys.stderr)
        return 2
    synthetic = tables.read_source(warehouse).get("synthetic", False)
    if synthetic:
        print(SYNTHETIC + "\n")
    print(_text(sections))
    if summary:
        print(summary)
    if args.out:
        folder = Path(args.out)
        write(folder, sections, summary, synthetic, figures(warehouse, year, synthetic))
        print(f"written: {folder / 'report.md'}, {folder / 'report.html'}, {folder / 'figures'}")
        if not args.no_tracking:
            logged, line = log_report(config, warehouse, folder)
            print(line if logged else f"warning: {line}", file=sys.stdout if logged else sys.stderr)
    return 0
