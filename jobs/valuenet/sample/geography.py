"""Geography: provinces and cities, set after the graph is grown (they do not steer it).

Platforms and other sample enterprises are drawn from urns with the published enterprise /
platform location composition (provinces, and cities inside provinces: section 5.2). A
relation node is, with probability ``geo_homophily``, in the province of one of its
technology-cooperation partners that is already located (same-province preference,
Tables 8 and 9); the other relation nodes are drawn from province distributions solved,
separately for mainly-enabling and mainly-receiving nodes, so that the enabling / input
shares of the last year's technology cooperation approach Tables 7 and 10 given
everything else; their cities inside a province are solved likewise for the cities of
Table 10.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import vocab
from .codes import SAMPLE, TC
from .draws import sorted_unique
from .knobs import Knobs
from .noise import EdgeRows
from .population import Population

P = vocab.PROVINCES


@dataclass
class _Mix:
    """Province distributions (over vocab.PROVINCES) the geography draws from or aims at."""

    enabling: np.ndarray   # Table 7: enabling side of the last year's technology cooperation
    input: np.ndarray      # Table 7: receiving side
    platform: np.ndarray   # unnamed platforms (the published platform locations less the named ones)
    enterprise: np.ndarray  # other sample enterprises (the published enterprise locations less the platforms)


def geography(rng, figs: dict, pop: Population, rows: EdgeRows, last_year: int, knobs: Knobs):
    """(province, city) per node, as object arrays of names."""
    tsrc, tdst = _last_year_tc_pairs(rows, pop.nt, last_year)
    mix = _province_mix(figs, pop)
    prov = np.full(pop.nt, -1, np.int64)
    city = np.empty(pop.nt, dtype=object)
    for i, nm in enumerate(pop.hub_names):
        prov[i] = P.index(vocab.NAMED_LOCATIONS[nm][0])
        city[i] = vocab.NAMED_LOCATIONS[nm][1]
    cls = np.where(pop.named, -1, np.where(pop.is_plat, 0, np.where(pop.kind == SAMPLE, 1, 2)))
    # sample enterprises: drawn from urns with the published location composition
    for c, p in ((0, mix.platform), (1, mix.enterprise)):
        m = np.flatnonzero(cls == c)
        prov[m] = _urn(rng, len(m), p)
    _enterprise_cities(rng, figs, pop, prov, city)
    _relation_node_provinces(rng, cls == 2, tsrc, tdst, mix, prov, city, knobs)
    _relation_node_cities(rng, figs, tsrc, tdst, prov, city)
    return np.array(P, dtype=object)[prov], city


def _last_year_tc_pairs(rows: EdgeRows, nt: int, last: int):
    """(src, dst) of the distinct technology-cooperation pairs of the last year network."""
    live = ((rows.rel == TC) & (rows.src != rows.dst) & (rows.start <= last)
            & ((rows.end < 0) | (rows.end >= last)))
    tc_pairs = sorted_unique(rows.src[live] * nt + rows.dst[live])
    return tc_pairs // nt, tc_pairs % nt


def _province_mix(figs: dict, pop: Population) -> _Mix:
    """The published province shares as distributions; the enterprise urns net of what is
    placed already (the named hubs, the platforms among the enterprises)."""
    ps = figs["province_shares"]
    ena = {r[0]: r[2] for r in ps["enabling"]}
    inp = {r[0]: r[2] for r in ps["input"]}
    t_en = _prov_vector(ena, list(ena.items()), other=0.05)
    t_in = _prov_vector(inp, list(inp.items()), other=0.05)
    fill = [(r[0], r[2]) for r in ps["enabling"]]
    p_ent = _prov_vector(figs["enterprise_location_shares"]["provinces"], fill, other=0.1)
    p_plat = _prov_vector(figs["platform_location_shares"]["provinces"], fill, other=0.1)
    n_s = int((pop.kind == SAMPLE).sum())
    n_p = int(pop.is_plat.sum())
    hub_prov = np.array([P.index(vocab.NAMED_LOCATIONS[nm][0]) for nm in pop.hub_names], np.int64)
    named_cnt = np.bincount(hub_prov[:int((pop.named & (pop.kind == SAMPLE)).sum())], minlength=len(P))
    p_np = (n_s * p_ent - n_p * p_plat).clip(min=1e-4)
    p_np /= p_np.sum()
    p_plat = (n_p * p_plat - named_cnt).clip(min=1e-4)
    p_plat /= p_plat.sum()
    return _Mix(enabling=t_en, input=t_in, platform=p_plat, enterprise=p_np)


def _prov_vector(pairs: dict, fill_from: list | None = None, other: float = 0.01) -> np.ndarray:
    """A distribution over vocab.PROVINCES: the given shares, the remainder spread
    over `fill_from` (province -> weight) and then the other provinces."""
    v = np.zeros(len(P))
    for k, s in pairs.items():
        v[P.index(k)] = s
    rest = max(0.0, 1.0 - v.sum())
    if fill_from:
        f = np.zeros(len(P))
        for k, s in fill_from:
            if k in P and k not in pairs:
                f[P.index(k)] = s
        zero = (v == 0) & (f == 0)
        f[zero] = other * (f.sum() / max(1, len(fill_from))) if f.sum() > 0 else 1.0
        v += rest * f / f.sum()
    else:
        v[v == 0] = rest / max(1, int((v == 0).sum()))
    return v / v.sum()


def _urn(rng, n: int, p: np.ndarray) -> np.ndarray:
    """n labels with the composition of p (largest remainders), in random order."""
    if n <= 0:
        return np.empty(0, np.int64)
    p = np.asarray(p, float).clip(min=0)
    p = p / p.sum()
    c = np.floor(p * n).astype(np.int64)
    short = n - int(c.sum())
    if short > 0:
        c[np.argsort(-(p * n - c), kind="stable")[:short]] += 1
    return rng.permutation(np.repeat(np.arange(len(p)), c))


def _lsq_share(o: float, i: float, b_en: np.ndarray, b_in: np.ndarray) -> np.ndarray:
    """Least-squares shares q >= 0 with o*q ~ b_en and i*q ~ b_in."""
    return ((o * b_en + i * b_in) / max(o ** 2 + i ** 2, 1e-9)).clip(min=0)


def _city_weights(pname: str) -> tuple[list, np.ndarray]:
    """The cities of a province in the vocabulary and their default weights (summing to 1)."""
    cn = list(vocab.CITIES[pname])
    w = np.array([vocab.CITIES[pname][k] for k in cn], float)
    return cn, w / w.sum()


def _enterprise_cities(rng, figs: dict, pop: Population, prov, city) -> None:
    """Cities of the unnamed sample enterprises: urns per province with the published
    enterprise city shares (net of the named hubs there), the vocabulary's weights for
    the unpublished rest."""
    ecs = figs["enterprise_location_shares"].get("cities", {})
    smp = pop.kind == SAMPLE
    n_s = int(smp.sum())
    nh = pop.nh
    for j, pname in enumerate(P):
        m = np.flatnonzero((prov == j) & smp & ~pop.named)
        if len(m) == 0:
            continue
        cn, w = _city_weights(pname)
        pub = np.array([ecs.get(k, np.nan) if k != pname or len(cn) == 1 else np.nan
                        for k in cn], float)
        known = ~np.isnan(pub)
        if known.any() and len(cn) > 1:
            n_j = int(((prov == j) & smp).sum())
            want = np.zeros(len(cn))
            want[known] = pub[known] * n_s
            rest = max(0.0, n_j - want[known].sum())
            want[~known] = rest * w[~known] / max(w[~known].sum(), 1e-12)
            have = np.array([np.sum((city[:nh] == k) & smp[:nh]) for k in cn], float)
            w = (want - have).clip(min=1e-3)
        city[m] = np.array(cn, dtype=object)[_urn(rng, len(m), w)]


def _relation_node_provinces(rng, rel, tsrc, tdst, mix: _Mix, prov, city, knobs: Knobs) -> None:
    """Provinces of the relation nodes ``rel``: with probability geo_homophily where one of
    its located technology-cooperation partners is (and then with probability geo_city_copy
    in its city too), else drawn (``_solved_provinces``)."""
    nt = len(prov)
    located = prov >= 0
    e_rel_s = rel[tsrc] & located[tdst]
    e_rel_d = rel[tdst] & located[tsrc]
    cand_r = np.concatenate([tsrc[e_rel_s], tdst[e_rel_d]])
    cand_p = np.concatenate([tdst[e_rel_s], tsrc[e_rel_d]])
    sh = rng.permutation(len(cand_r))
    cand_r, cand_p = cand_r[sh], cand_p[sh]
    # each relation node's first candidate in the shuffled order (np.unique's first index, by
    # a minimum per node instead of a sort)
    first = np.full(nt, len(cand_r), np.int64)
    np.minimum.at(first, cand_r, np.arange(len(cand_r)))
    part = np.full(nt, -1, np.int64)
    has = first < len(cand_r)
    part[has] = cand_p[first[has]]
    copy = rel & (part >= 0) & (rng.random(nt) < knobs.geo_homophily)
    ci = np.flatnonzero(copy)
    prov[ci] = prov[part[ci]]
    cc = ci[rng.random(len(ci)) < knobs.geo_city_copy]
    city[cc] = city[part[cc]]
    _solved_provinces(rng, rel & ~copy, tsrc, tdst, mix, prov)


def _solved_provinces(rng, drawn, tsrc, tdst, mix: _Mix, prov) -> None:
    """Draw the provinces of the nodes ``drawn`` from distributions solved so that the
    enabling / input province shares of the pairs tsrc -> tdst approach Table 7 given the
    nodes placed already: two classes (mainly enabling / mainly receiving), a 2x2 solve per
    province (least squares when the classes are alike)."""
    nt, npv = len(prov), len(P)
    out_d = np.bincount(tsrc, minlength=nt).astype(float)
    in_d = np.bincount(tdst, minlength=nt).astype(float)
    tot = float(len(tsrc))
    fx = ~drawn & (prov >= 0)
    fixed_en = np.bincount(prov[fx], weights=out_d[fx], minlength=npv)
    fixed_in = np.bincount(prov[fx], weights=in_d[fx], minlength=npv)
    b_en, b_in = mix.enabling * tot - fixed_en, mix.input * tot - fixed_in
    cl_a = drawn & (out_d > in_d)
    cl_b = drawn & ~cl_a
    oa, ia, ob, ib = out_d[cl_a].sum(), in_d[cl_a].sum(), out_d[cl_b].sum(), in_d[cl_b].sum()
    det = oa * ib - ob * ia
    if abs(det) > 1e-9 * max(oa * ib, 1.0):
        qa = ((ib * b_en - ob * b_in) / det).clip(min=0)
        qb = ((oa * b_in - ia * b_en) / det).clip(min=0)
    else:
        qa = qb = _lsq_share(oa + ob, ia + ib, b_en, b_in)
    for cl_m, q in ((cl_a, qa), (cl_b, qb)):
        q = q + 1e-4 if q.sum() > 0 else mix.input.copy()
        m = np.flatnonzero(cl_m)
        prov[m] = rng.choice(npv, size=len(m), p=q / q.sum())


def _relation_node_cities(rng, figs: dict, tsrc, tdst, prov, city) -> None:
    """Cities of the nodes still without one (relation nodes), inside their province: for
    provinces with a city of Table 10, solved so that the enabling / input city shares
    approach it given the nodes placed already; else the vocabulary's weights."""
    cs_ = figs.get("city_shares", {})
    c_en = {r[0]: r[2] for r in cs_.get("enabling", [])}
    c_in = {r[0]: r[2] for r in cs_.get("input", [])}
    nt = len(prov)
    out_d = np.bincount(tsrc, minlength=nt).astype(float)
    in_d = np.bincount(tdst, minlength=nt).astype(float)
    tot = float(len(tsrc))
    # Each province places only its own nodes, so which nodes are placed is known at the start
    # (comparing millions of objects with None per province cost seconds).
    placed = city != None  # noqa: E711
    for j, pname in enumerate(P):
        in_j = prov == j
        mj = np.flatnonzero(in_j & ~placed)
        if len(mj) == 0:
            continue
        cn, w = _city_weights(pname)
        if len(cn) > 1 and any(k in c_en or k in c_in for k in cn):
            fxj = in_j & placed
            w = _solved_city_shares(cn, w, c_en, c_in, fxj, city, out_d[mj].sum(), in_d[mj].sum(),
                                    out_d, in_d, tot)
        city[mj] = np.array(cn, dtype=object)[rng.choice(len(cn), size=len(mj), p=w / w.sum())]


