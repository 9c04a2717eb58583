"""The year network's picture: which nodes and ties are drawn, a seeded layout, size and colour, the
static PNG, and the interactive page opened in headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from valuenet.tracking import network_picture
from valuenet.tracking.artifact_frames import picture_frames_by_year

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# flags of a headless run on a machine without network or display
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def hub_graph(n: int = 120, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A scale-free graph with PageRank and Louvain communities from NetworkX; ids and names with
    characters HTML must escape, one name missing."""
    graph = nx.barabasi_albert_graph(n, 2, seed=seed)
    rank = nx.pagerank(graph)
    community = {v: c for c, members in enumerate(nx.community.louvain_communities(graph, seed=seed)) for v in members}
    nodes = pd.DataFrame({"id": [f"n{v}" for v in graph], "label": [f"Org <{v}> & \"co\"" for v in graph],
                          "pagerank": [rank[v] for v in graph], "community": [community[v] for v in graph],
                          "degree": [graph.degree(v) for v in graph]})
    edges = pd.DataFrame([(f"n{a}", f"n{b}") for a, b in graph.edges()], columns=["src", "dst"])
    return nodes, edges


def test_layout_is_seeded_and_sizes_follow_pagerank():
    nodes, edges = hub_graph()
    first, again = (network_picture.laid_out(2022, nodes, edges) for _ in range(2))
    assert np.array_equal(first.nodes[["x", "y"]].to_numpy(), again.nodes[["x", "y"]].to_numpy()), "same data, same picture"
    other = network_picture.laid_out(2022, nodes, edges, seed=8)
    assert not np.allclose(first.nodes[["x", "y"]].to_numpy(), other.nodes[["x", "y"]].to_numpy())
    drawn = first.nodes
    assert list(drawn["pagerank"]) == sorted(drawn["pagerank"], reverse=True), "the top nodes come first (labelled)"
    assert drawn["size"].is_monotonic_decreasing and drawn["size"].iloc[0] > drawn["size"].iloc[-1]
    same_community = drawn.groupby("community")["colour"].nunique()
    assert (same_community == 1).all(), "one colour per community"
    assert drawn["colour"].nunique() == min(drawn["community"].nunique(), 21)
    # ForceAtlas2 pulls neighbours together: tied nodes lie closer than two nodes picked at random
    at = drawn.set_index("id")[["x", "y"]]
    tied = np.linalg.norm(at.loc[edges["src"]].to_numpy() - at.loc[edges["dst"]].to_numpy(), axis=1).mean()
    rng = np.random.default_rng(0)
    pairs = rng.integers(0, len(at), (2000, 2))
    anywhere = np.linalg.norm(at.to_numpy()[pairs[:, 0]] - at.to_numpy()[pairs[:, 1]], axis=1).mean()
    assert tied < 0.8 * anywhere


def test_png_and_side_by_side(tmp_path):
    nodes, edges = hub_graph()
    picture = network_picture.laid_out(2021, nodes, edges)
    for name, figure in (("one.png", network_picture.picture_figure(picture, synthetic=True)),
                         ("all.png", network_picture.pictures_side_by_side([picture, picture], synthetic=True))):
        figure.savefig(tmp_path / name, dpi=60)
        network_picture.close(figure)
        pixels = matplotlib.image.imread(tmp_path / name)[..., :3]
        assert (pixels < 0.9).any(axis=2).mean() > 0.02, f"{name} is blank"


def test_the_page_is_self_contained():
    nodes, edges = hub_graph(40)
    page = network_picture.picture_html(network_picture.laid_out(2020, nodes, edges), synthetic=False)

    class Fetched(HTMLParser):
        """Every resource the page itself would fetch: script src, link href, img src."""

        def __init__(self):
            super().__init__()
            self.found = []

        def handle_starttag(self, tag, attrs):
            self.found += [value for name, value in attrs
                           if (tag, name) in {("script", "src"), ("link", "href"), ("img", "src")}]

    parser = Fetched()
    parser.feed(page)
    assert parser.found == [], "works offline: nothing to fetch"
    assert page.count("<script") >= 2, "Bokeh's JavaScript and the plot are in the page"


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium)")
def test_the_page_draws_in_headless_chromium(tmp_path):
    nodes, edges = hub_graph()
    page = tmp_path / "network.html"
    page.write_text(network_picture.picture_html(network_picture.laid_out(2022, nodes, edges), synthetic=True),
                    encoding="utf-8")
    shot = tmp_path / "shot.png"
    subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,1000",
                    "--virtual-time-budget=10000", f"--screenshot={shot}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    pixels = matplotlib.image.imread(shot)[..., :3]
    # the nodes are drawn on a canvas by Bokeh's JavaScript: without it the page is white
    coloured = (pixels.max(axis=2) - pixels.min(axis=2)) > 0.2
    assert coloured.mean() > 0.02, "the screenshot shows no coloured nodes"
    colours = {tuple(c) for c in (pixels[coloured] * 8).astype(int)}
    assert len(colours) >= 5, "communities in several colours"


def test_picture_frames_keep_the_top_nodes_and_their_ties(spark):
    # 2020: PageRank 5 > 4 > 3 > 2 > 1 (vids = PageRank); top 3 keeps 5, 4, 3 and the edges among them only
    per_node = spark.createDataFrame([(2020, v, f"v{v}", v / 15, v % 2, v) for v in range(1, 6)],
                                     "year int, vid long, id string, pagerank double, community long, degree long")
    relations = spark.createDataFrame([(2020, 5, 4), (2020, 4, 3), (2020, 3, 1), (2020, 2, 5)],
                                      "year int, src long, dst long")
    names = spark.createDataFrame([("v5", "Five & Co"), ("v4", None)], "id string, name string")
    nodes, edges = picture_frames_by_year(per_node, relations, names, [2020], top=3)[2020]
    assert list(nodes.sort_values("pagerank", ascending=False)["id"]) == ["v5", "v4", "v3"]
    assert dict(zip(nodes["id"], nodes["label"])) == {"v5": "Five & Co", "v4": "v4", "v3": "v3"}
    assert sorted(map(tuple, edges[["src", "dst"]].to_numpy())) == [("v4", "v3"), ("v5", "v4")]
