"""GraphML (http://graphml.graphdrawing.org/) of one year's network, for igraph, NetworkX and yEd.

Keys: the graph's year and filter; per node its label (name, else id), the static attributes of
`nodes` and that year's node_metrics measures (key id = column name); per edge its weight,
relation types and how many relations it merges (key id = `e_` + name). A null value has no
<data> element. Ids are the registry's ids as they are (GraphML readers take any string).
"""

from __future__ import annotations

from typing import BinaryIO, Iterable

from valuenet.export.gexf import label
from valuenet.export.values import text
from valuenet.export.xmlwriter import XmlWriter

NAMESPACE = "http://graphml.graphdrawing.org/xmlns"
SCHEMA_LOCATION = f"{NAMESPACE} {NAMESPACE}/1.0/graphml.xsd"
EDGE_KEY_PREFIX = "e_"
GRAPH_KEY_PREFIX = "g_"


def write_graphml(out: BinaryIO, *, year: int, filter_text: str, static: list[tuple[str, str]],
                  measures: list[tuple[str, str]], edge_values: list[tuple[str, str]],
                  nodes: Iterable, edges: Iterable, description: str) -> tuple[int, int]:
    """Write one year's graph; returns (nodes, edges) written.

    static / measures / edge_values: (column, GraphML type); nodes and edges: rows of
    frames.node_rows / frames.edge_rows restricted to `year` (one element in `years`).
    """
    xml = XmlWriter(out)
    xml.document()
    xml.start("graphml", {"xmlns": NAMESPACE, "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
                          "xsi:schemaLocation": SCHEMA_LOCATION})
    graph_keys = [("year", "int"), ("filter", "string"), ("description", "string")]
    for name, kind in graph_keys:
        xml.empty("key", {"id": GRAPH_KEY_PREFIX + name, "for": "graph", "attr.name": name, "attr.type": kind})
    for name, kind in [("label", "string"), *static, *measures]:
        xml.empty("key", {"id": name, "for": "node", "attr.name": name, "attr.type": kind})
    for name, kind in edge_values:
        xml.empty("key", {"id": EDGE_KEY_PREFIX + name, "for": "edge", "attr.name": name, "attr.type": kind})
    xml.start("graph", {"id": f"network-{year}", "edgedefault": "directed"})
    for name, value in (("year", year), ("filter", filter_text), ("description", description)):
        xml.leaf("data", text(value), {"key": GRAPH_KEY_PREFIX + name})

    node_count = edge_count = 0
    for row in nodes:
        values = _of_year(row, year)
        xml.start("node", {"id": row["id"]})
        xml.leaf("data", label(row), {"key": "label"})
        for name, _ in static:
            if row[name] is not None:
                xml.leaf("data", text(row[name]), {"key": name})
        for name, _ in measures:
            if values[name] is not None:
                xml.leaf("data", text(values[name]), {"key": name})
        xml.end("node")
        node_count += 1
    for row in edges:
        values = _of_year(row, year)
        xml.start("edge", {"id": f"e{edge_count}", "source": row["source"], "target": row["target"]})
        for name, _ in edge_values:
            if values[name] is not None:
                xml.leaf("data", text(values[name]), {"key": EDGE_KEY_PREFIX + name})
        xml.end("edge")
        edge_count += 1
    xml.end("graph")
    xml.end("graphml")
    xml.close()
    return node_count, edge_count


def _of_year(row, year: int):
    (values,) = [v for v in row["years"] if v["year"] == year]
    return values