def _solved_city_shares(cn, w, c_en, c_in, fxj, city, o_j, i_j, out_d, in_d, tot) -> np.ndarray:
    """City weights inside a province for the nodes still to place (o_j / i_j: their
    enabling / receiving pair counts): published cities solved toward their Table 10
    shares net of the located nodes ``fxj``, the rest by the vocabulary's weights ``w``."""
    q = np.full(len(cn), np.nan)
    for a, k in enumerate(cn):
        if k not in c_en and k not in c_in:
            continue
        fk = fxj & (city == k)
        b_en = c_en[k] * tot - out_d[fk].sum() if k in c_en else None
        b_in = c_in[k] * tot - in_d[fk].sum() if k in c_in else None
        if b_en is None:
            q[a] = max(b_in / max(i_j, 1e-9), 0.0)
        elif b_in is None:
            q[a] = max(b_en / max(o_j, 1e-9), 0.0)
        else:
            q[a] = float(_lsq_share(o_j, i_j, np.array([b_en]), np.array([b_in]))[0])
    known = ~np.isnan(q)
    q[known] = q[known].clip(0, 1)
    if q[known].sum() > 1:
        q[known] /= q[known].sum()
    rest = 1.0 - q[known].sum()
    q[~known] = rest * w[~known] / max(w[~known].sum(), 1e-12)
    return q.clip(min=1e-6)
