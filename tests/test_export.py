"""`valuenet export`: the analysed years as one dynamic GEXF 1.3 file for Gephi, or one year as GraphML.

The registry (ingested and analysed once, 2020-2022, without tracking), years in brackets:

    a&b  -> q"x   tech_cooperation [2020-], investment [2021-] weight 2: parallel from 2021, weight 1 then 3
    o'k  -> a&b   investment [2020-] weight 5
    <u>  -> a&b   tech_cooperation [2020-2021]
    q"x  -> <u>   human_capital [2021-]
    z    -> a&b   tech_cooperation [2020]
    z    -> q"x   tech_cooperation [2022]          z leaves in 2021 and comes back: two spells
    a&b  -> a&b   tech_cooperation [2020-]         a self-loop: never an edge

Ids carry the characters XML escapes (& " < > '), <u> is named 北京智源 and q"x has no name (its
label is its id). The whole network is analysed for 2020-2022 and the technology-cooperation
network for 2021.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from lxml import etree
from pyspark.sql import functions as F

from tests.conftest import interpreted_args, write_csv
from valuenet import tables
from valuenet.commands import export as export_command
from valuenet.commands.analyze import analyze
from valuenet.commands.export import export
from valuenet.commands.ingest import ingest
from valuenet.config import load_config
from valuenet.errors import ValuenetError
from valuenet.export import frames
from valuenet.snapshot.network_filter import NetworkFilter

GEXF_XSD = Path(__file__).parent / "data" / "gexf-1.3" / "gexf.xsd"
GEXF = "{http://gexf.net/1.3}"

NODES = """
id,name,kind,org_type,province,city,founded_year,is_platform
a&b,A&B <Robotics>,sample,enterprise,Beijing,Beijing,2010,true
"q""x",,sample,enterprise,Shanghai,Shanghai,2015,false
<u>,北京智源,relation,research_institute,北京,北京,,
o'k,O'K Capital,relation,investor,Zhejiang,Hangzhou,,
z,Zed University,relation,university,Beijing,Beijing,,
"""
EDGES = """
src,dst,relation,start_year,end_year,tech_category,application_field,industry,weight
a&b,"q""x",tech_cooperation,2020,,vision,manufacturing,secondary,1
a&b,"q""x",investment,2021,,,,,2
o'k,a&b,investment,2020,,,,,5
<u>,a&b,tech_cooperation,2020,2021,nlp,education,tertiary,1
"q""x",<u>,human_capital,2021,,,,,1
z,a&b,tech_cooperation,2020,2020,vision,education,tertiary,1
z,"q""x",tech_cooperation,2022,2022,speech,education,tertiary,1
a&b,a&b,tech_cooperation,2020,,vision,manufacturing,secondary,1
"""
IDS = {"a&b", 'q"x', "<u>", "o'k", "z"}
TECH, INVESTMENT, HUMAN = "tech_cooperation", "investment", "human_capital"
# (source, target): {year: (weight, relation types)} of the simple year networks
EDGES_BY_YEAR = {
    ("a&b", 'q"x'): {2020: (1.0, [TECH]), 2021: (3.0, [INVESTMENT, TECH]), 2022: (3.0, [INVESTMENT, TECH])},
    ("o'k", "a&b"): {2020: (5.0, [INVESTMENT]), 2021: (5.0, [INVESTMENT]), 2022: (5.0, [INVESTMENT])},
    ("<u>", "a&b"): {2020: (1.0, [TECH]), 2021: (1.0, [TECH])},
    ('q"x', "<u>"): {2021: (1.0, [HUMAN]), 2022: (1.0, [HUMAN])},
    ("z", "a&b"): {2020: (1.0, [TECH])},
    ("z", 'q"x'): {2022: (1.0, [TECH])},
}


@pytest.fixture(scope="module")
def analysed(runtime, tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    warehouse = str(folder / "warehouse")
    ingest(runtime.spark, write_csv(folder / "nodes.csv", NODES), write_csv(folder / "edges.csv", EDGES), warehouse)
    analyze(runtime, load_config(), warehouse, "2020-2022", tracking=False)
    analyze(runtime, load_config(), warehouse, "2021", tracking=False,
            network_filter=NetworkFilter.parse(["relation=tech_cooperation"]))
    return warehouse


@pytest.fixture(scope="module")
def gexf(runtime, analysed, tmp_path_factory):
    """The default export: every analysed year of the whole network."""
    path = tmp_path_factory.mktemp("gexf") / "network.gexf"
    exported = export(runtime, analysed, str(path))
    return {"exported": exported, "path": path, "xml": etree.parse(str(path)),
            "graph": nx.read_gexf(str(path), version="1.3")}


def _node_metrics(spark, warehouse, filter_text=""):
    """{(id, year): row} of node_metrics, and the measure columns."""
    table = tables.read(spark, warehouse, "node_metrics").where(F.col("filter") == filter_text)
    measures = [f.name for f in frames.measure_fields(table)]
    return {(r["id"], r["year"]): r for r in table.collect()}, measures


def _weights(xml) -> dict[tuple, dict[int, float]]:
    """{(source, target): {year: weight}} from the file's dynamic `weight` attvalues (NetworkX's
    reader keeps one weight per edge: it reserves the attribute id `weight` for the static one)."""
    out = {}
    for edge in xml.iter(f"{GEXF}edge"):
        out[(edge.get("source"), edge.get("target"))] = {
            int(a.get("start")): float(a.get("value"))
            for a in edge.iter(f"{GEXF}attvalue") if a.get("for") == "weight"}
    return out


def test_the_file_is_valid_gexf_1_3(gexf):
    schema = etree.XMLSchema(etree.parse(str(GEXF_XSD)))
    schema.assertValid(gexf["xml"])
    # the schema does check: an attvalue without its value is refused
    broken = etree.fromstring(etree.tostring(gexf["xml"]))
    del next(broken.iter(f"{GEXF}attvalue")).attrib["value"]
    assert not schema.validate(broken)


def test_one_dynamic_graph_holds_every_analysed_year(gexf):
    graph = gexf["xml"].getroot().find(f"{GEXF}graph")
    assert {k: graph.get(k) for k in ("mode", "defaultedgetype", "timeformat", "timerepresentation", "start", "end")} \
        == {"mode": "dynamic", "defaultedgetype": "directed", "timeformat": "integer",
            "timerepresentation": "interval", "start": "2020", "end": "2022"}
    exported = gexf["exported"]
    assert (exported.format, exported.years, exported.nodes, exported.edges) == ("gexf", [2020, 2021, 2022], 5, 6)
    assert exported.size == gexf["path"].stat().st_size
    assert "years 2020-2022" in exported.summary() and "5 nodes, 6 edges" in exported.summary()


def test_ids_and_names_survive_escaping(gexf):
    g = gexf["graph"]
    assert set(g.nodes) == IDS
    labels = {n: d["label"] for n, d in g.nodes(data=True)}
    assert labels == {"a&b": "A&B <Robotics>", 'q"x': 'q"x', "<u>": "北京智源", "o'k": "O'K Capital",
                      "z": "Zed University"}
    assert g.nodes["<u>"]["name"] == "北京智源" and g.nodes["<u>"]["province"] == "北京"
    assert "name" not in g.nodes['q"x']  # no name: no value, the label is the id


def test_static_attributes_come_from_nodes(gexf):
    a = gexf["graph"].nodes["a&b"]
    assert (a["kind"], a["org_type"], a["province"], a["city"], a["is_platform"]) == \
        ("sample", "enterprise", "Beijing", "Beijing", True)
    assert gexf["graph"].nodes['q"x']["is_platform"] is False


def test_node_spells_are_the_years_in_the_network(gexf):
    spells = {n: d["spells"] for n, d in gexf["graph"].nodes(data=True)}
    assert spells == {"a&b": [(2020, 2022)], 'q"x': [(2020, 2022)], "<u>": [(2020, 2022)],
                      "o'k": [(2020, 2022)], "z": [(2020, 2020), (2022, 2022)]}


def test_edges_are_the_simple_year_networks(gexf):
    g = gexf["graph"]
    assert isinstance(g, nx.DiGraph) and not g.is_multigraph()  # one edge per ordered pair
    assert set(g.edges) == set(EDGES_BY_YEAR)  # the self-loop a&b -> a&b is not an edge
    for pair, years in EDGES_BY_YEAR.items():
        data = g.edges[pair]
        assert data["spells"] == _runs(sorted(years)), pair
        assert {start: value.split(",") for value, start, end in data["relations"]} == \
            {y: types for y, (_, types) in years.items()}, pair
    assert _weights(gexf["xml"]) == {pair: {y: weight for y, (weight, _) in years.items()}
                                     for pair, years in EDGES_BY_YEAR.items()}
    assert {s: v for v, s, _ in g.edges["a&b", 'q"x']["n_relations"]} == {2020: 1, 2021: 2, 2022: 2}


def _runs(years):
    runs = []
    for y in years:
        if runs and y == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], y)
        else:
            runs.append((y, y))
    return runs


def test_every_measure_is_a_dynamic_value_per_year(spark, analysed, gexf):
    stored, measures = _node_metrics(spark, analysed)
    assert {"in_degree", "out_degree", "degree", "pagerank", "component", "clustering", "community"} <= set(measures)
    g = gexf["graph"]
    for (node, year), row in stored.items():
        for measure in measures:
            values = {start: value for value, start, end in g.nodes[node].get(measure, []) if start == end}
            assert values.get(year) == row[measure], (node, year, measure)
    # years outside a node's spells have no value: z in 2021
    assert {s for _, s, _ in g.nodes["z"]["pagerank"]} == {2020, 2022}
    # and the values are the year's: a&b's in-degree is 3, 2, 1 (o'k, <u>, z; then o'k, <u>; then o'k)
    assert sorted(g.nodes["a&b"]["in_degree"], key=lambda v: v[1]) == \
        [(3, 2020, 2020), (2, 2021, 2021), (1, 2022, 2022)]


def test_graphml_holds_one_year(runtime, spark, analysed, tmp_path):
    path = tmp_path / "network-2021.graphml"
    exported = export(runtime, analysed, str(path), "2021")
    g = nx.read_graphml(str(path))
    assert exported.format == "graphml" and isinstance(g, nx.DiGraph)
    assert g.graph["year"] == 2021
    assert set(g.nodes) == {"a&b", 'q"x', "<u>", "o'k"}  # z is not in 2021's network
    assert set(g.edges) == {pair for pair, years in EDGES_BY_YEAR.items() if 2021 in years}
    assert {pair: (d["weight"], d["relations"]) for pair, d in g.edges.items()} == \
        {pair: (years[2021][0], ",".join(years[2021][1])) for pair, years in EDGES_BY_YEAR.items() if 2021 in years}
    stored, measures = _node_metrics(spark, analysed)
    for node, data in g.nodes(data=True):
        row = stored[(node, 2021)]
        assert {m: data.get(m) for m in measures} == {m: row[m] for m in measures}, node
    assert g.nodes["<u>"]["label"] == "北京智源"


def test_graphml_of_several_years_is_one_line_error(analysed, tmp_path, capsys):
    path = tmp_path / "network.graphml"
    code = export_command.main(["--warehouse", analysed, "--out", str(path), "--years", "2020-2021"])
    printed = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(printed) == 1
    assert "--format graphml holds one year, not 2020-2021" in printed[0]
    # every analysed year by default: three, so the same error, found after reading the table
    code = export_command.main(["--warehouse", analysed, "--out", str(path), *_session_args()])
    assert code == 2 and "not 2020-2022" in capsys.readouterr().err
    assert not path.exists()


def _session_args():
    """--spark options that leave the tests' shared session as conftest made it."""
    return ["--spark", "spark.sql.shuffle.partitions=2", "--spark", "spark.default.parallelism=2",
            *interpreted_args()]


