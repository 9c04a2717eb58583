"""Ingest: every rule of DESIGN.md section 2 has a row here, nothing is lost, re-ingest changes nothing."""

import json
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyspark.sql import functions as F

from tests.conftest import write_csv
from valuenet import tables
from valuenet.commands.ingest import ingest
from valuenet.errors import InputFileError

NODES = """
id,name,kind,org_type,province,city,founded_year,is_platform
000013,Zero Thirteen,sample,enterprise,Beijing,Beijing,2001,true
b,Bee,relation,university,,,,
c,Sea,relation,,,,,
,No Id,sample,enterprise,,,,
b,Bee again,relation,university,,,,
d,Dee,customer,enterprise,,,,
e,Eee,relation,bank,,,,
f,Eff,sample,enterprise,,,two thousand,
g,Gee,sample,enterprise,,,1999,false,extra

h,"Aitch, Ltd",relation,other,Zhejiang,Hangzhou,,
"""
# line numbers: header 1; 000013 2; b 3; c 4; empty id 5; dup b 6; bad kind 7; bad org_type 8;
# bad founded_year 9; too many fields 10; blank 11 (not a row); h 12

EDGES = """
src,dst,relation,start_year,end_year,tech_category,application_field,industry,weight
000013,b,tech_cooperation,2018,,big data,smart city,finance,
b,c,human_capital,2019,2020,,,,2.5
000013,b,tech_cooperation,2018,,big data,smart city,finance,
,b,investment,2019,,,,,
000013,,investment,2019,,,,,
zz,b,investment,2019,,,,,
000013,d,investment,2019,,,,,
000013,b,friendship,2019,,,,,
000013,b,investment,,,,,,
000013,b,investment,20x9,,,,,
000013,b,investment,2019,later,,,,
000013,b,investment,2019,2018,,,,
000013,b,investment,2019,,,,,0
000013,b,investment,2019,,,,,-1
000013,b,investment,2019,,,,,NaN
000013,b,investment,2019,,,,,abc
000013,b,investment,2019,,,,,1,surplus
000013,b
c,c,tech_cooperation,2020,,,,,
h,000013,tech_cooperation,2021,2021,,,,3
"""

