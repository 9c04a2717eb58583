"""Badly encoded and awkward input files: nothing lost, nothing half-written.

Row-level oddities are read as rows, with accepted + rejected = rows read and every rejected
row at its physical line: one ingest of one nodes file and one edges file that carry them all
(a byte-order mark and CRLF, as Excel writes; line breaks inside quoted fields; unbalanced
quotes; a 1 MB name; ids and names in Chinese, Arabic and emoji). Whole-file problems (not
UTF-8, empty, not CSV / Parquet / JSON) stop `valuenet ingest` with one line naming the file
and what to do, exit non-zero, and leave every table at its Delta version.

All ingests run in the session's Spark (an ingest is the expensive part: one for all row cases).
"""

from __future__ import annotations

import re

import pytest
from pyspark.sql import functions as F

from valuenet import tables
from valuenet.commands import ingest as ingest_command
from valuenet.commands.ingest import ingest

HUGE = "名" * 200_000 + 'x, ""y"" ' * 100_000  # about 1.6 MB of UTF-8, with commas and quotes in it
SCRIPTS = {"中关村01": "北京智源人工智能研究院", "شركة٢": "شركة الذكاء الاصطناعي", "🚀x": "Rocket 🚀 Labs"}

NODE_LINES = [
    "\ufeffid,name,kind,org_type,province,city,founded_year,is_platform",  # 1: header behind a BOM
    "a1,Aye,sample,enterprise,Beijing,Beijing,2001,true",                  # 2
    "中关村01,北京智源人工智能研究院,sample,enterprise,北京,海淀,,false",      # 3
    "شركة٢,شركة الذكاء الاصطناعي,relation,investor,,,,",                   # 4
    "🚀x,Rocket 🚀 Labs,relation,other,,,,",                                # 5
    'nl2,"Two',                                                             # 6: a name over lines 6-8,
    "",                                                                     # 7  a blank line inside it
    'and ""a half""",relation,university,,,,',                              # 8
    "зз,Зет,企业,enterprise,,,,",                                           # 9: rejected (kind)
    'big1,"' + HUGE.replace('"', '""') + '",sample,enterprise,,,,',        # 10
    'big2,"' + HUGE.replace('"', '""') + '",nobody,enterprise,,,,',        # 11: rejected (kind)
    "",                                                                     # 12: blank, no row
    "uq1,Three,relation,other,,,,",                                         # 13
    'uq3,"Four ""the"" fourth",relation,other,,,,',                         # 14: balanced quotes
    'uq2,"Two,relation,university,,,,',                                     # 15: the quote never closes
]
NODES = "\r\n".join(NODE_LINES) + "\r\n"  # CRLF throughout
EDGE_LINES = [
    "src,dst,relation,start_year,end_year,tech_category,application_field,industry,weight",  # 1
    'a1,中关村01,tech_cooperation,2019,,"vision,',                           # 2: a category over lines 2-3
    'speech",education,tertiary,1',                                         # 3
    "🚀x,中关村01,investment,2020,,计算机视觉,智慧城市,金融,2.5",             # 4
    "a1,nl9,investment,2019,,,,,1",                                         # 5: rejected (dst)
    'a1,uq3,tech_cooperation,2019,,"vision,,,1',                            # 6: a stray quote that pairs
    "a1,big1,investment,2019,,,,,1",                                        # 7  with the one on line 8:
    'uq3,uq1,"human_capital,2020,,,,,1',                                    # 8  lines 6-8 are one row
    "uq1,a1,investment,2020,,,,,1",                                         # 9
]
EDGES = "\n".join(EDGE_LINES) + "\n"
GOOD_NODES = "id,name,kind,org_type\ng1,Gee,sample,enterprise\ng2,Gee Two,relation,other\n"
GOOD_EDGES = "src,dst,relation,start_year\ng1,g2,investment,2019\n"


def _write(folder, name: str, content: str | bytes) -> str:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(path)