def test_the_command_prints_one_summary_line(analysed, tmp_path, capsys):
    path = tmp_path / "out" / "network.gexf"
    code = export_command.main(["--warehouse", analysed, "--out", str(path), "--years", "2021-2022",
                                *_session_args()])
    printed = capsys.readouterr().out.strip().splitlines()
    assert code == 0 and len(printed) == 1
    assert printed[0].startswith(f"exported {path}: gexf, years 2021-2022, 5 nodes, 5 edges, ")
    assert printed[0].endswith(" s") and "KB" in printed[0]
    assert [p.name for p in path.parent.iterdir()] == ["network.gexf"]  # no temporary file left


def test_top_keeps_the_highest_pagerank_nodes_and_the_edges_among_them(runtime, spark, analysed, gexf, tmp_path):
    path = tmp_path / "top.gexf"
    exported = export(runtime, analysed, str(path), top=2)
    stored, _ = _node_metrics(spark, analysed)
    top = set()
    for year in (2020, 2021, 2022):
        ranked = sorted((-row["pagerank"], node) for (node, y), row in stored.items() if y == year)
        top |= {node for _, node in ranked[:2]}
    assert "a&b" in top and "z" not in top  # the hub everyone points at, and never one of the first two
    g = nx.read_gexf(str(path), version="1.3")
    assert set(g.nodes) == top and exported.nodes == len(top)
    assert set(g.edges) == {(s, t) for s, t in gexf["graph"].edges if s in top and t in top}
    for node in top:  # a kept node keeps all its years and values
        assert g.nodes[node]["spells"] == gexf["graph"].nodes[node]["spells"]
        assert g.nodes[node]["pagerank"] == gexf["graph"].nodes[node]["pagerank"]