NODE_REASONS = {
    5: "empty id",
    6: "id b already seen on row 3",
    7: "kind 'customer' is not one of",
    8: "org_type 'bank' is not one of",
    9: "founded_year 'two thousand' is not an integer",
    10: "wrong number of fields: 9, expected 8",
}
EDGE_REASONS = {
    5: "empty src",
    6: "empty dst",
    7: "src 'zz' is not a node id",
    8: "dst 'd' is not a node id",
    9: "relation 'friendship' is not one of",
    10: "empty start_year",
    11: "start_year '20x9' is not an integer",
    12: "end_year 'later' is not an integer",
    13: "end_year is before start_year",
    14: "weight '0' is not a finite number > 0",
    15: "weight '-1' is not a finite number > 0",
    16: "weight 'NaN' is not a finite number > 0",
    17: "weight 'abc' is not a finite number > 0",
    18: "wrong number of fields: 10, expected 9",
    19: "wrong number of fields: 2, expected 9",
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("input")
    return write_csv(folder / "nodes.csv", NODES), write_csv(folder / "edges.csv", EDGES)


@pytest.fixture(scope="module")
def shared_warehouse(tmp_path_factory):
    return str(tmp_path_factory.mktemp("ingest") / "warehouse")


@pytest.fixture(scope="module")
def ingested(spark, files, shared_warehouse):
    """One ingest that the read-only tests below look at."""
    nodes, edges = files
    return ingest(spark, nodes, edges, shared_warehouse), nodes, edges


def _rejected(spark, warehouse, table):
    rows = tables.read(spark, warehouse, "rejected").where(F.col("table") == table).collect()
    return {r["row_number"]: r for r in rows}


def test_every_rule_rejects_its_row_with_file_line_and_reason(spark, ingested, shared_warehouse):
    warehouse = shared_warehouse
    _, nodes_path, edges_path = ingested
    for table, expected in (("nodes", NODE_REASONS), ("edges", EDGE_REASONS)):
        rejected = _rejected(spark, warehouse, table)
        assert set(rejected) == set(expected), table
        for line, reason in expected.items():
            assert reason in rejected[line]["reason"], (table, line, rejected[line]["reason"])
            assert rejected[line]["source_file"] == (nodes_path if table == "nodes" else edges_path)
    assert _rejected(spark, warehouse, "nodes")[7]["raw"] == "d,Dee,customer,enterprise,,,,"


def test_accepted_plus_rejected_is_rows_read(ingested):
    counts, nodes_path, edges_path = ingested
    assert counts[nodes_path] == {"read": 10, "accepted": 4, "rejected": 6, "changed": 4}  # blank line 11 is no row
    assert counts[edges_path]["read"] == 20
    assert counts[edges_path]["accepted"] + counts[edges_path]["rejected"] == 20
    assert counts[edges_path]["rejected"] == len(EDGE_REASONS)


def test_ids_stay_strings_and_values_are_typed(spark, ingested, shared_warehouse):
    warehouse = shared_warehouse
    nodes = {r["id"]: r for r in tables.read(spark, warehouse, "nodes").collect()}
    assert set(nodes) == {"000013", "b", "c", "h"}
    assert nodes["000013"]["founded_year"] == 2001 and nodes["000013"]["is_platform"] is True
    assert nodes["h"]["name"] == "Aitch, Ltd" and nodes["c"]["org_type"] is None
    assert nodes["b"]["name"] == "Bee"  # the first occurrence wins


def test_parallel_rows_and_self_loops_are_kept_with_their_own_key(spark, ingested, shared_warehouse):
    warehouse = shared_warehouse
    edges = tables.read(spark, warehouse, "edges").orderBy("src", "dst", "seq").collect()
    parallel = [r for r in edges if (r["src"], r["dst"], r["relation"]) == ("000013", "b", "tech_cooperation")]
    assert [r["seq"] for r in parallel] == [1, 2] and all(r["weight"] == 1.0 for r in parallel)
    assert any(r["src"] == r["dst"] == "c" for r in edges)
    ended = next(r for r in edges if r["src"] == "b")
    assert (ended["end_year"], ended["weight"]) == (2020, 2.5)


@pytest.mark.parametrize("broadcast_ids, join", [(True, "BroadcastHashJoin"), (False, "SortMergeJoin")])
def test_edges_are_checked_alike_with_the_node_ids_broadcast_or_shuffled(spark, files, broadcast_ids, join):
    from valuenet import schemas
    from valuenet.ingest import read, validate

    nodes_path, edges_path = files
    checked_nodes = validate.check_nodes(read.read_raw(spark, nodes_path, schemas.load("nodes")))
    ids = validate.accepted_nodes(checked_nodes).select("id")
    raw_edges = read.read_raw(spark, edges_path, schemas.load("edges"))
    threshold = spark.conf.get("spark.sql.autoBroadcastJoinThreshold")
    spark.conf.set("spark.sql.autoBroadcastJoinThreshold", "-1")  # tiny ids: only the hint may broadcast them
    try:
        checked = validate.check_edges(raw_edges, ids, broadcast_ids=broadcast_ids)
        plan = checked._jdf.queryExecution().executedPlan().toString()
        reasons = {r["row_number"]: r["reason"] for r in checked.where("reason IS NOT NULL").collect()}
    finally:
        spark.conf.set("spark.sql.autoBroadcastJoinThreshold", threshold)
    assert plan.count(join) == 2  # src, then dst
    assert set(reasons) == set(EDGE_REASONS)
    for line, reason in EDGE_REASONS.items():
        assert reason in reasons[line], line


PARALLEL = """
src,dst,relation,start_year,end_year,tech_category,application_field,industry,weight
000013,b,investment,2019,,,,,1
b,c,investment,2019,,,,,2
000013,b,investment,2019,,,,,3
000013,b,investment,2020,,,,,4
000013,b,investment,2019,,,,,5
b,c,investment,2019,,,,,6
"""


@pytest.mark.parametrize("keys_given", [True, False])
def test_parallel_rows_are_numbered_in_file_order_with_or_without_the_repeated_keys(spark, files, tmp_path,
                                                                                   keys_given):
    from valuenet import schemas
    from valuenet.ingest import read, validate

    raw = read.read_raw(spark, write_csv(tmp_path / "edges.csv", PARALLEL), schemas.load("edges"))
    checked = validate.check_edges(raw, spark.createDataFrame([("000013",), ("b",), ("c",)], "id string"))
    repeated = validate.repeated_keys(checked)
    assert repeated.count() == 2  # the hashes of 000013 -> b and b -> c, investment, 2019
    edges = validate.accepted_edges(checked, repeated if keys_given else None)
    # the weights name the file's lines: 1, 3, 5 are one key, 2 and 6 another, 4 alone
    assert {r["weight"]: r["seq"] for r in edges.collect()} == {1: 1, 3: 2, 5: 3, 2: 1, 6: 2, 4: 1}


def test_a_year_is_an_integer_of_ascii_digits_with_a_sign_and_blanks_around_it(spark, tmp_path):
    from valuenet import schemas
    from valuenet.ingest import read, validate

    years = [" 2019 ", "+2019", "2019.0", "1e3", "\u0662\u0660\u0661\u0669", "20 19", "99999999999"]
    lines = ["src,dst,relation,start_year,end_year,tech_category,application_field,industry,weight"]
    lines += [f'a,b,investment,"{year}",,,,,' for year in years]
    raw = read.read_raw(spark, write_csv(tmp_path / "edges.csv", "\n".join(lines)), schemas.load("edges"))
    checked = validate.check_edges(raw, spark.createDataFrame([("a",), ("b",)], "id string"))
    reasons = {r["row_number"]: r["reason"] for r in checked.collect()}
    assert reasons[2] is None and reasons[3] is None  # " 2019 " and "+2019"
    for line in range(4, 9):  # a decimal, an exponent, Arabic-Indic digits, a space inside, beyond 32 bits
        assert reasons[line] == f"start_year '{years[line - 2]}' is not an integer", line
    assert sorted(r["start_year"] for r in validate.accepted_edges(checked).collect()) == [2019, 2019]


def test_reingesting_the_same_files_makes_no_new_version(spark, files, warehouse):
    nodes_path, edges_path = files
    ingest(spark, nodes_path, edges_path, warehouse)
    before = {t: tables.version(spark, warehouse, t) for t in tables.INPUT_TABLES}
    counts = ingest(spark, nodes_path, edges_path, warehouse)
    after = {t: tables.version(spark, warehouse, t) for t in tables.INPUT_TABLES}
    assert after == before
    assert counts[nodes_path]["changed"] == 0 and counts[edges_path]["changed"] == 0
    assert tables.read(spark, warehouse, "rejected").count() == len(NODE_REASONS) + len(EDGE_REASONS)


def test_a_corrected_file_updates_by_key(spark, files, warehouse, tmp_path):
    _, edges_path = files
    nodes_path = write_csv(tmp_path / "nodes.csv", NODES)
    ingest(spark, nodes_path, edges_path, warehouse)
    corrected = NODES.replace("Aitch, Ltd", "Aitch Limited").replace("e,Eee,relation,bank", "e,Eee,relation,other")
    new_nodes = write_csv(tmp_path / "nodes.csv", corrected)
    counts = ingest(spark, new_nodes, edges_path, warehouse)
    assert counts[new_nodes]["changed"] == 2  # h renamed, e now valid
    names = {r["id"]: r["name"] for r in tables.read(spark, warehouse, "nodes").collect()}
    assert names["h"] == "Aitch Limited" and names["e"] == "Eee"
    assert 8 not in _rejected(spark, warehouse, "nodes")  # e's old rejection is gone


def test_parquet_and_json_inputs_are_read_as_strings(spark, warehouse, tmp_path):
    nodes = pa.table({"id": ["000013", "x"], "kind": ["sample", "relation"], "org_type": ["enterprise", "oops"]})
    pq.write_table(nodes, tmp_path / "nodes.parquet")
    (tmp_path / "edges.json").write_text("\n".join(json.dumps(r) for r in [
        {"src": "000013", "dst": "000013", "relation": "investment", "start_year": 2020},
        {"src": "000013", "dst": "x", "relation": "investment", "start_year": "2020"},
    ]) + "\n", encoding="utf-8")
    counts = ingest(spark, str(tmp_path / "nodes.parquet"), str(tmp_path / "edges.json"), warehouse)
    assert counts[str(tmp_path / "nodes.parquet")] == {"read": 2, "accepted": 1, "rejected": 1, "changed": 1}
    rejected = _rejected(spark, warehouse, "edges")
    assert list(rejected) == [2] and "dst 'x' is not a node id" in rejected[2]["reason"]
    assert "org_type 'oops'" in _rejected(spark, warehouse, "nodes")[2]["reason"]


@pytest.mark.parametrize("header, message", [
    ("id,name,kind,org_type,colour", "unknown column(s) colour"),
    ("name,kind,org_type", "missing required column(s) id"),
])
def test_whole_file_problems_stop_before_any_table_is_touched(spark, warehouse, tmp_path, files, header, message):
    _, edges = files
    bad = write_csv(tmp_path / "bad.csv", header + "\n")
    with pytest.raises(InputFileError, match=re.escape(message)) as err:
        ingest(spark, bad, edges, warehouse)
    assert bad in str(err.value)
    assert not tables.exists(spark, warehouse, "nodes")


def test_unknown_file_type_and_missing_file(spark, warehouse, tmp_path, files):
    nodes, edges = files
    with pytest.raises(InputFileError, match="unknown file type .txt"):
        ingest(spark, write_csv(tmp_path / "nodes.txt", "id\n"), edges, warehouse)
    with pytest.raises(InputFileError, match="no such file"):
        ingest(spark, str(tmp_path / "missing.csv"), edges, warehouse)
