"""The year runs' artifact frames come from all the years at once, and each year gets only its own rows.

Hand-made: in 2020, nothing; in 2021, 25 nodes n00..n24 where n_k has degree k // 2 (so pairs tie); in 2022, two
nodes. The top 20 by degree of 2021 is n24 (12), n22, n23 (11, ties by id), n20, n21 (10), ..., n06, n07
(3), n04 (2): n05 has the degree of n04 and comes after it, 21st.
"""

from valuenet.tracking.artifact_frames import artifact_frames_by_year

PER_NODE = "year int, id string, kind string, in_degree long, out_degree long, degree long, pagerank double"


def test_each_year_gets_its_own_top_20_degree_counts_flows_and_shares(spark):
    rows = [(2021, f"n{k:02d}", "sample", k // 2, 0, k // 2, None) for k in range(25)]
    rows += [(2022, "a", "sample", 0, 1, 1, None), (2022, "b", "relation", 1, 0, 1, None)]
    per_node = spark.createDataFrame(rows, PER_NODE)
    named = [(f"n{k:02d}", f"name {k}", "enterprise") for k in range(25)] + [("a", "A", "enterprise"),
                                                                             ("b", "B", "investor")]
    nodes = spark.createDataFrame(named, "id string, name string, org_type string")
    flows = spark.createDataFrame([(2021, "province", "Beijing", "Beijing", 3, 1.0, "", "r1"),
                                   (2022, "province", "Beijing", "Zhejiang", 1, 1.0, "", "r2")],
                                  "year int, level string, enabling string, receiving string, relations long, "
                                  "share double, filter string, run_id string")
    shares = spark.createDataFrame([(2022, "enabling", "province", "Beijing", 1, 1.0, "", "r2")],
                                   "year int, side string, level string, name string, relations long, share double, "
                                   "filter string, run_id string")

    frames = artifact_frames_by_year(per_node, flows, shares, nodes, [2020, 2021, 2022])

    assert sorted(frames) == [2020, 2021, 2022]
    tops, year_flows, year_shares, degree_counts = frames[2020]  # no vertex that year: empty, not missing
    assert tops == {} and year_flows.empty and year_shares.empty and degree_counts.empty
    assert list(degree_counts.columns) == ["degree", "nodes"]
    tops, year_flows, year_shares, degree_counts = frames[2021]
    assert set(tops) == {"degree", "in_degree", "out_degree"}  # pagerank is null: no table
    pairs = [f"n{k:02d}" for d in range(11, 2, -1) for k in (2 * d, 2 * d + 1)]
    assert tops["degree"]["id"].tolist() == ["n24", *pairs, "n04"]
    assert tops["degree"]["name"].tolist()[:2] == ["name 24", "name 22"]
    assert list(tops["degree"].columns) == ["id", "name", "kind", "org_type", "in_degree", "out_degree", "degree",
                                            "pagerank"]
    assert dict(zip(degree_counts["degree"], degree_counts["nodes"])) == {**{d: 2 for d in range(12)}, 12: 1}
    assert year_flows.to_dict("records") == [{"level": "province", "enabling": "Beijing", "receiving": "Beijing",
                                              "relations": 3, "share": 1.0}]
    assert year_shares.empty and "year" not in year_shares.columns
    tops, year_flows, year_shares, degree_counts = frames[2022]
    assert tops["out_degree"]["id"].tolist() == ["a", "b"] and tops["degree"]["id"].tolist() == ["a", "b"]
    assert year_flows["receiving"].tolist() == ["Zhejiang"] and year_shares["name"].tolist() == ["Beijing"]
    assert degree_counts.to_dict("records") == [{"degree": 1, "nodes": 2}]