def test_filter_exports_the_filtered_network(runtime, spark, analysed, tmp_path):
    path = tmp_path / "tech.gexf"
    exported = export(runtime, analysed, str(path), network_filter=NetworkFilter.parse(["relation=tech_cooperation"]))
    assert exported.years == [2021]  # the years analysed with that filter
    g = nx.read_gexf(str(path), version="1.3")
    # 2021's technology cooperation: a&b -> q"x (not the investment beside it) and <u> -> a&b
    assert set(g.edges) == {("a&b", 'q"x'), ("<u>", "a&b")}
    assert _weights(etree.parse(str(path))) == {("a&b", 'q"x'): {2021: 1.0}, ("<u>", "a&b"): {2021: 1.0}}
    stored, _ = _node_metrics(spark, analysed, "relation=tech_cooperation")
    assert set(g.nodes) == {node for node, _ in stored} == {"a&b", 'q"x', "<u>"}
    assert g.nodes["a&b"]["in_degree"] == [(1, 2021, 2021)]  # in the filtered network, not the whole one


@pytest.mark.parametrize("where, clauses, years, message", [
    ("empty", [], None, r"node_metrics: no such table; run `valuenet analyze --warehouse .*` first"),
    ("analysed", ["platform"], None,
     r"node_metrics: no year analysed with --filter platform; run `valuenet analyze --warehouse .* --filter "
     r"platform` first"),
    ("analysed", [], "2019-2020",
     r"node_metrics: year 2019 not analysed \(analysed: 2020-2022\); run `valuenet analyze --warehouse .* "
     r"--years 2019` first"),
])
def test_what_is_missing_is_one_line_naming_the_table_and_the_command(runtime, analysed, tmp_path, capsys,
                                                                       where, clauses, years, message):
    warehouse = analysed if where == "analysed" else str(tmp_path / "empty")
    path = tmp_path / "network.gexf"
    with pytest.raises(ValuenetError, match=message):
        export(runtime, warehouse, str(path), years, NetworkFilter.parse(clauses))
    argv = ["--warehouse", warehouse, "--out", str(path), *(f"--filter={c}" for c in clauses),
            *(["--years", years] if years else []), *_session_args()]
    assert export_command.main(argv) == 2
    printed = capsys.readouterr().err.strip().splitlines()  # Spark's start-up lines, then the error
    assert [line for line in printed if "node_metrics" in line] == printed[-1:]
    assert not path.exists() and list(tmp_path.glob(".*.part")) == []


