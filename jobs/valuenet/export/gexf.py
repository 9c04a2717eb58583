"""GEXF 1.3 (http://gexf.net/1.3, Gephi's own format): one dynamic graph for all exported years.

    <graph mode="dynamic" defaultedgetype="directed" timeformat="integer" timerepresentation="interval">

Time is the year; intervals are inclusive ([2020, 2020] is the year 2020). A node's <spells> are
the years it is in the year network, consecutive years merged into one spell; its static
attributes come from `nodes`; each node_metrics measure is a dynamic attribute with one
<attvalue start=Y end=Y> per year. An edge is one ordered pair of the simple year networks, with
its spells and, per year, its weight (the attribute with id `weight`, which Gephi takes as the
dynamic edge weight), its relation types and how many relations it merges.

Attribute ids: a static attribute's id is its column name; a measure's id is `vn_` + its name so
that Gephi's own statistics (which add columns named degree, clustering, ...) do not collide
with it. Titles are always the column names (NetworkX keys attributes by title).
"""

from __future__ import annotations

import datetime as dt
from typing import BinaryIO, Iterable

from valuenet.export.values import text
from valuenet.export.xmlwriter import XmlWriter

NAMESPACE = "http://gexf.net/1.3"
SCHEMA_LOCATION = "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd"
MEASURE_ID_PREFIX = "vn_"


def spells(years: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted years -> inclusive (start, end) runs of consecutive years: 2020, 2021, 2023 ->
    [(2020, 2021), (2023, 2023)]."""
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][1] + 1:
            runs[-1][1] = year
        elif not runs or year > runs[-1][1]:
            runs.append([year, year])
    return [(start, end) for start, end in runs]


def label(row) -> str:
    """A node's label: its name, else its id."""
    name = row["name"] if "name" in row.__fields__ else None
    return name if name and name.strip() else row["id"]


def write_gexf(out: BinaryIO, *, years: list[int], static: list[tuple[str, str]],
               measures: list[tuple[str, str]], edge_values: list[tuple[str, str]],
               nodes: Iterable, edges: Iterable, creator: str, description: str) -> tuple[int, int]:
    """Write the graph; returns (nodes, edges) written.

    static / measures / edge_values: (column, GEXF type). nodes: rows of frames.node_rows (id, the
    static columns, years = [(year, measures...)]); edges: rows of frames.edge_rows (source,
    target, years = [(year, edge values...)]). Both are consumed one row at a time.
    """
    xml = XmlWriter(out)
    xml.document()
    xml.start("gexf", {"xmlns": NAMESPACE, "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
                       "xsi:schemaLocation": SCHEMA_LOCATION, "version": "1.3"})
    xml.start("meta", {"lastmodifieddate": dt.date.today().isoformat()})
    xml.leaf("creator", creator)
    xml.leaf("description", description)
    xml.end("meta")
    xml.start("graph", {"mode": "dynamic", "defaultedgetype": "directed", "timeformat": "integer",
                        "timerepresentation": "interval", "start": years[0], "end": years[-1]})
    _declare(xml, "node", "static", [(name, name, kind) for name, kind in static])
    _declare(xml, "node", "dynamic", [(MEASURE_ID_PREFIX + name, name, kind) for name, kind in measures])
    _declare(xml, "edge", "dynamic", [(name, name, kind) for name, kind in edge_values])

    node_count = edge_count = 0
    xml.start("nodes")
    for row in nodes:
        xml.start("node", {"id": row["id"], "label": label(row)})
        _spells(xml, [y["year"] for y in row["years"]])
        xml.start("attvalues")
        for name, _ in static:
            if row[name] is not None:
                xml.empty("attvalue", {"for": name, "value": text(row[name])})
        _dynamic(xml, row["years"], [(MEASURE_ID_PREFIX + name, name) for name, _ in measures])
        xml.end("attvalues")
        xml.end("node")
        node_count += 1
    xml.end("nodes")

    xml.start("edges")
    for row in edges:
        xml.start("edge", {"id": edge_count, "source": row["source"], "target": row["target"]})
        _spells(xml, [y["year"] for y in row["years"]])
        xml.start("attvalues")
        _dynamic(xml, row["years"], [(name, name) for name, _ in edge_values])
        xml.end("attvalues")
        xml.end("edge")
        edge_count += 1
    xml.end("edges")
    xml.end("graph")
    xml.end("gexf")
    xml.close()
    return node_count, edge_count


def _declare(xml: XmlWriter, element_class: str, mode: str, attributes: list[tuple[str, str, str]]) -> None:
    if not attributes:
        return
    xml.start("attributes", {"class": element_class, "mode": mode})
    for attribute_id, title, kind in attributes:
        xml.empty("attribute", {"id": attribute_id, "title": title, "type": kind})
    xml.end("attributes")


def _spells(xml: XmlWriter, years: list[int]) -> None:
    xml.start("spells")
    for start, end in spells(years):
        xml.empty("spell", {"start": start, "end": end})
    xml.end("spells")


def _dynamic(xml: XmlWriter, per_year: list, attributes: list[tuple[str, str]]) -> None:
    """One attvalue per attribute and year (a null value is left out), attribute by attribute."""
    for attribute_id, column in attributes:
        for values in per_year:
            if values[column] is not None:
                year = values["year"]
                xml.empty("attvalue", {"for": attribute_id, "value": text(values[column]), "start": year, "end": year})
