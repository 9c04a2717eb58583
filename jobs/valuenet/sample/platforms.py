"""The platform network's shape (Table 6): the platform core and shared partners of tied platforms.

Both kinds of relation are technology cooperation by construction.

* **Platform ties** (``platform_tie``): relations between two platform enterprises. A
  larger share of the first years' extra relations tie platforms, so the platform core
  forms early, which shortens platform-network paths (the report's early platform
  network is 0.7-0.8 steps shorter than the whole network). Ties are reciprocated in the
  same year, except in 2020-2021: then they are one-way relay ties
  (``platform_tie_flow``) from a platform that receives much to one that enables much,
  with a wave in 2020, between platforms that share no small partner
  (``platform_tie_avoid``). They are shortcuts along the flow of technology that shorten
  the 2021 platform network's paths (Table 6: 3.455) without closing triangles around
  small organisations (its clustering stays as published).
* **Co-partners** (``platform_copartner``, closure around platform pairs): a partner of a
  platform also cooperates with a platform tied to it. Rare before 2016, they peak in
  2019, when the report's platform-network clustering jumps.
"""

from __future__ import annotations

import numpy as np

from .draws import Pool, draw_unique, isin_sorted, node_runs, sorted_unique
from .knobs import Knobs, per_year
from .network import Network, YearDraw
from .population import Population


def platform_relations(rng, yd: YearDraw, pop: Population, net: Network, knobs: Knobs) -> None:
    """Draw the year's platform ties, then its co-partner relations, into ``yd``; mark them
    as technology cooperation (``yd.forced_tc``)."""
    n_tie = int(round(per_year(knobs.platform_tie, yd.yi) * yd.n_extra))
    n_cop = int(round(per_year(knobs.platform_copartner, yd.yi) * yd.n_extra))
    if n_tie <= 0 and n_cop <= 0:
        return
    cs, cd = yd.so_far(net)
    # the last year's hub degrees are final: no new relations for named hubs
    hubs_out = yd.is_last or yd.yi < knobs.platform_tie_named_from
    plat_ok = pop.is_plat & net.present & ~(pop.named if hubs_out else np.zeros(pop.nt, bool))
    deg_o = np.bincount(cs, minlength=pop.nt)
    deg_i = np.bincount(cd, minlength=pop.nt)
    n_before = yd.n_drawn
    if n_tie > 0:
        _ties(rng, n_tie, plat_ok, deg_o, deg_i, cs, cd, yd, pop, knobs)
        cs, cd = yd.so_far(net)
    if n_cop > 0:
        _copartners(rng, n_cop, plat_ok, deg_o, deg_i, cs, cd, yd, pop, net, knobs)
    yd.forced_tc = slice(yd.n_fixed + n_before, yd.n_fixed + yd.n_drawn)


def _ties(rng, n_tie, plat_ok, deg_o, deg_i, cs, cd, yd: YearDraw, pop: Population, knobs: Knobs) -> None:
    """n_tie relations between platforms, endpoints drawn with weight (degree + 1) **
    platform_tie_exp (a share reciprocated in the same year)."""
    nt = pop.nt
    pp = np.flatnonzero(plat_ok)
    if len(pp) <= 1:
        return
    w_o = (deg_o[pp] + 1.0) ** knobs.platform_tie_exp
    w_i = (deg_i[pp] + 1.0) ** knobs.platform_tie_exp
    recip = per_year(knobs.platform_tie_recip, yd.yi)
    if per_year(knobs.platform_tie_flow, yd.yi):
        # relay ties: a platform that receives much passes technology on to
        # one that enables much (shortcuts along the flow of technology)
        w_o, w_i = w_i, w_o
    ban = yd.keys
    k_av = int(per_year(knobs.platform_tie_avoid, yd.yi))
    if k_av > 0:
        ban = (*yd.keys, _closing_pairs(cs, cd, pop.is_plat, k_av, nt))
    k1 = int(round(n_tie / (1.0 + recip)))
    s_, d_, ok = draw_unique(rng, np.full(k1, -1, np.int64), np.full(k1, -1, np.int64),
                             Pool(pp, w_o), Pool(pp, w_i), ban, nt, max_rounds=10)
    s_, d_ = s_[ok], d_[ok]
    yd.add(s_, d_)
    rc = rng.random(len(s_)) < recip
    k2 = n_tie - len(s_)
    r_, q_, ok2 = draw_unique(rng, d_[rc][:k2], s_[rc][:k2], None, None, yd.keys, nt, max_rounds=1)
    yd.add(r_[ok2], q_[ok2])