def test_a_failed_export_leaves_no_file_and_keeps_the_old_one(runtime, analysed, tmp_path, monkeypatch):
    path = tmp_path / "network.gexf"
    path.write_text("the export of yesterday", encoding="utf-8")
    real = frames.edge_rows
    # the nodes are written, then Spark fails while the edges are read
    monkeypatch.setattr(frames, "edge_rows",
                        lambda relations: real(relations).withColumn("boom", F.raise_error(F.lit("disk on fire"))))
    with pytest.raises(Exception, match="disk on fire"):
        export(runtime, analysed, str(path))
    assert path.read_text(encoding="utf-8") == "the export of yesterday"
    assert [p.name for p in tmp_path.iterdir()] == ["network.gexf"]


def test_spells_merge_consecutive_years_only():
    from valuenet.export.gexf import spells

    assert spells([2014, 2015, 2016, 2018, 2021, 2022]) == [(2014, 2016), (2018, 2018), (2021, 2022)]
    assert spells([2022]) == [(2022, 2022)]


def test_characters_xml_cannot_hold_are_replaced(tmp_path):
    """A registry export may carry control characters (an Excel \\x1a, a NUL); XML 1.0 cannot hold
    them even escaped, so they become U+FFFD and the file stays valid."""
    import io

    from pyspark.sql import Row

    from valuenet.export.gexf import write_gexf

    nodes = [Row(id="n\x001", name="bad\x1aname\nsecond line", years=[Row(year=2020, pagerank=float("nan"))])]
    edges = [Row(source="n\x001", target="n\x001", years=[Row(year=2020, weight=float("inf"))])]
    out = io.BytesIO()
    write_gexf(out, years=[2020], static=[("name", "string")], measures=[("pagerank", "double")],
               edge_values=[("weight", "double")], nodes=iter(nodes), edges=iter(edges), creator="test",
               description="control characters")
    document = etree.fromstring(out.getvalue())
    etree.XMLSchema(etree.parse(str(GEXF_XSD))).assertValid(document)
    node = next(document.iter(f"{GEXF}node"))
    assert (node.get("id"), node.get("label")) == ("n\ufffd1", "bad\ufffdname\nsecond line")
    assert [a.get("value") for a in document.iter(f"{GEXF}attvalue")] == ["bad\ufffdname\nsecond line", "NaN",
                                                                           "Infinity"]
