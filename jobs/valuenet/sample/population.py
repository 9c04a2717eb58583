"""The registry: every node the sample will ever hold, hubs first, with its org type and fitnesses.

Year Y of the year table adds the sample enterprises and relation nodes needed for the
network of Y to have its exact node counts; those joiners, plus some registry nodes that
never get a relation (mostly investors), are the registry. The named hubs of Tables 3
and 4 take the first places and carry stochastic degree quotas. Every other node gets
heavy-tailed fitnesses (lognormal / Pareto, separate out- and in-propensities per org
type) that steer who is drawn as an endpoint; unnamed platform enterprises carry the
heaviest out-fitness. The unnamed platforms are drawn from the enterprises of every
joining year (``platform_age_exp`` = 0), so they enter the network over time and the
early platform network is small and hub-centred.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import vocab
from .codes import ALL, ENT, GOV, INV, OTH, RELATION, RI, SAMPLE, UNI
from .knobs import Knobs
from .targets import Targets


@dataclass
class Population:
    """The registry, nodes indexed 0..nt-1: the named hubs first, then the joiners in joining
    order, then the nodes that never join. Fitness arrays are per node; the diffusion chains
    of the growth scale some of them down in place."""

    hub_names: list          # names of the hubs (nodes 0..nh-1): sample hubs, then relation hubs
    hub_in: np.ndarray       # each hub's realised in-degree quota (last year)
    hub_out: np.ndarray      # ... and out-degree quota
    n_grow: int              # nodes that join the network some year (the rest never do)
    kind: np.ndarray         # SAMPLE / RELATION
    intro: np.ndarray        # index of the joining year, -1: never joins
    org: np.ndarray          # org type code
    named: np.ndarray        # a named hub
    is_plat: np.ndarray      # a platform enterprise
    fo: np.ndarray           # out-fitness for technology cooperation / human capital
    fi: np.ndarray           # in-fitness for the same
    fo_inv: np.ndarray       # investors' pull as investing side
    fi_inv: np.ndarray       # sample enterprises' pull as invested side

    @property
    def nt(self) -> int:
        return len(self.kind)

    @property
    def nh(self) -> int:
        return len(self.hub_names)

    @property
    def is_inv(self) -> np.ndarray:
        return self.org == INV

    @property
    def plat_u(self) -> np.ndarray:
        """Unnamed platforms."""
        return self.is_plat & ~self.named


def populate(rng, figs: dict, scale: float, tg: Targets, knobs: Knobs) -> Population:
    """Draw the registry: hub quotas, org types, platforms and fitnesses (in that order)."""
    hub_names, hub_kind, hub_org, hub_in, hub_out = _hubs(figs, scale, tg.sample[0], tg.relation[0])
    hub_in, hub_out = _noisy_quotas(rng, hub_kind, hub_in, hub_out, knobs)
    n_hs = int((hub_kind == SAMPLE).sum())
    n_iso = int(round(knobs.isolated * scale))
    kind, intro, n_grow = _registry(tg, n_hs, len(hub_names) - n_hs, n_iso)
    named = np.zeros(len(kind), bool)
    named[:len(hub_names)] = True
    org = _org_types(rng, figs, scale, tg, kind, named, hub_org, n_grow)
    n_plat = int(round(figs.get("database", {}).get("platform_enterprises", 200) * scale))
    is_plat = _platforms(rng, kind, intro, named, n_hs, n_plat, knobs)
    fo, fi, fo_inv, fi_inv = _fitnesses(rng, kind, org, named, is_plat, knobs)
    return Population(hub_names=hub_names, hub_in=hub_in, hub_out=hub_out, n_grow=n_grow,
                      kind=kind, intro=intro, org=org, named=named, is_plat=is_plat,
                      fo=fo, fi=fi, fo_inv=fo_inv, fi_inv=fi_inv)


def _hubs(figs: dict, scale: float, S0: int, R0: int):
    """The named hubs that fit in the first year network (at most half its sample nodes,
    a quarter of its relation nodes) with their published degrees times ``scale``."""
    ts = figs["top_sample_nodes"]
    tr = figs["top_relation_nodes"]
    ics = ts["columns"]
    icr = tr["columns"]
    n_s = int(min(len(ts["rows"]), max(0, S0 // 2)))
    n_r = int(min(len(tr["rows"]), max(0, R0 // 4)))
    hs = []
    for row in ts["rows"][:n_s]:
        r = dict(zip(ics, row))
        hs.append((r["name"], SAMPLE, ENT, r["in_degree"], r["out_degree"]))
    for row in tr["rows"][:n_r]:
        r = dict(zip(icr, row))
        hs.append((r["name"], RELATION, vocab.ORG_TYPES.index(r["org_type"]),
                   r["in_degree"], r["out_degree"]))
    names = [h[0] for h in hs]
    kind = np.array([h[1] for h in hs], np.int8)
    org = np.array([h[2] for h in hs], np.int8)
    t_in = np.array([h[3] for h in hs], float) * scale
    t_out = np.array([h[4] for h in hs], float) * scale
    return names, kind, org, t_in, t_out


def _noisy_quotas(rng, hub_kind, t_in, t_out, knobs: Knobs):
    """The hubs' realised quotas: each published in/out degree times an independent
    lognormal factor (sd hub_quota_sd, normal truncated at +-hub_quota_clip sd), so
    measured degrees land near, not on, the tables. Redrawn (seeded, at most 200 times)
    until the sample hubs' top hub_order_keep by total degree keep the published order
    (JD.com and China Mobile are 1.5 % apart)."""
    smp = np.flatnonzero(hub_kind == SAMPLE)
    pub_tot = (t_in + t_out)[smp]
    k = min(knobs.hub_order_keep, len(smp))
    want = np.argsort(-pub_tot, kind="stable")[:k]
    clip = knobs.hub_quota_clip
    for _ in range(200):
        z_in = rng.normal(0.0, 1.0, len(t_in)).clip(-clip, clip)
        z_out = rng.normal(0.0, 1.0, len(t_out)).clip(-clip, clip)
        q_in = t_in * np.exp(knobs.hub_quota_sd * z_in)
        q_out = t_out * np.exp(knobs.hub_quota_sd * z_out)
        tot = (np.rint(q_in) + np.rint(q_out))[smp]
        got = np.argsort(-tot, kind="stable")[:k]
        if np.array_equal(got, want):
            break
    return q_in, q_out


def _registry(tg: Targets, n_hs: int, n_hr: int, n_iso: int):
    """Kind and joining year of every registry node: the year's joiners are the growth of
    its sample / relation node count; the hubs take the places of the first year's first
    joiners; the n_iso nodes that never join (relation nodes) come last.
    Returns (kind, intro, n_grow)."""
    join_S = np.diff(np.concatenate([[0], tg.sample])).clip(min=0)
    join_R = np.diff(np.concatenate([[0], tg.relation])).clip(min=0)
    kind_l, intro_l = [], []
    for yi in range(tg.n_years):
        kind_l.append(np.full(join_S[yi], SAMPLE, np.int8))
        kind_l.append(np.full(join_R[yi], RELATION, np.int8))
        intro_l.append(np.full(join_S[yi] + join_R[yi], yi, np.int16))
    kind_g = np.concatenate(kind_l)
    intro_g = np.concatenate(intro_l)
    first_s = np.flatnonzero((kind_g == SAMPLE) & (intro_g == 0))[:n_hs]
    first_r = np.flatnonzero((kind_g == RELATION) & (intro_g == 0))[:n_hr]
    moved = np.zeros(len(kind_g), bool)
    moved[first_s] = moved[first_r] = True
    rest = np.flatnonzero(~moved)
    order = np.concatenate([first_s, first_r, rest])
    kind = np.concatenate([kind_g[order], np.full(n_iso, RELATION, np.int8)])
    intro = np.concatenate([intro_g[order], np.full(n_iso, -1, np.int16)])
    return kind, intro, len(order)


def _relation_org_mix(figs: dict, R_last: int, scale: float) -> np.ndarray:
    """Org type shares of the unnamed relation nodes: the database's investors,
    universities, institutes and alliances over the last year's relation nodes, a few
    government and other bodies, enterprises for the rest."""
    db = figs.get("database", {})
    n = max(R_last / max(scale, 1e-9), 1.0)
    p = np.zeros(7)
    p[INV] = db.get("investors", 5722) / n * 0.95
    p[UNI] = db.get("ai_universities", 438) / n
    p[RI] = db.get("research_institutes", 307) / n
    p[ALL] = db.get("industry_alliances", 967) / n
    p[GOV] = 0.03
    p[OTH] = 0.03
    p[ENT] = max(0.2, 1 - p.sum())
    return p / p.sum()


def _org_types(rng, figs, scale, tg: Targets, kind, named, hub_org, n_grow) -> np.ndarray:
    """Sample nodes are enterprises; unnamed joining relation nodes follow the relation org
    mix; the nodes that never join are mostly investors."""
    org = np.full(len(kind), ENT, np.int8)
    org[:len(hub_org)] = hub_org
    relm = (kind == RELATION) & ~named
    relm[n_grow:] = False
    org[relm] = rng.choice(7, size=int(relm.sum()), p=_relation_org_mix(figs, tg.relation[-1], scale))
    n_iso = len(kind) - n_grow
    org[n_grow:] = rng.choice([INV, ENT, OTH], size=n_iso, p=[0.7, 0.2, 0.1])
    return org


def _platforms(rng, kind, intro, named, n_hs, n_plat, knobs: Knobs) -> np.ndarray:
    """Platform enterprises: the named sample hubs plus unnamed sample enterprises drawn
    with weight 1 / (1 + join year index) ** platform_age_exp, n_plat in all."""
    is_plat = np.zeros(len(kind), bool)
    is_plat[:n_hs] = True
    cand = np.flatnonzero((kind == SAMPLE) & ~named)
    need = max(0, min(n_plat - n_hs, len(cand)))
    if need:
        w = 1.0 / (1.0 + intro[cand].astype(float)) ** knobs.platform_age_exp
        is_plat[rng.choice(cand, size=need, replace=False, p=w / w.sum())] = True
    return is_plat


def _fitnesses(rng, kind, org, named, is_plat, knobs: Knobs):
    """Out- and in-fitness for technology cooperation / human capital (fo, fi) and for
    investments (fo_inv: investors, fi_inv: sample enterprises). Named hubs have none:
    their relations come from their quotas. Each lognormal is drawn for every node and
    read where it applies."""
    nt = len(kind)
    ln = lambda mu, s: rng.lognormal(mu, s, nt)  # noqa: E731
    fo = np.zeros(nt)
    fi = np.zeros(nt)
    smp = kind == SAMPLE
    plat_u = is_plat & ~named
    so_mu, so_sd, si_mu, si_sd = knobs.sample_fitness
    scale_, shape, cap = knobs.platform_fo
    fo[smp] = ln(so_mu, so_sd)[smp]
    fo[plat_u] = np.minimum(scale_ * (1.0 + rng.pareto(shape, nt)), cap)[plat_u]
    fi[smp] = ln(si_mu, si_sd)[smp]
    fi[plat_u] = ln(*knobs.platform_fi)[plat_u]
    rel = kind == RELATION
    for org_type, mo, so, mi, si in knobs.relation_fitness:
        m = rel & (org == vocab.ORG_TYPES.index(org_type))
        fo[m] = ln(mo, so)[m]
        fi[m] = ln(mi, si)[m]
    fo = np.minimum(fo, cap)
    fi = np.minimum(fi, knobs.in_fitness_cap)
    inv_shape, inv_cap = knobs.investor_fitness
    fo_inv = np.where(org == INV, 1.0 + rng.pareto(inv_shape, nt), 0.0)
    fo_inv = np.minimum(fo_inv, inv_cap)
    fi_inv = np.where(smp, ln(*knobs.invested_fitness), 0.0)
    fo[named] = fi[named] = fo_inv[named] = fi_inv[named] = 0.0
    return fo, fi, fo_inv, fi_inv

