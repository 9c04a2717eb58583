"""The core of a year network drawn as a person would draw it in Gephi, from pandas: the top nodes by
PageRank and their ties, laid out by ForceAtlas2 (NetworkX's, seeded: the same data gives the same
picture), node size by PageRank, colour by community, the top 20 labelled. As a matplotlib figure
(PNG) and as a self-contained interactive page (Bokeh, its JavaScript inlined: zoom, pan, hover for
a node's metrics, no network needed).
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display on a cluster or in CI
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

PICTURE_NODES = 300   # a few hundred nodes: the core a reader can still see
LABELLED = 20         # the report's top-20 tables
_PALETTE = [matplotlib.colors.to_hex(c) for c in plt.get_cmap("tab20").colors]
_OTHER = "#bbbbbb"    # communities beyond the palette's twenty
HOVER = ["label", "id", "pagerank", "pagerank_rank", "degree", "in_degree", "out_degree", "clustering", "core",
         "community"]


@dataclass
class Picture:
    """One year's drawn core: nodes (id, label, pagerank, community, ... , x, y, size, colour) and
    edges (src, dst ids)."""

    year: int
    nodes: pd.DataFrame
    edges: pd.DataFrame


def laid_out(year: int, nodes: pd.DataFrame, edges: pd.DataFrame, seed: int = 7, iterations: int = 100) -> Picture:
    """The picture of one year: nodes (id, label, pagerank, community and the HOVER columns it has)
    placed by ForceAtlas2 on the undirected view of edges (src, dst) among them, seeded; sized by
    PageRank (area), coloured by community (the largest twenty of the picture get a colour each)."""
    import networkx as nx

    nodes = nodes.sort_values(["pagerank", "id"], ascending=[False, True]).reset_index(drop=True)
    graph = nx.Graph()
    graph.add_nodes_from(nodes["id"])
    graph.add_edges_from(edges[["src", "dst"]].itertuples(index=False, name=None))
    rng = np.random.default_rng(seed)
    start = {node: rng.uniform(-1, 1, 2) for node in nodes["id"]}  # in a fixed order: the same picture every run
    position = nx.forceatlas2_layout(graph, pos=start, max_iter=iterations, seed=seed, strong_gravity=True,
                                     scaling_ratio=2.0) if len(nodes) else {}
    nodes["x"] = [float(position[n][0]) for n in nodes["id"]]
    nodes["y"] = [float(position[n][1]) for n in nodes["id"]]
    share = nodes["pagerank"] / nodes["pagerank"].max() if len(nodes) else nodes["pagerank"]
    nodes["size"] = 6 + 40 * np.sqrt(share)  # diameter in points: area grows with PageRank
    biggest = nodes["community"].value_counts().index[:len(_PALETTE)]
    colours = dict(zip(biggest, _PALETTE))
    nodes["colour"] = nodes["community"].map(colours).fillna(_OTHER)
    return Picture(year=year, nodes=nodes, edges=edges.reset_index(drop=True))


def _title(picture: Picture, synthetic: bool) -> str:
    return (f"The core of the network, {picture.year}: top {len(picture.nodes)} by PageRank"
            + (" (synthetic sample)" if synthetic else ""))


def _draw(ax, picture: Picture, labels: bool = True, scale: float = 1.0) -> None:
    """The picture on a matplotlib axis: ties under nodes, the top LABELLED nodes named."""
    nodes = picture.nodes.set_index("id")
    if len(picture.edges):
        ends = [nodes.loc[picture.edges[end], ["x", "y"]].to_numpy() for end in ("src", "dst")]
        ax.add_collection(LineCollection(np.stack(ends, axis=1), colors="#999999", linewidths=0.4 * scale,
                                         alpha=0.35, zorder=1))
    ax.scatter(picture.nodes["x"], picture.nodes["y"], s=(picture.nodes["size"] * scale) ** 2 / 4,
               c=picture.nodes["colour"], edgecolors="white", linewidths=0.4 * scale, zorder=2)
    if labels:
        for row in picture.nodes.head(LABELLED).itertuples():
            ax.annotate(str(row.label), (row.x, row.y), fontsize=6, zorder=3, xytext=(3, 3),
                        textcoords="offset points")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_aspect("equal", adjustable="datalim")
    for side in ax.spines.values():
        side.set_visible(False)


def picture_figure(picture: Picture, synthetic: bool):
    """The year's picture as a matplotlib figure (figures/network.png)."""
    fig, ax = plt.subplots(figsize=(9, 9))
    _draw(ax, picture)
    ax.set_title(_title(picture, synthetic) + "\nsize: PageRank, colour: community", fontsize=10)
    fig.tight_layout()
    return fig