@pytest.fixture(scope="module")
def ingested(spark, tmp_path_factory):
    """One ingest of the awkward files into a fresh warehouse: (counts, nodes path, edges path, warehouse)."""
    folder = tmp_path_factory.mktemp("awkward")
    nodes, edges = _write(folder, "nodes.csv", NODES), _write(folder, "edges.csv", EDGES)
    warehouse = str(folder / "warehouse")
    return ingest(spark, nodes, edges, warehouse), nodes, edges, warehouse


def _nodes(spark, warehouse) -> dict:
    return {r["id"]: r for r in tables.read(spark, warehouse, "nodes").collect()}


def _edges(spark, warehouse) -> dict:
    return {(r["src"], r["dst"]): r for r in tables.read(spark, warehouse, "edges").collect()}


def _rejected(spark, warehouse, path: str) -> dict:
    return {r["row_number"]: r for r in
            tables.read(spark, warehouse, "rejected").where(F.col("source_file") == path).collect()}


def test_accepted_plus_rejected_is_rows_read(ingested):
    counts, nodes, edges, _ = ingested
    # nodes: 11 rows on 15 lines (a row over lines 6-8, a blank line 12); edges: 5 rows on 9 lines
    assert counts[nodes] == {"read": 11, "accepted": 8, "rejected": 3, "changed": 8}
    assert counts[edges] == {"read": 5, "accepted": 3, "rejected": 2, "changed": 3}


def test_a_byte_order_mark_and_crlf_change_no_value(spark, ingested):
    _, _, _, warehouse = ingested
    nodes = _nodes(spark, warehouse)
    assert "a1" in nodes  # the header's first column was recognised as id, not as "\ufeffid"
    # the last column of a CRLF line carries no carriage return: it is still read as a boolean
    assert (nodes["a1"]["is_platform"], nodes["中关村01"]["is_platform"]) == (True, False)
    assert not any("\r" in (r["name"] or "") + (r["kind"] or "") for r in nodes.values())


def test_line_breaks_inside_quoted_fields_keep_later_line_numbers(spark, ingested):
    _, nodes_path, edges_path, warehouse = ingested
    assert _nodes(spark, warehouse)["nl2"]["name"] == 'Two\n\nand "a half"'
    assert _edges(spark, warehouse)[("a1", "中关村01")]["tech_category"] == "vision,\nspeech"
    assert sorted(_rejected(spark, warehouse, nodes_path)) == [9, 11, 15]
    assert sorted(_rejected(spark, warehouse, edges_path)) == [5, 6]


def test_an_unbalanced_quote_rejects_its_row_and_loses_no_other(spark, ingested):
    _, nodes_path, edges_path, warehouse = ingested
    assert {"uq1", "uq3"} <= set(_nodes(spark, warehouse)) and "uq2" not in _nodes(spark, warehouse)
    assert _nodes(spark, warehouse)["uq3"]["name"] == 'Four "the" fourth'
    unclosed = _rejected(spark, warehouse, nodes_path)[15]
    assert unclosed["reason"].startswith("unbalanced quote: a quoted field opened on this line never closes")
    assert unclosed["raw"] == 'uq2,"Two,relation,university,,,,'
    # A stray quote that another stray quote closes swallows the lines between: one rejected row
    # whose reason points at the quote and whose raw text keeps every swallowed line.
    swallowed = _rejected(spark, warehouse, edges_path)[6]
    assert "wrong number of fields" in swallowed["reason"]
    assert "a quoted field runs on to line 8: check for an unbalanced quote" in swallowed["reason"]
    assert swallowed["raw"] == "\n".join(EDGE_LINES[5:8])
    assert ("uq1", "a1") in _edges(spark, warehouse)  # line 9 is read on its own


