"""--filter: parsing, which relations each clause keeps, and filtered rows living beside unfiltered ones."""

import pytest

from tests.conftest import write_csv
from valuenet import tables
from valuenet.commands.analyze import analyze
from valuenet.commands.ingest import ingest
from valuenet.errors import ConfigError
from valuenet.snapshot.network_filter import NetworkFilter, filter_relations

# p is the only platform enterprise. Relations (all 2020):
#   p->a tech, a->p investment, a->u tech, u->g tech, p->u human capital, g->a tech
NODES = """
id,name,kind,org_type,province,city,founded_year,is_platform
p,Platform,sample,enterprise,Beijing,Beijing,2001,true
a,Aye,sample,enterprise,Beijing,Beijing,2002,false
u,Uni,relation,university,Beijing,Beijing,,
g,Gov,relation,government,Shanghai,Shanghai,,
"""
EDGES = """
src,dst,relation,start_year,end_year,tech_category,application_field,industry,weight
p,a,tech_cooperation,2020,,vision,manufacturing,secondary,1
a,p,investment,2020,,,,,1
a,u,tech_cooperation,2020,,vision,education,tertiary,1
u,g,tech_cooperation,2020,,nlp,government,tertiary,1
p,u,human_capital,2020,,,,,1
g,a,tech_cooperation,2020,,speech,finance,tertiary,1
"""


def test_clauses_have_one_canonical_text():
    assert NetworkFilter.parse(None).text == "" and not NetworkFilter.parse([])
    assert NetworkFilter.parse(["platform_network"]).text == "platform;relation=tech_cooperation"
    assert NetworkFilter.parse(["relation=tech_cooperation", "platform"]) == NetworkFilter.parse(["platform_network"])
    assert (NetworkFilter.parse(["org_type=university,enterprise", "relation=investment,human_capital"]).text
            == "org_type=enterprise,university;relation=human_capital,investment")


@pytest.mark.parametrize("clause, message", [
    ("relation=friendship", "relation must be one or more of tech_cooperation, human_capital, investment "
                            "(not friendship)"),
    ("org_type=", "org_type must be one or more of"),
    ("platforms", "expected relation=TYPE[,TYPE], org_type=TYPE[,TYPE], platform or platform_network"),
])
def test_bad_clauses_are_clear_errors(clause, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")
                       .replace(")", r"\)")):
        NetworkFilter.parse([clause])


@pytest.fixture(scope="module")
def registry(runtime, tmp_path_factory):
    folder = tmp_path_factory.mktemp("filter")
    warehouse = str(folder / "warehouse")
    ingest(runtime.spark, write_csv(folder / "nodes.csv", NODES), write_csv(folder / "edges.csv", EDGES),
           warehouse)
    return warehouse


def _kept(spark, warehouse, clauses):
    nodes, edges = tables.read(spark, warehouse, "nodes"), tables.read(spark, warehouse, "edges")
    return sorted((r["src"], r["dst"]) for r in filter_relations(NetworkFilter.parse(clauses), nodes, edges)
                  .collect())


@pytest.mark.parametrize("clauses, kept", [
    ([], [("a", "p"), ("a", "u"), ("g", "a"), ("p", "a"), ("p", "u"), ("u", "g")]),
    (["relation=tech_cooperation"], [("a", "u"), ("g", "a"), ("p", "a"), ("u", "g")]),
    (["platform"], [("a", "p"), ("p", "a"), ("p", "u")]),  # relations touching p, each once
    (["platform_network"], [("p", "a")]),
    (["org_type=enterprise,university"], [("a", "p"), ("a", "u"), ("p", "a"), ("p", "u")]),
])
def test_each_clause_keeps_the_relations_it_says(spark, registry, clauses, kept):
    assert _kept(spark, registry, clauses) == kept


def test_filtered_rows_live_beside_the_unfiltered_ones(runtime, config, registry):
    spark = runtime.spark
    tech = "filter = 'relation=tech_cooperation'"
    rows = analyze(runtime, config, registry, None, tracking=False,
                   network_filter=NetworkFilter.parse(["relation=tech_cooperation"]))
    assert [(r["filter"], r["nodes"], r["edges"]) for r in rows] == [("relation=tech_cooperation", 4, 4)]
    filtered = sorted(tables.read(spark, registry, "node_metrics").where(tech).drop("run_id").collect())
    assert {(r["id"], r["in_degree"], r["out_degree"]) for r in filtered} == \
        {("p", 0, 1), ("a", 2, 1), ("u", 1, 1), ("g", 1, 1)}
    # the whole network's year, written into the same year partition, leaves the filtered rows as they were
    analyze(runtime, config, registry, None, tracking=False)
    stored = {(r["filter"], r["edges"]) for r in tables.read(spark, registry, "network_metrics").collect()}
    assert stored == {("", 6), ("relation=tech_cooperation", 4)}
    counts = tables.read(spark, registry, "node_metrics").groupBy("filter").count().collect()
    assert {r["filter"]: r["count"] for r in counts} == {"": 4, "relation=tech_cooperation": 4}
    assert sorted(tables.read(spark, registry, "node_metrics").where(tech).drop("run_id").collect()) == filtered
