"""Exits and endings: relations that close before a year is drawn (end_year = Y - 1).

When the number of sample enterprises (or relation nodes) falls, as from 2205 to 2200 in
2021, low-degree nodes leave: all their relations end. Each year also ends a small share
of relations whose endpoints stay in the network through other relations. The year's
edge budget is counted after both, so it compensates and the counts stay exact.
"""

from __future__ import annotations

import numpy as np

from .codes import RELATION, SAMPLE
from .knobs import Knobs
from .network import Network
from .population import Population
from .targets import Targets


def close_before(rng, yi: int, pop: Population, net: Network, tg: Targets, knobs: Knobs) -> None:
    """End the relations that close before year index yi > 0: exits first, then endings
    (end_share of the relations open at the start)."""
    Y = int(tg.years[yi])
    active = net.active()
    n_active = int(active.sum())
    deg = net.degrees(active)
    for k_kind, n_leave in ((SAMPLE, tg.sample[yi - 1] - tg.sample[yi]),
                            (RELATION, tg.relation[yi - 1] - tg.relation[yi])):
        if n_leave <= 0:
            continue
        lv = _pick_leavers(rng, n_leave, k_kind, pop, net, active, deg)
        inc = active & (np.isin(net.src, lv) | np.isin(net.dst, lv))
        net.end[inc] = Y - 1
        active &= ~inc
        net.present[lv] = False
        net.left[lv] = True
        deg = net.degrees(active)
    k_end = int(round(knobs.end_share * n_active))
    if k_end:
        _end_some(rng, k_end, Y - 1, pop, net, active, deg)


def _pick_leavers(rng, n_leave, k_kind, pop: Population, net: Network, active, deg_p):
    """Nodes of a kind that leave: small, unnamed, non-platform nodes whose every
    neighbour stays in the network through another relation."""
    nt, named, kind = pop.nt, pop.named, pop.kind
    a_src = net.src[active]
    a_dst = net.dst[active]
    # an edge is "unsafe" for its endpoint u if the other endpoint would be left alone
    # or is a named hub (their quotas must not shrink)
    unsafe_for_src = named[a_dst] | (deg_p[a_dst] < 3)
    unsafe_for_dst = named[a_src] | (deg_p[a_src] < 3)
    bad = (np.bincount(a_src[unsafe_for_src], minlength=nt)
           + np.bincount(a_dst[unsafe_for_dst], minlength=nt))
    base = net.present & (kind == k_kind) & ~named & (bad == 0) & (deg_p >= 1)
    cand = np.flatnonzero(base & ~pop.is_plat & (deg_p <= 4))
    if len(cand) < n_leave:
        cand = np.flatnonzero(base)
    for _ in range(50):
        lv = rng.choice(cand, size=n_leave, replace=False)
        m = np.isin(a_src, lv) | np.isin(a_dst, lv)
        nb = np.concatenate([a_src[m], a_dst[m]])
        nb = nb[~np.isin(nb, lv)]
        # every neighbour keeps at least one relation; leavers not adjacent to each other
        both = np.isin(a_src, lv) & np.isin(a_dst, lv)
        if both.any():
            continue
        u, cnt = np.unique(nb, return_counts=True)
        if (deg_p[u] - cnt >= 1).all():
            return lv
    raise RuntimeError("could not find enterprises to leave the network")


def _end_some(rng, k_end, end_year, pop: Population, net: Network, active, deg) -> None:
    """End up to k_end open relations between unnamed nodes with at least two relations,
    no node losing more than one (so both ends stay in the network)."""
    named = pop.named
    src, dst = net.src, net.dst
    cand_e = np.flatnonzero(active & ~named[src] & ~named[dst] & (deg[src] >= 2) & (deg[dst] >= 2))
    if len(cand_e):
        pick = rng.choice(cand_e, size=min(k_end, len(cand_e)), replace=False)
        ends = np.concatenate([src[pick], dst[pick]])
        u, cnt = np.unique(ends, return_counts=True)
        once = np.isin(src[pick], u[cnt == 1]) & np.isin(dst[pick], u[cnt == 1])
        net.end[pick[once]] = end_year
