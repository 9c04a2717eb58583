"""Figures and tables a person would rather look at than read (DESIGN.md section 5), from pandas."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display on a cluster or in CI
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from valuenet.metrics.definitions import NETWORK_METRICS  # noqa: E402
from valuenet.metrics.degree_distribution import (NO_COMPARISON, LognormalComparison, PowerLawFit,  # noqa: E402
                                                  ccdf, lognormal_ccdf, power_law_ccdf)


def degree_distribution_figure(degrees: np.ndarray, fit: PowerLawFit, year: int, synthetic: bool,
                               lognormal: LognormalComparison = NO_COMPARISON):
    """Log-log CCDF of total degree with the fitted power-law tail and, when given, the lognormal
    fitted to the same tail; the legend names both fits and their log-likelihood ratio test."""
    fig, ax = plt.subplots(figsize=(6, 4.5))
    k, p = ccdf(degrees)
    ax.loglog(k, p, ".", ms=3, label="P(K >= k), measured")
    if fit.alpha is not None:
        tail_share = fit.tail_nodes / max(1, int(np.sum(np.asarray(degrees) > 0)))
        xs = k[k >= fit.xmin]
        ax.loglog(xs, tail_share * power_law_ccdf(xs, fit.alpha, fit.xmin), "-",
                  label=f"power law, alpha = {fit.alpha:.2f}, k >= {fit.xmin}")
        if lognormal.mu is not None:
            ax.loglog(xs, tail_share * lognormal_ccdf(xs, lognormal.mu, lognormal.sigma, fit.xmin), "--",
                      label=f"lognormal, mu = {lognormal.mu:.2f}, sigma = {lognormal.sigma:.2f}")
    ax.set_xlabel("degree k (in + out)")
    ax.set_ylabel("share of nodes with degree >= k")
    ax.set_title(f"Degree distribution, {year}" + (" (synthetic sample)" if synthetic else ""))
    title = None
    if lognormal.ratio is not None:
        # Vuong's p says whether the sign of R means anything (CSN 2009 read it at 0.1)
        verdict = ("no significant difference" if lognormal.p_value >= 0.1
                   else "the power law fits better" if lognormal.ratio > 0 else "the lognormal fits better")
        title = f"R = {lognormal.ratio:.1f}, p = {lognormal.p_value:.2g}: {verdict}"
    ax.legend(fontsize=8, title=title, title_fontsize=8)
    fig.tight_layout()
    return fig


def flow_matrix_figure(flows: pd.DataFrame, year: int, synthetic: bool, top: int = 15):
    """Heatmap of province -> province technology flows (shares), the top provinces on each side."""
    provinces = flows[flows["level"] == "province"]
    keep = (provinces.groupby("enabling")["relations"].sum().nlargest(top).index.union(
        provinces.groupby("receiving")["relations"].sum().nlargest(top).index))
    order = provinces[provinces["enabling"].isin(keep)].groupby("enabling")["relations"].sum() \
        .reindex(keep, fill_value=0).sort_values(ascending=False).index[:top]
    matrix = (provinces.pivot_table(index="enabling", columns="receiving", values="share", aggfunc="sum")
              .reindex(index=order, columns=order).fillna(0.0))
    fig, ax = plt.subplots(figsize=(7.5, 6.5))
    image = ax.imshow(matrix.values, cmap="viridis")
    ax.set_xticks(range(len(order)), order, rotation=70, fontsize=7)
    ax.set_yticks(range(len(order)), order, fontsize=7)
    ax.set_xlabel("receiving province (input)")
    ax.set_ylabel("enabling province")
    ax.set_title(f"Technology flows between provinces, {year}" + (" (synthetic)" if synthetic else ""))
    fig.colorbar(image, ax=ax, label="share of technology cooperation edges")
    fig.tight_layout()
    return fig


def year_trends_figure(rows: pd.DataFrame, synthetic: bool, filter_text: str = "", columns: int = 4):
    """Small multiples: each network_metrics measurement (NETWORK_METRICS) against year, one panel
    each, in the order of the table; metrics that are null in every year get no panel.

    rows: one row per year with a `year` column and the metric columns.
    """
    rows = rows.sort_values("year")
    metrics = [m for m in NETWORK_METRICS if m in rows.columns and rows[m].notna().any()]
    lines = -(-len(metrics) // columns)
    fig, axes = plt.subplots(max(1, lines), columns, figsize=(3.2 * columns, 2.3 * max(1, lines)), squeeze=False)
    years = rows["year"].astype(int)
    for ax, metric in zip(axes.flat, metrics):
        ax.plot(years, rows[metric].astype(float), "o-", ms=3)
        ax.set_title(metric, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.tick_params(axis="x", labelrotation=45)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))  # years, not 2014.5
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_visible(False)
    network = f"filtered network ({filter_text})" if filter_text else "the whole network"
    fig.suptitle(f"Network metrics by year, {network}" + (" (synthetic sample)" if synthetic else ""))
    # fixed margins in inches: tight_layout measures every tick label and doubled the cost
    height = fig.get_figheight()
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.55 / height, top=1 - 0.6 / height, hspace=0.6, wspace=0.3)
    return fig


def robustness_figure(curves: pd.DataFrame, areas: dict[str, float | None], year: int, synthetic: bool):
    """The share of nodes left in the largest weakly connected component against the share of nodes
    removed, top nodes by PageRank beside random ones, with each curve's area (its mean share).

    curves: strategy, k, removed_share, largest_component_share (one year's robustness rows).
    """
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for strategy, style in (("pagerank", "o-"), ("random", "s--")):
        curve = curves[curves["strategy"] == strategy].sort_values("removed_share")
        area = areas.get(strategy)
        label = {"pagerank": "top nodes by PageRank removed", "random": "random nodes removed"}[strategy]
        ax.plot(100 * curve["removed_share"], curve["largest_component_share"], style, ms=4,
                label=label + (f" (area {area:.3f})" if area is not None else ""))
        for _, point in curve[curve["k"] > 0].iterrows():
            if strategy == "pagerank":
                ax.annotate(f"k={int(point['k'])}", (100 * point["removed_share"], point["largest_component_share"]),
                            textcoords="offset points", xytext=(3, 4), fontsize=7)
    ax.set_xlabel("nodes removed (%)")
    ax.set_ylabel("share of nodes in the largest weakly connected component")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(f"Dependence on hubs, {year}" + (" (synthetic sample)" if synthetic else ""))
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def close(fig) -> None:
    plt.close(fig)