def _closing_pairs(cs, cd, is_plat, max_deg, nt):
    """Keys p1 * nt + p2 (both orders) of the platform pairs that share a partner of
    undirected degree <= max_deg (relations cs -> cd): a tie between them would close
    a triangle around a small organisation."""
    pair = cs != cd
    cs, cd = cs[pair], cd[pair]
    # Relations are distinct directed pairs, so a neighbour is counted at most twice and a
    # partner counted more than 2 * max_deg times has more than max_deg neighbours: only the
    # pairs of the others are sorted.
    small = np.bincount(cs, minlength=nt) + np.bincount(cd, minlength=nt) <= 2 * max_deg
    small &= np.bincount(cs[is_plat[cd]], minlength=nt) + np.bincount(cd[is_plat[cs]], minlength=nt) > 0
    ukey = sorted_unique(_pair_keys(cs, cd, small[cs], small[cd], nt))
    ua, ub = ukey // nt, ukey % nt
    deg = np.bincount(ua, minlength=nt)
    m = (deg[ua] <= max_deg) & is_plat[ub]
    v, p = ua[m], ub[m]                      # sorted by v
    if len(v) == 0:
        return np.empty(0, np.int64)
    run_start, run_length = node_runs(v, nt)
    start, cnt = run_start[v], run_length[v]
    row = np.repeat(np.arange(len(v)), cnt)
    off = np.arange(len(row)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    q = p[start[row] + off]
    keep = q != p[row]
    return sorted_unique(p[row][keep] * nt + q[keep])


def _pair_keys(cs, cd, from_src, from_dst, nt):
    """Undirected pair keys a * nt + b of the relations cs -> cd: (src, dst) where from_src,
    (dst, src) where from_dst. The year network is never doubled in memory: at scale 100
    each such copy is hundreds of MB written and read again."""
    return np.concatenate([cs[from_src] * nt + cd[from_src], cd[from_dst] * nt + cs[from_dst]])


def _copartners(rng, n_cop, plat_ok, deg_o, deg_i, cs, cd, yd: YearDraw, pop: Population, net: Network,
                knobs: Knobs) -> None:
    """Up to n_cop co-partner relations: a partner v of platform p1 (tied to p2) cooperates
    with p2 too, in the direction of its relation with p1. v is drawn with weight
    (its relations with non-platforms + copartner_base) ** copartner_exp / (its relations
    with platforms) ** copartner_pexp; each partner closes at most one triangle a year,
    only partners none of whose other neighbours is a neighbour of p1 or p2 (the closure
    is around the platform pair only), and v's relation with p1 is made technology
    cooperation too (a cooperation triangle). deg_o / deg_i: degrees before the year's
    platform ties."""
    nt = pop.nt
    vv, p1, v_out, lo, hi, tb = _copartner_candidates(plat_ok, cs, cd, pop, net)
    if len(vv) == 0:
        return
    is_plat = pop.is_plat
    # each node's relations with non-platforms
    npd = np.bincount(cs[~is_plat[cd]], minlength=nt) + np.bincount(cd[~is_plat[cs]], minlength=nt)
    pdg = (deg_o + deg_i - npd)[vv].clip(min=1).astype(float)
    w = (npd[vv] + knobs.copartner_base) ** knobs.copartner_exp / pdg ** knobs.copartner_pexp
    w = np.where(npd[vv] >= knobs.copartner_min_other, w, 0.0)
    i1 = Pool(np.arange(len(vv)), w).draw(rng, 3 * n_cop)
    _, f1 = np.unique(vv[i1], return_index=True)  # one closure per partner and year
    i1 = i1[np.sort(f1)]
    p2 = tb[lo[i1] + np.floor(rng.random(len(i1)) * (hi[i1] - lo[i1])).astype(np.int64)]
    sep = _no_common(vv[i1], p1[i1], p2, cs, cd, nt)
    i1, p2 = i1[sep], p2[sep]
    cu = np.where(v_out[i1], vv[i1], p2)
    cv = np.where(v_out[i1], p2, vv[i1])
    s_, d_, ok = draw_unique(rng, cu, cv, None, None, yd.keys, nt, max_rounds=1)
    okk = np.flatnonzero(ok)[:n_cop]
    yd.add(s_[okk], d_[okk])
    j = i1[okk]
    net.tc_keys.append(np.where(v_out[j], vv[j] * nt + p1[j], p1[j] * nt + vv[j]))


def _copartner_candidates(plat_ok, cs, cd, pop: Population, net: Network):
    """The (partner v, platform p1) relations among cs -> cd with exactly one platform end,
    v present, unnamed and not an investor, p1 tied to another eligible platform. Returns
    (v, p1, v_out, lo, hi, tb): v_out marks v -> p1; tb[lo:hi] are p1's tied platforms."""
    is_plat = pop.is_plat
    pm = plat_ok[cs] & plat_ok[cd]          # platform pairs (either direction)
    ta = np.concatenate([cs[pm], cd[pm]])
    tb = np.concatenate([cd[pm], cs[pm]])
    o_ = np.argsort(ta, kind="stable")
    ta, tb = ta[o_], tb[o_]
    plat_src, plat_dst = is_plat[cs], is_plat[cd]
    ps_ = plat_src & ~plat_dst
    pd_ = plat_dst & ~plat_src
    vv = np.concatenate([cd[ps_], cs[pd_]])
    p1 = np.concatenate([cs[ps_], cd[pd_]])
    v_out = np.concatenate([np.zeros(int(ps_.sum()), bool), np.ones(int(pd_.sum()), bool)])
    keep = ~pop.is_inv[vv] & ~pop.named[vv] & net.present[vv]
    vv, p1, v_out = vv[keep], p1[keep], v_out[keep]
    run_start, run_length = node_runs(ta, pop.nt)
    lo = run_start[p1]
    hi = lo + run_length[p1]
    has = hi > lo
    return vv[has], p1[has], v_out[has], lo[has], hi[has], tb


def _no_common(v, p1, p2, cs, cd, nt):
    """For candidate closures (v, p1, p2): True where no neighbour w of v other than p1
    (undirected, relations cs -> cd) is a neighbour of p1 or p2."""
    # Only two small sets of pairs are sorted: those from a v, and those from one of their
    # neighbours to a p1 or p2 (not every relation of the platforms).
    of_v = np.zeros(nt, bool)
    of_v[v] = True
    vkey = sorted_unique(_pair_keys(cs, cd, of_v[cs], of_v[cd], nt))
    run_start, run_length = node_runs(vkey // nt, nt)
    start, cnt = run_start[v], run_length[v]
    row = np.repeat(np.arange(len(v)), cnt)
    off = np.arange(len(row)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    w = vkey[np.repeat(start, cnt) + off] % nt
    other = w != p1[row]
    row, w = row[other], w[other]
    of_w = np.zeros(nt, bool)
    of_w[w] = True
    of_p = np.zeros(nt, bool)
    of_p[p1] = of_p[p2] = True
    wkey = sorted_unique(_pair_keys(cs, cd, of_w[cs] & of_p[cd], of_w[cd] & of_p[cs], nt))
    hit = isin_sorted((wkey,), w * nt + p1[row]) | isin_sorted((wkey,), w * nt + p2[row])
    return np.bincount(row[hit], minlength=len(v)) == 0