def test_a_one_megabyte_name_is_kept_whole(spark, ingested):
    _, nodes_path, _, warehouse = ingested
    assert _nodes(spark, warehouse)["big1"]["name"] == HUGE
    rejected = _rejected(spark, warehouse, nodes_path)[11]
    assert rejected["reason"].startswith("kind 'nobody' is not one of") and len(rejected["raw"]) > 1_000_000


def test_ids_and_names_in_other_scripts_are_kept_intact(spark, ingested):
    _, nodes_path, _, warehouse = ingested
    nodes = _nodes(spark, warehouse)
    assert {i: nodes[i]["name"] for i in SCRIPTS} == SCRIPTS
    assert (nodes["中关村01"]["province"], nodes["中关村01"]["city"]) == ("北京", "海淀")
    edge = _edges(spark, warehouse)[("🚀x", "中关村01")]
    assert (edge["tech_category"], edge["application_field"], edge["industry"], edge["weight"]) == \
        ("计算机视觉", "智慧城市", "金融", 2.5)
    assert _rejected(spark, warehouse, nodes_path)[9]["reason"].startswith("kind '企业' is not one of")
    assert _rejected(spark, warehouse, nodes_path)[9]["raw"] == "зз,Зет,企业,enterprise,,,,"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("whole_file")


@pytest.fixture(scope="module")
def warehouse(spark, folder):
    """A warehouse with every input table at some version, which no whole-file problem may move."""
    path = str(folder / "warehouse")
    ingest(spark, _write(folder, "good_nodes.csv", GOOD_NODES), _write(folder, "good_edges.csv", GOOD_EDGES), path)
    return path


WHOLE_FILE_PROBLEMS = {
    "gbk": (("id,name,kind,org_type\nw1,Ok,sample,enterprise\nw2,".encode() + "智源研究院".encode("gbk")
             + b",relation,other\n"), "nodes.csv", r"line 3 is not UTF-8 text; .*iconv -f GBK"),
    "utf-16": ("id,name,kind,org_type\nw4,Ok,sample,enterprise\n".encode("utf-16"), "nodes.csv",
               r"line 1 and \d+ more lines are not UTF-8 text"),
    "empty": (b"", "nodes.csv", "the file is empty or its first line is blank"),
    "a zip named .csv": (b"PK\x03\x04\x14\x00\x00\x00\x08\x00\xb7\x8c\xe3\x56\x00\x00\xff\xfe", "nodes.csv",
                         "line 1 is not UTF-8 text"),
    "gbk json": (('{"id": "j1", "name": "Ok", "kind": "sample", "org_type": "enterprise"}\n{"id": "j2", "name": "'.encode()
                  + "智源研究院".encode("gbk") + b'", "kind": "relation", "org_type": "other"}\n'), "nodes.json",
                 r"line 2 is not UTF-8 text; the file must be UTF-8 JSON lines: .*iconv -f GBK"),
    "text named .parquet": (GOOD_NODES.encode(), "nodes.parquet", "cannot be read as parquet"),
    "a spreadsheet": (b"PK\x03\x04", "nodes.xlsx", r"unknown file type \.xlsx; give a \.csv, \.parquet or \.json"),
}


@pytest.mark.parametrize("case", list(WHOLE_FILE_PROBLEMS))
def test_a_whole_file_problem_stops_ingest_and_touches_no_table(spark, folder, warehouse, case, capsys):
    content, name, message = WHOLE_FILE_PROBLEMS[case]
    bad = _write(folder, f"{case.replace(' ', '_')}_{name}", content)
    before = {t: tables.version(spark, warehouse, t) for t in tables.INPUT_TABLES}
    code = ingest_command.main(["--nodes", bad, "--edges", str(folder / "good_edges.csv"), "--warehouse", warehouse])
    err = capsys.readouterr().err
    assert code == 2
    errors = [line for line in err.splitlines() if bad in line]
    assert len(errors) == 1 and re.search(message, errors[0]), err[-2000:]
    assert {t: tables.version(spark, warehouse, t) for t in tables.INPUT_TABLES} == before