def pictures_side_by_side(pictures: list[Picture], synthetic: bool, columns: int = 3):
    """Every year's picture, small and unlabelled, in year order (the parent run's figure)."""
    lines = max(1, -(-len(pictures) // columns))
    fig, axes = plt.subplots(lines, columns, figsize=(4 * columns, 4 * lines), squeeze=False)
    for ax, picture in zip(axes.flat, sorted(pictures, key=lambda p: p.year)):
        _draw(ax, picture, labels=False, scale=0.5)
        ax.set_title(str(picture.year), fontsize=10)
    for ax in list(axes.flat)[len(pictures):]:
        ax.set_visible(False)
    fig.suptitle("The core of the network by year: top nodes by PageRank, size PageRank, colour community"
                 + (" (synthetic sample)" if synthetic else ""), fontsize=10)
    fig.tight_layout()
    return fig


def picture_html(picture: Picture, synthetic: bool) -> str:
    """The year's picture as one self-contained HTML page: Bokeh with its JavaScript inlined (works
    offline), wheel zoom and pan, a node's metrics on hover, the top LABELLED nodes named."""
    from bokeh.embed import file_html
    from bokeh.models import ColumnDataSource, HoverTool, LabelSet
    from bokeh.plotting import figure
    from bokeh.resources import INLINE

    nodes = picture.nodes.copy()
    hover = [c for c in HOVER if c in nodes.columns]
    for column in hover:
        # as text: ids such as community are 64-bit keys, beyond JavaScript's exact integers
        nodes[column] = [("" if pd.isna(v) else f"{v:.6g}" if isinstance(v, float) else str(v)) for v in nodes[column]]
    plot = figure(title=_title(picture, synthetic), width=900, height=900, match_aspect=True,
                  tools="pan,wheel_zoom,box_zoom,reset,save", active_scroll="wheel_zoom",
                  output_backend="canvas")
    if len(picture.edges):
        at = nodes.set_index("id")
        (x0, y0), (x1, y1) = (at.loc[picture.edges[end], ["x", "y"]].to_numpy().T for end in ("src", "dst"))
        plot.segment(x0=x0, y0=y0, x1=x1, y1=y1, line_color="#999999", line_alpha=0.35, line_width=0.7)
    source = ColumnDataSource(nodes[hover + ["x", "y", "size", "colour"]])
    dots = plot.scatter("x", "y", size="size", source=source, fill_color="colour", line_color="white",
                        fill_alpha=0.9)
    plot.add_tools(HoverTool(renderers=[dots], tooltips=[(c, f"@{{{c}}}") for c in hover]))
    plot.add_layout(LabelSet(x="x", y="y", text="label", source=ColumnDataSource(nodes.head(LABELLED)[["x", "y", "label"]]),
                             text_font_size="8pt", x_offset=4, y_offset=4))
    plot.axis.visible = False
    plot.grid.visible = False
    return file_html(plot, INLINE, title=f"valuenet {picture.year}")


def rendered(year: int, nodes: pd.DataFrame, edges: pd.DataFrame, synthetic: bool):
    """(the laid-out picture, its matplotlib figure, its HTML page): what a year run logs as
    figures/network.png and figures/network.html. Close the figure once it is saved."""
    picture = laid_out(year, nodes, edges)
    return picture, picture_figure(picture, synthetic), picture_html(picture, synthetic)


def close(fig) -> None:
    plt.close(fig)
