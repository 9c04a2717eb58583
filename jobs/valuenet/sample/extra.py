"""Extra relations: the rest of a year's edge budget, drawn between active nodes.

After the hub relations and the newcomers' first relations, the year's budget is filled
with relations between nodes present in the network, endpoints drawn with probabilities
proportional to their fitnesses: investments, the platform core and shared partners
(``platforms``), platform-centred streams, then a top-up. Every pair is new (none drawn
in any earlier year), and the top-up draws until the count is exact. An investment,
stream or top-up pair whose ends share a hub neighbour is rejected with the year's
probability ``hub_close_reject`` (high in early years: tree-like early networks; none
from 2020, Table 2 clustering), except in the top-up's last, uniform rounds.
"""

from __future__ import annotations

import numpy as np

from .codes import SAMPLE
from .draws import Pool, draw_unique
from .knobs import Knobs
from .network import Network, YearDraw
from .platforms import platform_relations
from .population import Population


def extra_relations(rng, yd: YearDraw, pop: Population, net: Network, knobs: Knobs) -> None:
    """Draw the year's yd.n_extra extra relations into ``yd``, stage by stage."""
    ap = np.flatnonzero(net.present & ~pop.named)
    _investments(rng, yd, pop, ap, knobs)
    platform_relations(rng, yd, pop, net, knobs)
    nin = ap[~pop.is_inv[ap]]
    by_fitness = (Pool(nin, pop.fo[nin] + 1e-3), Pool(nin, pop.fi[nin] + 1e-3))
    _platform_streams(rng, yd, pop, nin, knobs)
    _top_up(rng, yd, net, by_fitness)


def _investments(rng, yd: YearDraw, pop: Population, ap: np.ndarray, knobs: Knobs) -> None:
    """extra_investment of the extra relations: present investors invest in present sample
    enterprises (investors by investment out-fitness, enterprises by their pull)."""
    n_iv = int(round(knobs.extra_investment * yd.n_extra))
    inv_p = ap[pop.is_inv[ap]]
    smp_p = ap[pop.kind[ap] == SAMPLE]
    if n_iv == 0 or len(inv_p) == 0 or len(smp_p) == 0:
        return
    s_, d_, ok = draw_unique(rng, np.full(n_iv, -1, np.int64), np.full(n_iv, -1, np.int64),
                             Pool(inv_p, pop.fo_inv[inv_p]), Pool(smp_p, pop.fi_inv[smp_p] + 1e-3),
                             yd.keys, pop.nt, max_rounds=20, hmask=yd.hmask, p_reject=yd.p_reject)
    yd.add(s_[ok], d_[ok])


def _platform_streams(rng, yd: YearDraw, pop: Population, nin: np.ndarray, knobs: Knobs) -> None:
    """Platform-centred streams among non-investors: extra_platform_out of the extra
    relations from an unnamed platform to another node, extra_platform_in into one
    (within what the budget has left)."""
    plat_u = pop.plat_u
    pl = nin[plat_u[nin]]
    npl = nin[~plat_u[nin]]
    if not (len(pl) and len(npl)):
        return
    fo, fi = pop.fo, pop.fi
    for share, ps_, pd_ in (
            (knobs.extra_platform_out, Pool(pl, fo[pl]), Pool(npl, fi[npl] + 1e-3)),
            (knobs.extra_platform_in, Pool(npl, fo[npl] + 1e-3), Pool(pl, fi[pl]))):
        k = min(int(round(share * yd.n_extra)), yd.n_extra - yd.n_drawn)
        if k <= 0:
            continue
        s_, d_, ok = draw_unique(rng, np.full(k, -1, np.int64), np.full(k, -1, np.int64),
                                 ps_, pd_, yd.keys, pop.nt, max_rounds=10,
                                 hmask=yd.hmask, p_reject=yd.p_reject)
        yd.add(s_[ok], d_[ok])


def _top_up(rng, yd: YearDraw, net: Network, by_fitness: tuple[Pool, Pool]) -> None:
    """Fill the budget exactly: twice among non-investors by fitness, then (no hub-close
    rejection) uniformly among every present node."""
    present = net.present
    uniform = (Pool(np.flatnonzero(present), np.ones(int(present.sum()))),) * 2
    for attempt in range(4):
        need = yd.n_extra - yd.n_drawn
        if need <= 0:
            break
        src_pool, dst_pool = by_fitness if attempt < 2 else uniform
        s_, d_, ok = draw_unique(rng, np.full(need, -1, np.int64), np.full(need, -1, np.int64),
                                 src_pool, dst_pool, yd.keys, net.nt,
                                 hmask=yd.hmask, p_reject=yd.p_reject if attempt < 2 else 0.0)
        yd.add(s_[ok], d_[ok])
    if yd.n_drawn != yd.n_extra:
        raise RuntimeError(f"year {yd.year}: could not draw {yd.n_extra} distinct relations")
