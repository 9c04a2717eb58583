"""The calibrated synthetic sample: a seeded stochastic growth model of the value network.

``generate(scale, seed)`` returns ``(nodes, edges)`` as pyarrow Tables in the input
format of DESIGN.md section 2. Pure NumPy + pyarrow, no Spark.

The model (every figure valuenet prints about it is measured on the generated graph):

* **Growth, year by year** (2014..2022 from Table 2 of the report). Year Y adds the
  sample enterprises and relation nodes needed so that the network of Y has exactly
  ``round(table * scale)`` sample nodes, relation nodes and distinct directed edges.
  Every new node gets one relation to a node already in the network (its anchor) or
  to a named hub, then the rest of the year's relations are drawn between active
  nodes with endpoint probabilities proportional to heavy-tailed node fitnesses
  (lognormal / Pareto, separate out- and in-propensities per org type; platform
  enterprises carry the heaviest out-fitness). Candidate pairs are deduplicated
  against every pair drawn so far and topped up until the count is exact.
* **Named hubs** (Tables 3 and 4) get stochastic degree quotas: each hub's realised
  in/out quota is its published degree times ``scale`` times an independent seeded
  lognormal factor (sd ``HUB_QUOTA_SD`` = 3.5 %, truncated at 2 sd), so the measured
  2022 degrees land near, not on, the published values. The draw is repeated (seeded) until the top
  ``HUB_ORDER_KEEP`` sample hubs by total degree keep the report's order (Huawei,
  Tencent, JD.com, China Mobile, Alibaba Cloud; JD.com and China Mobile are 1.5 %
  apart). Their cumulative quota in year Y is ``quota * (E_Y / E_2022) ** g_Y``
  (``HUB_GROWTH``).
  Their partners are mostly the year's new nodes, so hubs grow with the network.
* **Exits and endings.** When the number of sample enterprises falls (2205 -> 2200 in
  2021), low-degree enterprises leave: all their relations get ``end_year = Y - 1``.
  Each year also ends a small share of relations (endpoints stay in the network
  through other relations); the next year's budget compensates, so counts stay exact.
* **Valid noise that collapses**: parallel relations (another relation type or a
  repeated one, with start/end inside the life of the pair) and a few self-loops on
  nodes that are in the network anyway. Some registry nodes (mostly investors) have
  no relation at all.
* **Relation types** follow the endpoints: an investor's relations are investments;
  otherwise technology cooperation, with human capital more likely when a
  university or research institute is involved.
* **Attributes**: tech_category / application_field / industry are set on
  technology-cooperation relations only, drawn with the report's published shares
  (section 6) and the unpublished rest spread evenly. ``industry`` is the receiving
  side's industry as a hierarchical string: ``"<sector> / <industry>"``, and for
  manufacturing ``"secondary / manufacturing / <sub-industry>"`` (separator
  ``vocab.INDUSTRY_SEP``). Weights are 1.0, investments carry a lognormal amount.
* **Geography** is set after the graph is grown (it does not steer the graph).
  Platforms and other sample enterprises are drawn from urns with the published
  enterprise / platform location composition (provinces, and cities inside provinces:
  section 5.2). A relation node is, with probability ``GEO_HOMOPHILY``, in the province
  of one of its technology-cooperation partners that is already located (same-province
  preference, Tables 8 and 9); the other relation nodes are drawn from province
  distributions solved, separately for mainly-enabling and mainly-receiving nodes, so
  that the enabling / input shares of the last year's technology cooperation approach
  Tables 7 and 10 given everything else; their cities inside a province are solved
  likewise for the cities of Table 10.
* **Shape calibration** (Table 2 path lengths and clustering): hubs hold a larger
  share of the early networks (``HUB_GROWTH`` < 1), so the first years are
  hub-centred rather than long chains; in early years extra relations between two
  partners of the same hub are rejected (``HUB_CLOSE_REJECT``, tree-like early
  networks), from 2020 a share of them deliberately joins two partners of one hub
  (``HUB_CLOSURE``, triadic closure), raising clustering as published.
* **Platform network shape** (Table 6). The unnamed platforms are drawn from the
  enterprises of every joining year (``PLATFORM_AGE_EXP`` = 0), so they enter the
  network over time and the early platform network is small and hub-centred. The
  platform core (``PLATFORM_TIE``: reciprocated technology cooperation between
  platforms) forms early: a larger share of the first years' relations tie platforms,
  which shortens platform-network paths (the report's early platform network is
  0.7-0.8 steps shorter than the whole network). In 2020-2021 the ties are one-way
  relay ties (``PLATFORM_TIE_FLOW``, ``PLATFORM_TIE_RECIP``): from a platform that
  receives much to one that enables much, with a wave in 2020, between platforms that
  share no small partner (``PLATFORM_TIE_AVOID``). They are shortcuts along the flow of
  technology that shorten the 2021 platform network's paths (Table 6: 3.455) without
  closing triangles around small organisations (its clustering stays as published).
  Shared partners of tied platforms
  (``PLATFORM_COPARTNER``, closure around platform pairs) are rare before 2016 and
  peak in 2019, when the report's platform-network clustering jumps.
* **Diffusion chains** (periphery, Table 2 diameters). A share ``CHAIN_SHARE`` of the
  newcomers without a hub partner receive technology second-hand from a small
  downstream organisation (not a platform, hub or investor), the tips of existing
  chains preferred (``CHAIN_DEPTH_EXP``), up to ``CHAIN_ROUNDS`` steps a year; chain
  members' fitnesses are scaled by ``CHAIN_FIT`` so that chains stay thin. These
  relations have no platform end, so they lengthen the whole network's longest paths
  without touching the platform network.

All randomness comes from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from valuenet.published import published

from . import vocab


# org type codes (index into vocab.ORG_TYPES)
ENT, INV, UNI, RI, GOV, ALL, OTH = range(7)
SAMPLE, RELATION = 0, 1
TC, HC, IV = 0, 1, 2  # relation codes (index into vocab.RELATIONS)

NODE_SCHEMA = pa.schema([
    ("id", pa.string()), ("name", pa.string()), ("kind", pa.string()),
    ("org_type", pa.string()), ("province", pa.string()), ("city", pa.string()),
    ("founded_year", pa.int32()), ("is_platform", pa.bool_()),
])
EDGE_SCHEMA = pa.schema([
    ("src", pa.string()), ("dst", pa.string()), ("relation", pa.string()),
    ("start_year", pa.int32()), ("end_year", pa.int32()),
    ("tech_category", pa.string()), ("application_field", pa.string()),
    ("industry", pa.string()), ("weight", pa.float64()),
])

# --- model parameters (not figures of the report) -------------------------------
HUB_NEW_PARTNER_CAP = 0.85   # at most this share of a year's new nodes partner a hub
FIRST_INVESTED = 0.20        # a new enterprise's first relation is an investment
FIRST_ENABLES = 0.65         # ... else it enables a counterpart (else receives)
REL_RECEIVES_FIRST = 0.80    # a new non-investor relation node first receives technology
EXTRA_INVESTMENT = 0.06      # share of the extra relations that are investments
END_SHARE = 0.004            # relations ending each year (compensated)
PARALLEL_SHARE = 0.03        # parallel duplicate relations
HC_ACADEMIC = 0.35           # P(human capital) when a university/institute is involved
HC_OTHER = 0.05
HC_FIRST = (0.15, 0.15, 0.20, 0.30, 0.55, 0.55, 0.25)  # per year: P(human capital) for a new
                             # node's first relation (not academic, not an investment); steers
                             # how many of the year's newcomers join the platform network
ISOLATED = 300               # registry nodes with no relation (scaled)
SELF_LOOPS = 5               # (scaled, at least 1)
HUB_QUOTA_SD = 0.035         # lognormal sd of a hub's realised quota around its table value
HUB_QUOTA_CLIP = 2.0         # ... truncated at +-2 sd (a hub is at most ~7 % off its table)
HUB_ORDER_KEEP = 5           # the top sample hubs by total degree keep the published order
HUB_CLOSE_REJECT = (1.0, 0.8, 0.5, 0.5, 1.0, 1.0, 0.0)  # per year from the first: P(reject a
                             # pair sharing a hub neighbour), the last value for later years
HUB_CLOSURE = (0.0,)  # per year: share of the extra relations
                             # that join two partners of the same hub (triadic closure)
GEO_HOMOPHILY = 0.33         # P(a relation node is in the province of one of its partners)
GEO_CITY_COPY = 0.0          # ... and then P(also in its city; else drawn in the province)
HUB_GROWTH = (0.85, 0.86, 0.88, 0.9)  # hub quota in year Y: quota * (E_Y / E_last) ** g_Y,
                             # g_Y per year from the first, the last value for later years
                             # (< 1: hubs hold a larger share early, short paths early)
ANCHOR_EXP = 0.35            # new nodes anchor with weight fitness ** ANCHOR_EXP (flatter)
CHAIN_SHARE = (0.3,)         # per year: share of the newcomers without a hub partner that
                             # join a diffusion chain (receive from a downstream organisation)
CHAIN_ROUNDS = 3             # ... chains can deepen this many steps within a year
CHAIN_DEPTH_EXP = 2.0        # ... the giver drawn with weight (1 + its chain depth) ** this
CHAIN_FIT = 0.05             # ... chain members' fitnesses are scaled by this (they stay thin)
PLATFORM_AGE_EXP = 0.0       # unnamed platforms: sample enterprises drawn with weight
                             # 1 / (1 + join year index) ** this; 0: platforms join the network
                             # over the years like other enterprises (a small, hub-centred early
                             # platform network instead of ~140 young platforms in 2015)
PLATFORM_FO = (8.0, 1.8, 32.0)   # unnamed platforms' out-fitness: scale, Pareto shape, cap
PLATFORM_FI = (1.0, 0.8)         # unnamed platforms' in-fitness: lognormal mu, sigma
EXTRA_PLATFORM_OUT = 0.20  # share of extra relations from an unnamed platform
EXTRA_PLATFORM_IN = 0.48  # share of extra relations into an unnamed platform
PLATFORM_TIE = (0.14, 0.14, 0.08, 0.06, 0.04, 0.03, 0.09, 0.015)  # per year: share of the
                             # extra relations that tie two platform enterprises (platform core;
                             # technology cooperation), the last value for later years; 2020:
                             # a wave of relay ties (see PLATFORM_TIE_FLOW)
PLATFORM_TIE_NAMED_FROM = 6  # ... named platform hubs take part from this year index (not in
                             # the last year, whose hub degrees are final)
PLATFORM_TIE_EXP = 0.5       # ... endpoints drawn with weight (degree + 1) ** this
PLATFORM_TIE_RECIP = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0)  # ... per year: P(the tie
                             # is reciprocated in the same year)
PLATFORM_TIE_FLOW = (0, 0, 0, 0, 0, 0, 1, 1, 0)  # ... per year: 1 = relay ties, from a platform
                             # drawn by its in-degree to one drawn by its out-degree (else the
                             # reverse): one-way shortcuts along the flow of technology
PLATFORM_TIE_AVOID = (0, 0, 0, 0, 0, 0, 2, 2, 0)  # ... per year: no tie between platforms that
                             # share a partner of degree <= this (0: no restriction), so the
                             # shortcuts close few triangles around small organisations
PLATFORM_COPARTNER = (0.008, 0.008, 0.015, 0.025, 0.10, 0.24, 0.12, 0.10, 0.10)  # per year: share of
                             # the extra relations in which a partner of a platform also
                             # cooperates with a platform tied to it (closure around platform
                             # pairs: shared partners; technology cooperation)
COPARTNER_EXP = 2.0  # ... the partner drawn with weight (its relations with
COPARTNER_BASE = 0.0         # non-platforms + COPARTNER_BASE) ** COPARTNER_EXP
COPARTNER_MIN_OTHER = 1      # ... partners with at least this many non-platform relations
COPARTNER_ONCE = True        # ... each partner closes at most one triangle a year
COPARTNER_SEPARATE = True    # ... only partners none of whose other neighbours is a
                             # neighbour of either platform
COPARTNER_TC = True          # ... and its relation with the first platform is made
                             # technology cooperation (a cooperation triangle)
COPARTNER_PEXP = 2.0         # ... divided by (its relations with platforms) ** this


# ---------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------

class _Pool:
    """Weighted sampler over a set of node indices (cumulative weights)."""

    def __init__(self, idx: np.ndarray, w: np.ndarray):
        keep = w > 0
        self.idx = idx[keep]
        self.cdf = np.cumsum(w[keep], dtype=np.float64)

    def __len__(self) -> int:
        return len(self.idx)

    def draw(self, rng, n: int) -> np.ndarray:
        if n == 0 or len(self.idx) == 0:
            return np.full(n, -1, np.int64)
        r = rng.random(n) * self.cdf[-1]
        pos = np.searchsorted(self.cdf, r, side="right")
        return self.idx[np.minimum(pos, len(self.idx) - 1)]


def _isin_sorted(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    if len(sorted_keys) == 0 or len(keys) == 0:
        return np.zeros(len(keys), bool)
    pos = np.searchsorted(sorted_keys, keys)
    pos = np.minimum(pos, len(sorted_keys) - 1)
    return sorted_keys[pos] == keys


def _draw_unique(rng, fixed_src, fixed_dst, src_pool, dst_pool, existing, nt,
                 max_rounds=80, hmask=None, p_reject=0.0):
    """Fill slots with distinct new ordered pairs (no self-loops, none in `existing`).

    fixed_src / fixed_dst: int arrays, -1 where the endpoint is to be drawn from the pool.
    hmask / p_reject: a pair whose endpoints share a named-hub neighbour (bitmasks)
    is rejected with probability p_reject (no triangles around hubs).
    Returns (src, dst, ok)."""
    n = len(fixed_src)
    src = fixed_src.copy()
    dst = fixed_dst.copy()
    ok = np.zeros(n, bool)
    acc = np.empty(0, np.int64)
    for _ in range(max_rounds):
        pend = np.flatnonzero(~ok)
        if len(pend) == 0:
            break
        s = fixed_src[pend].copy()
        d = fixed_dst[pend].copy()
        m = s < 0
        if m.any():
            s[m] = src_pool.draw(rng, int(m.sum()))
        m = d < 0
        if m.any():
            d[m] = dst_pool.draw(rng, int(m.sum()))
        key = s * nt + d
        valid = (s >= 0) & (d >= 0) & (s != d)
        valid &= ~_isin_sorted(existing, key) & ~_isin_sorted(acc, key)
        if hmask is not None and p_reject > 0:
            sv, dv = np.maximum(s, 0), np.maximum(d, 0)
            shared = (hmask[sv] & hmask[dv]) != 0
            valid &= ~(shared & (rng.random(len(s)) < p_reject))
        vi = np.flatnonzero(valid)
        _, first = np.unique(key[vi], return_index=True)
        vi = vi[first]
        src[pend[vi]] = s[vi]
        dst[pend[vi]] = d[vi]
        ok[pend[vi]] = True
        acc = np.sort(np.concatenate([acc, key[vi]]))
    return src, dst, ok


def _no_common(v, p1, p2, cs, cd, nt):
    """For candidate closures (v, p1, p2): True where no neighbour w of v other than p1
    (undirected, relations cs -> cd) is a neighbour of p1 or p2."""
    ua = np.concatenate([cs, cd])
    ub = np.concatenate([cd, cs])
    ukey = np.unique(ua * nt + ub)
    ua, ub = ukey // nt, ukey % nt
    start = np.searchsorted(ua, v, side="left")
    cnt = np.searchsorted(ua, v, side="right") - start
    row = np.repeat(np.arange(len(v)), cnt)
    off = np.arange(len(row)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    w = ub[np.repeat(start, cnt) + off]
    other = w != p1[row]
    hit = other & (_isin_sorted(ukey, p1[row] * nt + w) | _isin_sorted(ukey, p2[row] * nt + w))
    return np.bincount(row[hit], minlength=len(v)) == 0


def _per_year(param, yi: int) -> float:
    """A per-year parameter (tuple from the first year, the last value for later years)."""
    if np.isscalar(param):
        return float(param)
    return float(param[min(yi, len(param) - 1)])


def _closing_pairs(cs, cd, is_plat, max_deg, nt):
    """Keys p1 * nt + p2 (both orders) of the platform pairs that share a partner of
    undirected degree <= max_deg (relations cs -> cd): a tie between them would close
    a triangle around a small organisation."""
    ua = np.concatenate([cs, cd])
    ub = np.concatenate([cd, cs])
    ukey = np.unique(ua * nt + ub)
    ua, ub = ukey // nt, ukey % nt
    ua, ub = ua[ua != ub], ub[ua != ub]
    deg = np.bincount(ua, minlength=nt)
    m = (deg[ua] <= max_deg) & is_plat[ub]
    v, p = ua[m], ub[m]                      # sorted by v
    if len(v) == 0:
        return np.empty(0, np.int64)
    start = np.searchsorted(v, v, side="left")
    cnt = np.searchsorted(v, v, side="right") - start
    row = np.repeat(np.arange(len(v)), cnt)
    off = np.arange(len(row)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    q = p[start[row] + off]
    keep = q != p[row]
    return np.unique(p[row][keep] * nt + q[keep])


def _shares(named: list, n_total: int, decay: float = 0.93) -> tuple[list, np.ndarray]:
    """Published shares for the listed items, the rest spread (gently decaying)
    below the smallest published share, summing to 1."""
    names = [r[0] for r in named]
    pub = np.array([r[2] if r[2] is not None else np.nan for r in named], float)
    known = ~np.isnan(pub)
    rest = 1.0 - pub[known].sum()
    k = int((~known).sum())
    if k:
        w = decay ** np.arange(k)
        w = w / w.sum() * rest
        pub[~known] = w
    return names, pub / pub.sum()


def _mixture(rng, n: int, names: list, p: np.ndarray) -> np.ndarray:
    return rng.choice(len(names), size=n, p=p)


# ---------------------------------------------------------------------------------
# the model
# ---------------------------------------------------------------------------------

def _targets(figs: dict, scale: float):
    t = figs["value_network_by_year"]
    cols = t["columns"]
    rows = np.array(t["rows"], float)
    c = {name: rows[:, i] for i, name in enumerate(cols)}
    years = c["year"].astype(int)
    S = np.rint(c["sample_nodes"] * scale).astype(np.int64)
    N = np.rint(c["nodes"] * scale).astype(np.int64)
    R = N - S  # = round(relation_nodes * scale) up to one unit of rounding
    E = np.rint(c["edges"] * scale).astype(np.int64)
    return years, S, R, E


def year_targets(scale: float = 1.0, figures: dict | None = None) -> dict[int, dict[str, int]]:
    """The exact counts the year networks of ``generate(scale)`` have.

    sample_nodes, nodes and edges are ``round(table * scale)``; relation_nodes is
    nodes - sample_nodes (equal to round(table * scale) at scale 1, possibly one
    off at other scales, since rounded parts need not add up to the rounded sum).
    """
    figs = figures if figures is not None else published()
    years, S, R, E = _targets(figs, scale)
    return {int(y): {"sample_nodes": int(s), "relation_nodes": int(r),
                     "nodes": int(s + r), "edges": int(e)}
            for y, s, r, e in zip(years, S, R, E)}


def _hubs(figs: dict, scale: float, S0: int, R0: int):
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


def _noisy_quotas(rng, hub_kind, t_in, t_out):
    """The hubs' realised quotas: each published in/out degree times an independent
    lognormal factor (sd HUB_QUOTA_SD, normal truncated at +-HUB_QUOTA_CLIP sd), so
    measured degrees land near, not on, the tables. Redrawn (seeded, at most 200 times) until the sample hubs' top
    HUB_ORDER_KEEP by total degree keep the published order."""
    smp = np.flatnonzero(hub_kind == SAMPLE)
    pub_tot = (t_in + t_out)[smp]
    k = min(HUB_ORDER_KEEP, len(smp))
    want = np.argsort(-pub_tot, kind="stable")[:k]
    for _ in range(200):
        z_in = rng.normal(0.0, 1.0, len(t_in)).clip(-HUB_QUOTA_CLIP, HUB_QUOTA_CLIP)
        z_out = rng.normal(0.0, 1.0, len(t_out)).clip(-HUB_QUOTA_CLIP, HUB_QUOTA_CLIP)
        q_in = t_in * np.exp(HUB_QUOTA_SD * z_in)
        q_out = t_out * np.exp(HUB_QUOTA_SD * z_out)
        tot = (np.rint(q_in) + np.rint(q_out))[smp]
        got = np.argsort(-tot, kind="stable")[:k]
        if np.array_equal(got, want):
            break
    return q_in, q_out


def _relation_org_mix(figs: dict, R_last: int, scale: float) -> np.ndarray:
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


def generate(scale: float = 1.0, seed: int = 7, figures: dict | None = None
             ) -> tuple[pa.Table, pa.Table]:
    """Return (nodes, edges) in the input format of DESIGN.md section 2.

    At scale 1.0 the year networks 2014..2022 (section 3 of DESIGN.md) have exactly
    the sample/relation node and edge counts of Table 2; at other scales
    round(table * scale).
    """
    figs = figures if figures is not None else published()
    rng = np.random.default_rng(seed)
    years, S, R, E = _targets(figs, scale)
    ny = len(years)
    if (S <= 0).any() or (R <= 0).any() or (E <= 0).any():
        raise ValueError(f"scale {scale} too small for the year table")

    # ---------------- registry: nodes that ever join -----------------------------
    join_S = np.diff(np.concatenate([[0], S])).clip(min=0)
    join_R = np.diff(np.concatenate([[0], R])).clip(min=0)
    hub_names, hub_kind, hub_org, hub_tin, hub_tout = _hubs(figs, scale, S[0], R[0])
    hub_tin, hub_tout = _noisy_quotas(rng, hub_kind, hub_tin, hub_tout)
    nh = len(hub_names)
    n_hs = int((hub_kind == SAMPLE).sum())
    n_hr = nh - n_hs

    kind_l, intro_l = [], []
    for yi in range(ny):
        kind_l.append(np.full(join_S[yi], SAMPLE, np.int8))
        kind_l.append(np.full(join_R[yi], RELATION, np.int8))
        intro_l.append(np.full(join_S[yi] + join_R[yi], yi, np.int16))
    kind_g = np.concatenate(kind_l)
    intro_g = np.concatenate(intro_l)
    # put the hubs first: they replace the first n_hs sample / n_hr relation joiners of year 0
    first_s = np.flatnonzero((kind_g == SAMPLE) & (intro_g == 0))[:n_hs]
    first_r = np.flatnonzero((kind_g == RELATION) & (intro_g == 0))[:n_hr]
    rest = np.setdiff1d(np.arange(len(kind_g)), np.concatenate([first_s, first_r]))
    order = np.concatenate([first_s, first_r, rest])
    kind = kind_g[order]
    intro = intro_g[order]
    n_grow = len(kind)
    n_iso = int(round(ISOLATED * scale))
    nt = n_grow + n_iso
    kind = np.concatenate([kind, np.full(n_iso, RELATION, np.int8)])
    intro = np.concatenate([intro, np.full(n_iso, -1, np.int16)])
    named = np.zeros(nt, bool)
    named[:nh] = True

    org = np.full(nt, ENT, np.int8)
    org[:nh] = hub_org
    relm = (kind == RELATION) & ~named
    relm[n_grow:] = False
    org[relm] = rng.choice(7, size=int(relm.sum()), p=_relation_org_mix(figs, R[-1], scale))
    iso_org = rng.choice([INV, ENT, OTH], size=n_iso, p=[0.7, 0.2, 0.1])
    org[n_grow:] = iso_org

    # platforms: the named sample hubs plus older enterprises
    n_plat = int(round(figs.get("database", {}).get("platform_enterprises", 200) * scale))
    is_plat = np.zeros(nt, bool)
    is_plat[:n_hs] = True
    cand = np.flatnonzero((kind == SAMPLE) & ~named)
    need = max(0, min(n_plat - n_hs, len(cand)))
    if need:
        w = 1.0 / (1.0 + intro[cand].astype(float)) ** PLATFORM_AGE_EXP
        is_plat[rng.choice(cand, size=need, replace=False, p=w / w.sum())] = True

    # fitnesses: tc/hc out (fo), tc/hc in (fi), investment out (fo_inv) / in (fi_inv)
    ln = lambda mu, s: rng.lognormal(mu, s, nt)  # noqa: E731
    fo = np.zeros(nt)
    fi = np.zeros(nt)
    smp = kind == SAMPLE
    plat_u = is_plat & ~named
    fo[smp] = ln(-0.5, 1.0)[smp]
    fo[plat_u] = np.minimum(PLATFORM_FO[0] * (1.0 + rng.pareto(PLATFORM_FO[1], nt)),
                            PLATFORM_FO[2])[plat_u]
    fi[smp] = ln(-0.3, 1.0)[smp]
    fi[plat_u] = ln(*PLATFORM_FI)[plat_u]
    rel = kind == RELATION
    for code, (mo, so, mi, si) in {
        ENT: (-2.0, 1.0, 0.0, 1.0),
        UNI: (-0.7, 1.0, -0.3, 1.0),
        RI: (-0.7, 1.0, -0.3, 1.0),
        GOV: (-4.0, 0.5, 0.3, 0.8),
        ALL: (-2.0, 0.8, -1.0, 0.8),
        OTH: (-2.0, 0.8, -0.5, 0.8),
    }.items():
        m = rel & (org == code)
        fo[m] = ln(mo, so)[m]
        fi[m] = ln(mi, si)[m]
    fo = np.minimum(fo, PLATFORM_FO[2])
    fi = np.minimum(fi, 12.0)
    fo_inv = np.where(org == INV, 1.0 + rng.pareto(1.5, nt), 0.0)
    fo_inv = np.minimum(fo_inv, 30.0)
    fi_inv = np.where(smp, ln(0.0, 1.0), 0.0)
    fo[named] = fi[named] = fo_inv[named] = fi_inv[named] = 0.0
    is_inv = org == INV

    # ---------------- growth -----------------------------------------------------
    src_all = np.empty(0, np.int64)
    dst_all = np.empty(0, np.int64)
    start_all = np.empty(0, np.int16)
    end_all = np.empty(0, np.int16)    # -1 = open
    keys = np.empty(0, np.int64)        # sorted keys of every pair ever drawn
    tcf_all = np.empty(0, bool)         # relations that are technology cooperation by construction
    tc_keys = []                        # keys of earlier relations made technology cooperation
    first_all = np.empty(0, bool)       # a new node's first relation
    present = np.zeros(nt, bool)
    depth = np.zeros(nt, np.int64)     # depth in a diffusion chain (0: not a chain member)
    left = np.zeros(nt, bool)
    hubs = np.arange(nh)
    tot_last = float(E[-1])

    for yi in range(ny):
        Y = int(years[yi])
        # -- exits and endings (end_year = Y-1) --
        if yi > 0:
            active = end_all < 0
            n_active = int(active.sum())
            deg_p = (np.bincount(src_all[active], minlength=nt)
                     + np.bincount(dst_all[active], minlength=nt))
            for k_kind, n_leave in ((SAMPLE, S[yi - 1] - S[yi]), (RELATION, R[yi - 1] - R[yi])):
                if n_leave <= 0:
                    continue
                lv = _pick_leavers(rng, n_leave, k_kind, kind, named, is_plat, present,
                                   src_all, dst_all, active, deg_p, nt)
                inc = active & (np.isin(src_all, lv) | np.isin(dst_all, lv))
                end_all[inc] = Y - 1
                active &= ~inc
                present[lv] = False
                left[lv] = True
                deg_p = (np.bincount(src_all[active], minlength=nt)
                         + np.bincount(dst_all[active], minlength=nt))
            k_end = int(round(END_SHARE * n_active))
            if k_end and yi < ny:
                cand_e = np.flatnonzero(active & ~named[src_all] & ~named[dst_all]
                                        & (deg_p[src_all] >= 2) & (deg_p[dst_all] >= 2))
                if len(cand_e):
                    pick = rng.choice(cand_e, size=min(k_end, len(cand_e)), replace=False)
                    ends = np.concatenate([src_all[pick], dst_all[pick]])
                    u, cnt = np.unique(ends, return_counts=True)
                    once = np.isin(src_all[pick], u[cnt == 1]) & np.isin(dst_all[pick], u[cnt == 1])
                    end_all[pick[once]] = Y - 1
        active = end_all < 0
        carried = int(active.sum())
        budget = int(E[yi]) - carried

        old = present.copy()
        new = np.flatnonzero((intro == yi) & ~named)
        new_hubs = np.flatnonzero((intro == yi) & named)
        present[intro == yi] = True

        # -- hub quotas --
        frac = (float(E[yi]) / tot_last) ** float(HUB_GROWTH[min(yi, len(HUB_GROWTH) - 1)])
        cur_out = np.bincount(src_all[active], minlength=nt)[:nh]
        cur_in = np.bincount(dst_all[active], minlength=nt)[:nh]
        cum_out = np.rint(hub_tout * frac).astype(np.int64)
        cum_in = np.rint(hub_tin * frac).astype(np.int64)
        if yi == 0:
            zero = (cum_out + cum_in) == 0
            cum_in[zero & (hub_tin > 0)] = 1
            cum_out[zero & (hub_tin <= 0)] = 1
        q_out = (cum_out - cur_out).clip(min=0)
        q_in = (cum_in - cur_in).clip(min=0)
        # keep room for one first relation per new node
        room = budget - len(new)
        qt = int(q_out.sum() + q_in.sum())
        a_max = int(HUB_NEW_PARTNER_CAP * len(new))
        # hub edges to new nodes cost nothing extra; to old nodes they use the room
        if qt - min(qt, a_max) > room:
            over = qt - min(qt, a_max) - room
            f = max(0.0, 1.0 - over / max(qt, 1))
            q_out = np.floor(q_out * f).astype(np.int64)
            q_in = np.floor(q_in * f).astype(np.int64)
        out_slots = np.repeat(hubs, q_out)
        in_slots = np.repeat(hubs, q_in)
        slot_hub = np.concatenate([out_slots, in_slots])
        slot_out = np.concatenate([np.ones(len(out_slots), bool), np.zeros(len(in_slots), bool)])
        perm = rng.permutation(len(slot_hub))
        slot_hub, slot_out = slot_hub[perm], slot_out[perm]
        partner = np.full(len(slot_hub), -1, np.int64)
        newp = rng.permutation(new)
        new_ninv = newp[~is_inv[newp]]
        new_inv = newp[is_inv[newp]]
        a = min(len(slot_hub), a_max)
        chosen = np.arange(a)
        co = chosen[slot_out[chosen]]
        ci = chosen[~slot_out[chosen]]
        n_co = min(len(co), len(new_ninv))
        partner[co[:n_co]] = new_ninv[:n_co]
        rest_new = np.concatenate([new_ninv[n_co:], new_inv])
        rest_new = rng.permutation(rest_new)
        n_ci = min(len(ci), len(rest_new))
        partner[ci[:n_ci]] = rest_new[:n_ci]
        attached = np.zeros(nt, bool)
        attached[partner[partner >= 0]] = True
        # hub edges
        h_src = np.where(slot_out, slot_hub, partner)
        h_dst = np.where(slot_out, partner, slot_hub)
        fixed = partner >= 0
        avail = (old | attached) & present & ~named
        if not avail.any():
            avail = (old | attached | named) & present
        av = np.flatnonzero(avail)
        pool_fo = _Pool(av, np.where(is_inv[av], 0.0, fo[av] ** ANCHOR_EXP) + 1e-3 * ~is_inv[av])
        pool_fi = _Pool(av, np.where(is_inv[av], 0.0, fi[av] ** ANCHOR_EXP) + 1e-3 * ~is_inv[av])
        fs = np.where(slot_out, slot_hub, np.where(fixed, partner, -1))
        fd = np.where(slot_out, np.where(fixed, partner, -1), slot_hub)
        hs_, hd_, hok = _draw_unique(rng, fs, fd, pool_fo, pool_fi, keys, nt)
        h_src, h_dst = hs_[hok], hd_[hok]

        # -- first relation of the other new nodes --
        un = newp[~attached[newp]]
        fsrc = np.full(len(un), -1, np.int64)
        fdst = np.full(len(un), -1, np.int64)
        u_inv = is_inv[un]
        u_smp = kind[un] == SAMPLE
        r = rng.random(len(un))
        # investors invest in an enterprise
        fsrc[u_inv] = un[u_inv]
        smp_av = av[(kind[av] == SAMPLE)]
        pool_smp = _Pool(smp_av, fi_inv[smp_av] + 1e-3) if len(smp_av) else pool_fi
        fdst[u_inv] = pool_smp.draw(rng, int(u_inv.sum()))
        # enterprises: invested / enabling / receiving
        inv_av = av[is_inv[av]]
        pool_inv = _Pool(inv_av, fo_inv[inv_av] + 1e-3) if len(inv_av) else pool_fo
        m = u_smp & (r < FIRST_INVESTED)
        fdst[m] = un[m]
        fsrc[m] = pool_inv.draw(rng, int(m.sum()))
        m = u_smp & (r >= FIRST_INVESTED) & (r < FIRST_INVESTED + FIRST_ENABLES)
        fsrc[m] = un[m]
        fdst[m] = pool_fi.draw(rng, int(m.sum()))
        m = u_smp & (r >= FIRST_INVESTED + FIRST_ENABLES)
        fdst[m] = un[m]
        fsrc[m] = pool_fo.draw(rng, int(m.sum()))
        # other relation nodes: mostly receive technology
        o = ~u_smp & ~u_inv
        m = o & (r < REL_RECEIVES_FIRST)
        fdst[m] = un[m]
        fsrc[m] = pool_fo.draw(rng, int(m.sum()))
        m = o & (r >= REL_RECEIVES_FIRST)
        fsrc[m] = un[m]
        fdst[m] = pool_fi.draw(rng, int(m.sum()))
        # diffusion chains (periphery): some newcomers receive technology second-hand, from
        # a small downstream organisation rather than from a fit one; chains deepen over
        # the years (tips preferred) and stay thin (their members are unattractive)
        ch_share = float(CHAIN_SHARE[min(yi, len(CHAIN_SHARE) - 1)])
        if ch_share > 0 and len(un):
            ch = np.flatnonzero(~u_inv & (rng.random(len(un)) < ch_share))
            base = np.flatnonzero(old & present & ~named & ~is_plat & ~is_inv)
            rounds = np.array_split(rng.permutation(ch), CHAIN_ROUNDS)
            placed = np.empty(0, np.int64)
            for grp in rounds:
                if len(grp) == 0:
                    continue
                cand_c = np.concatenate([base, placed])
                if len(cand_c) == 0:
                    break
                par = _Pool(cand_c, (1.0 + depth[cand_c]) ** CHAIN_DEPTH_EXP).draw(rng, len(grp))
                fsrc[grp] = par
                fdst[grp] = un[grp]
                depth[un[grp]] = depth[par] + 1
                placed = np.concatenate([placed, un[grp]])
            fo[placed] *= CHAIN_FIT
            fi[placed] *= CHAIN_FIT
        bad = (fsrc < 0) | (fdst < 0)
        if bad.any():  # tiny scales: anchor on any present node
            anyp = _Pool(np.flatnonzero(present & ~np.isin(np.arange(nt), un)),
                         np.ones(int((present & ~np.isin(np.arange(nt), un)).sum())))
            fsrc[bad & (fsrc < 0)] = anyp.draw(rng, int((bad & (fsrc < 0)).sum()))
            fdst[bad & (fdst < 0)] = anyp.draw(rng, int((bad & (fdst < 0)).sum()))

        # -- extra relations among active nodes, topped up to the exact count --
        ys = np.concatenate([h_src, fsrc])
        yd = np.concatenate([h_dst, fdst])
        first_y = np.concatenate([fixed[hok], np.ones(len(fsrc), bool)])
        ykeys = np.sort(ys * nt + yd)
        allkeys = np.sort(np.concatenate([keys, ykeys]))
        n_extra = budget - len(ys)
        if n_extra < 0:
            raise RuntimeError(f"year {Y}: edge budget too small for new nodes")
        p_rej = float(HUB_CLOSE_REJECT[min(yi, len(HUB_CLOSE_REJECT) - 1)])
        hmask = None
        if p_rej > 0 and nh <= 62:
            hmask = np.zeros(nt, np.int64)
            cs = np.concatenate([src_all[active], h_src])
            cd = np.concatenate([dst_all[active], h_dst])
            m_ = cs < nh
            np.bitwise_or.at(hmask, cd[m_], np.left_shift(np.int64(1), cs[m_]))
            m_ = cd < nh
            np.bitwise_or.at(hmask, cs[m_], np.left_shift(np.int64(1), cd[m_]))
        ap = np.flatnonzero(present & ~named)
        n_iv = int(round(EXTRA_INVESTMENT * n_extra))
        inv_p = ap[is_inv[ap]]
        smp_p = ap[kind[ap] == SAMPLE]
        if len(inv_p) == 0 or len(smp_p) == 0:
            n_iv = 0
        xs, xd = [], []
        if n_iv:
            s_, d_, ok = _draw_unique(rng, np.full(n_iv, -1, np.int64), np.full(n_iv, -1, np.int64),
                                      _Pool(inv_p, fo_inv[inv_p]), _Pool(smp_p, fi_inv[smp_p] + 1e-3),
                                      allkeys, nt, max_rounds=20, hmask=hmask, p_reject=p_rej)
            xs.append(s_[ok]); xd.append(d_[ok])
            allkeys = np.sort(np.concatenate([allkeys, s_[ok] * nt + d_[ok]]))
        got = sum(len(x) for x in xs)
        # triadic closure around hubs: two partners of the same hub cooperate
        n_cl = int(round(float(HUB_CLOSURE[min(yi, len(HUB_CLOSURE) - 1)]) * n_extra))
        if n_cl > 0:
            cs = np.concatenate([src_all[active], h_src])
            cd = np.concatenate([dst_all[active], h_dst])
            hm = (cs < nh) ^ (cd < nh)
            hub_e = np.where(cs[hm] < nh, cs[hm], cd[hm])
            oth_e = np.where(cs[hm] < nh, cd[hm], cs[hm])
            keep = present[oth_e] & ~is_inv[oth_e]
            hub_e, oth_e = hub_e[keep], oth_e[keep]
            if len(hub_e) > 1:
                o_ = np.argsort(hub_e, kind="stable")
                hub_e, oth_e = hub_e[o_], oth_e[o_]
                lo = np.searchsorted(hub_e, hub_e, side="left")
                hi = np.searchsorted(hub_e, hub_e, side="right")
                k_try = 3 * n_cl
                i1 = rng.integers(0, len(hub_e), k_try)
                i2 = lo[i1] + np.floor(rng.random(k_try) * (hi[i1] - lo[i1])).astype(np.int64)
                cu, cv = oth_e[i1], oth_e[i2]
                s_, d_, ok = _draw_unique(rng, cu, cv, None, None, allkeys, nt, max_rounds=1)
                okk = np.flatnonzero(ok)[:n_cl]
                xs.append(s_[okk]); xd.append(d_[okk])
                allkeys = np.sort(np.concatenate([allkeys, s_[okk] * nt + d_[okk]]))
                got += len(okk)
        # platform core and shared partners (technology cooperation, flagged)
        n_tie = int(round(float(PLATFORM_TIE[min(yi, len(PLATFORM_TIE) - 1)]) * n_extra))
        n_cop = int(round(float(PLATFORM_COPARTNER[min(yi, len(PLATFORM_COPARTNER) - 1)]) * n_extra))
        if n_tie > 0 or n_cop > 0:
            cs = np.concatenate([src_all[active], ys] + xs)
            cd = np.concatenate([dst_all[active], yd] + xd)
            # the last year's hub degrees are final: no new relations for named hubs
            plat_ok = is_plat & present & ~(named if (yi == ny - 1 or yi < PLATFORM_TIE_NAMED_FROM)
                                            else np.zeros(nt, bool))
            deg_o = np.bincount(cs, minlength=nt)
            deg_i = np.bincount(cd, minlength=nt)
            n_f0 = got
            if n_tie > 0:
                pp = np.flatnonzero(plat_ok)
                if len(pp) > 1:
                    w_o = (deg_o[pp] + 1.0) ** PLATFORM_TIE_EXP
                    w_i = (deg_i[pp] + 1.0) ** PLATFORM_TIE_EXP
                    recip = _per_year(PLATFORM_TIE_RECIP, yi)
                    if _per_year(PLATFORM_TIE_FLOW, yi):
                        # relay ties: a platform that receives much passes technology on to
                        # one that enables much (shortcuts along the flow of technology)
                        w_o, w_i = w_i, w_o
                    ban = allkeys
                    k_av = int(_per_year(PLATFORM_TIE_AVOID, yi))
                    if k_av > 0:
                        ban = np.sort(np.concatenate(
                            [allkeys, _closing_pairs(cs, cd, is_plat, k_av, nt)]))
                    k1 = int(round(n_tie / (1.0 + recip)))
                    s_, d_, ok = _draw_unique(rng, np.full(k1, -1, np.int64), np.full(k1, -1, np.int64),
                                              _Pool(pp, w_o), _Pool(pp, w_i), ban, nt, max_rounds=10)
                    s_, d_ = s_[ok], d_[ok]
                    allkeys = np.sort(np.concatenate([allkeys, s_ * nt + d_]))
                    rc = rng.random(len(s_)) < recip
                    rs, rd = d_[rc], s_[rc]
                    k2 = n_tie - len(s_)
                    r_, q_, ok2 = _draw_unique(rng, rs[:k2], rd[:k2], None, None, allkeys, nt, max_rounds=1)
                    s_ = np.concatenate([s_, r_[ok2]]); d_ = np.concatenate([d_, q_[ok2]])
                    allkeys = np.sort(np.concatenate([allkeys, r_[ok2] * nt + q_[ok2]]))
                    xs.append(s_); xd.append(d_)
                    cs = np.concatenate([cs, s_]); cd = np.concatenate([cd, d_])
                    got += len(s_)
            if n_cop > 0:
                pm = plat_ok[cs] & plat_ok[cd]          # platform pairs (either direction)
                ta = np.concatenate([cs[pm], cd[pm]])
                tb = np.concatenate([cd[pm], cs[pm]])
                o_ = np.argsort(ta, kind="stable")
                ta, tb = ta[o_], tb[o_]
                # (partner, platform) relations: exactly one platform end, partner not an investor
                ps_ = is_plat[cs] & ~is_plat[cd]
                pd_ = is_plat[cd] & ~is_plat[cs]
                vv = np.concatenate([cd[ps_], cs[pd_]])
                p1 = np.concatenate([cs[ps_], cd[pd_]])
                v_out = np.concatenate([np.zeros(int(ps_.sum()), bool), np.ones(int(pd_.sum()), bool)])
                keep = ~is_inv[vv] & ~named[vv] & present[vv]
                vv, p1, v_out = vv[keep], p1[keep], v_out[keep]
                lo = np.searchsorted(ta, p1, side="left")
                hi = np.searchsorted(ta, p1, side="right")
                has = hi > lo
                vv, p1, v_out, lo, hi = vv[has], p1[has], v_out[has], lo[has], hi[has]
                if len(vv):
                    npm = ~is_plat[cs] | ~is_plat[cd]
                    npd = (np.bincount(cs[npm & ~is_plat[cd]], minlength=nt)
                           + np.bincount(cd[npm & ~is_plat[cs]], minlength=nt))
                    pdg = (deg_o + deg_i - npd)[vv].clip(min=1).astype(float)
                    w = (npd[vv] + COPARTNER_BASE) ** COPARTNER_EXP / pdg ** COPARTNER_PEXP
                    w = np.where(npd[vv] >= COPARTNER_MIN_OTHER, w, 0.0)
                    k_try = 3 * n_cop
                    i1 = _Pool(np.arange(len(vv)), w).draw(rng, k_try)
                    if COPARTNER_ONCE:  # one closure per partner and year
                        _, f1 = np.unique(vv[i1], return_index=True)
                        i1 = i1[np.sort(f1)]
                        k_try = len(i1)
                    p2 = tb[lo[i1] + np.floor(rng.random(k_try) * (hi[i1] - lo[i1])).astype(np.int64)]
                    if COPARTNER_SEPARATE:
                        # the partner's other neighbours are not neighbours of the two
                        # platforms (the closure is around the platform pair only)
                        sep = _no_common(vv[i1], p1[i1], p2, cs, cd, nt)
                        i1, p2 = i1[sep], p2[sep]
                    cu = np.where(v_out[i1], vv[i1], p2)
                    cv = np.where(v_out[i1], p2, vv[i1])
                    s_, d_, ok = _draw_unique(rng, cu, cv, None, None, allkeys, nt, max_rounds=1)
                    okk = np.flatnonzero(ok)[:n_cop]
                    xs.append(s_[okk]); xd.append(d_[okk])
                    allkeys = np.sort(np.concatenate([allkeys, s_[okk] * nt + d_[okk]]))
                    got += len(okk)
                    if COPARTNER_TC:  # the partner's relation with the first platform is
                        # technology cooperation too (the triangle is a cooperation triangle)
                        j = i1[okk]
                        tc_keys.append(np.where(v_out[j], vv[j] * nt + p1[j], p1[j] * nt + vv[j]))
            n_forced = got - n_f0
            forced_y = (len(ys) + sum(len(x) for x in xs) - n_forced, n_forced)
        else:
            forced_y = (0, 0)
        nin = ap[~is_inv[ap]]
        pools = (_Pool(nin, fo[nin] + 1e-3), _Pool(nin, fi[nin] + 1e-3))
        # platform-centred streams: unnamed platforms enabling others / receiving
        pl = nin[plat_u[nin]]
        npl = nin[~plat_u[nin]]
        if len(pl) and len(npl):
            for share, ps_, pd_ in (
                    (EXTRA_PLATFORM_OUT, _Pool(pl, fo[pl]), _Pool(npl, fi[npl] + 1e-3)),
                    (EXTRA_PLATFORM_IN, _Pool(npl, fo[npl] + 1e-3), _Pool(pl, fi[pl]))):
                k = min(int(round(share * n_extra)), n_extra - got)
                if k <= 0:
                    continue
                s_, d_, ok = _draw_unique(rng, np.full(k, -1, np.int64), np.full(k, -1, np.int64),
                                          ps_, pd_, allkeys, nt, max_rounds=10,
                                          hmask=hmask, p_reject=p_rej)
                xs.append(s_[ok]); xd.append(d_[ok])
                allkeys = np.sort(np.concatenate([allkeys, s_[ok] * nt + d_[ok]]))
                got += int(ok.sum())
        fallback = (_Pool(np.flatnonzero(present), np.ones(int(present.sum()))),) * 2
        for attempt in range(4):
            need_x = n_extra - got
            if need_x <= 0:
                break
            ps = pools if attempt < 2 else fallback
            s_, d_, ok = _draw_unique(rng, np.full(need_x, -1, np.int64), np.full(need_x, -1, np.int64),
                                      ps[0], ps[1], allkeys, nt,
                                      hmask=hmask, p_reject=p_rej if attempt < 2 else 0.0)
            xs.append(s_[ok]); xd.append(d_[ok])
            allkeys = np.sort(np.concatenate([allkeys, s_[ok] * nt + d_[ok]]))
            got += int(ok.sum())
        if got != n_extra:
            raise RuntimeError(f"year {Y}: could not draw {n_extra} distinct relations")
        ys = np.concatenate([ys] + xs)
        yd = np.concatenate([yd] + xd)
        f_ = np.zeros(len(ys), bool)
        f_[forced_y[0]:forced_y[0] + forced_y[1]] = True
        tcf_all = np.concatenate([tcf_all, f_])
        f_ = np.zeros(len(ys), bool)
        f_[:len(first_y)] = first_y
        first_all = np.concatenate([first_all, f_])
        src_all = np.concatenate([src_all, ys])
        dst_all = np.concatenate([dst_all, yd])
        start_all = np.concatenate([start_all, np.full(len(ys), Y, np.int16)])
        end_all = np.concatenate([end_all, np.full(len(ys), -1, np.int16)])
        keys = allkeys
        del new_hubs

    # ---------------- relation types ------------------------------------------------
    ne = len(src_all)
    rel_t = np.full(ne, TC, np.int8)
    acad = np.isin(org[src_all], (UNI, RI)) | np.isin(org[dst_all], (UNI, RI))
    hc_first = np.asarray(HC_FIRST, float)[np.minimum(start_all - years[0], len(HC_FIRST) - 1)]
    p_hc = np.where(acad, HC_ACADEMIC, np.where(first_all, hc_first, HC_OTHER))
    rel_t[rng.random(ne) < p_hc] = HC
    rel_t[tcf_all] = TC
    if tc_keys:
        rel_t[np.isin(src_all * nt + dst_all, np.concatenate(tc_keys))] = TC
    rel_t[is_inv[src_all] | is_inv[dst_all]] = IV

    # ---------------- parallel relations and self-loops ----------------------------
    last = int(years[-1])
    k_par = int(round(PARALLEL_SHARE * ne))
    pi = rng.choice(ne, size=k_par, replace=False)
    p_end_cap = np.where(end_all[pi] >= 0, end_all[pi], last).astype(np.int64)
    p_start = start_all[pi].astype(np.int64) + rng.integers(0, 4, k_par)
    p_start = np.minimum(p_start, p_end_cap)
    p_end = np.full(k_par, -1, np.int64)
    closed = (end_all[pi] >= 0) | (rng.random(k_par) < 0.5)
    span = p_end_cap - p_start
    p_end[closed] = p_start[closed] + np.floor(rng.random(int(closed.sum())) * (span[closed] + 1)).astype(np.int64)
    p_rel = np.where(rng.random(k_par) < 0.3, rel_t[pi], (rel_t[pi] + rng.integers(1, 3, k_par)) % 3).astype(np.int8)
    # investments only where an investor is involved; otherwise tc/hc
    inv_pair = is_inv[src_all[pi]] | is_inv[dst_all[pi]]
    p_rel = np.where(inv_pair, IV, np.where(p_rel == IV, HC, p_rel)).astype(np.int8)

    k_sl = max(1, int(round(SELF_LOOPS * scale)))
    staying = np.flatnonzero(present & ~left & (kind == SAMPLE))
    sl = rng.choice(staying, size=min(k_sl, len(staying)), replace=False)
    sl_start = np.maximum(years[0] + intro[sl].astype(np.int64), years[0]) + rng.integers(0, 2, len(sl))
    sl_start = np.minimum(sl_start, last)

    src_f = np.concatenate([src_all, src_all[pi], sl])
    dst_f = np.concatenate([dst_all, dst_all[pi], sl])
    start_f = np.concatenate([start_all.astype(np.int64), p_start, sl_start])
    end_f = np.concatenate([end_all.astype(np.int64), p_end, np.full(len(sl), -1, np.int64)])
    rel_f = np.concatenate([rel_t, p_rel, np.full(len(sl), HC, np.int8)])
    nf = len(src_f)
    # shuffle rows so the file is not ordered by year
    rp = rng.permutation(nf)
    src_f, dst_f, start_f, end_f, rel_f = src_f[rp], dst_f[rp], start_f[rp], end_f[rp], rel_f[rp]

    # ---------------- edge attributes ---------------------------------------------
    is_tc = rel_f == TC
    tnames, tp = _shares(figs["technology_categories"], 17)
    anames, ap_ = _shares(figs["application_fields"], 19)
    inames, ip = _industry_vocab(figs)
    tech = _cat_column(rng, is_tc, tnames, tp)
    appl = _cat_column(rng, is_tc, anames, ap_)
    ind = _cat_column(rng, is_tc, inames, ip)
    weight = np.ones(nf)
    iv = rel_f == IV
    weight[iv] = np.round(rng.lognormal(0.0, 1.2, int(iv.sum())), 3) + 0.001

    # ---------------- geography -----------------------------------------------------
    live = (is_tc & (src_f != dst_f) & (start_f <= last) & ((end_f < 0) | (end_f >= last)))
    tc_pairs = np.unique(src_f[live] * nt + dst_f[live])
    prov, city = _geography(rng, figs, nt, kind, is_plat, named, hub_names,
                            tc_pairs // nt, tc_pairs % nt)

    # ---------------- node table -----------------------------------------------------
    width = max(7, len(str(nt)))
    id_num = rng.permutation(nt) + 1
    ids = pc.utf8_lpad(pa.array(id_num).cast(pa.string()), width, "0")
    names = _names(rng, nt, kind, org, named, hub_names, city)
    founded = _founded(rng, nt, org, intro, years[0])
    nodes = pa.table({
        "id": ids,
        "name": pa.array(names, pa.string()),
        "kind": _cat_column(None, None, list(vocab.KINDS), None, codes=kind),
        "org_type": _cat_column(None, None, list(vocab.ORG_TYPES), None, codes=org),
        "province": pa.array(prov, pa.string()),
        "city": pa.array(city, pa.string()),
        "founded_year": pa.array(founded, pa.int32(), mask=founded < 0),
        "is_platform": pa.array(is_plat, pa.bool_()),
    }, schema=NODE_SCHEMA)
    # shuffle node rows too
    nodes = nodes.take(pa.array(rng.permutation(nt)))
    edges = pa.table({
        "src": ids.take(pa.array(src_f)),
        "dst": ids.take(pa.array(dst_f)),
        "relation": _cat_column(None, None, list(vocab.RELATIONS), None, codes=rel_f),
        "start_year": pa.array(start_f.astype(np.int32), pa.int32()),
        "end_year": pa.array(end_f.astype(np.int32), pa.int32(), mask=end_f < 0),
        "tech_category": tech,
        "application_field": appl,
        "industry": ind,
        "weight": pa.array(weight, pa.float64()),
    }, schema=EDGE_SCHEMA)
    return nodes, edges


def _pick_leavers(rng, n_leave, k_kind, kind, named, is_plat, present,
                  src_all, dst_all, active, deg_p, nt):
    """Nodes of a kind that leave: small, unnamed, non-platform nodes whose every
    neighbour stays in the network through another relation."""
    a_src = src_all[active]
    a_dst = dst_all[active]
    # an edge is "unsafe" for its endpoint u if the other endpoint would be left alone
    # or is a named hub (their quotas must not shrink)
    unsafe_for_src = named[a_dst] | (deg_p[a_dst] < 3)
    unsafe_for_dst = named[a_src] | (deg_p[a_src] < 3)
    bad = (np.bincount(a_src[unsafe_for_src], minlength=nt)
           + np.bincount(a_dst[unsafe_for_dst], minlength=nt))
    cand = np.flatnonzero(present & (kind == k_kind) & ~named & ~is_plat & (bad == 0)
                          & (deg_p >= 1) & (deg_p <= 4))
    if len(cand) < n_leave:
        cand = np.flatnonzero(present & (kind == k_kind) & ~named & (bad == 0) & (deg_p >= 1))
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


def _industry_vocab(figs: dict):
    ind = figs["industries"]
    sep = vocab.INDUSTRY_SEP
    names, probs = [], []
    sectors = ind["sectors"]
    # tertiary
    ter = ind.get("tertiary", {})
    rest = 1.0 - sum(ter.values())
    for k, v in ter.items():
        names.append(f"tertiary{sep}{k}"); probs.append(sectors["tertiary"] * v)
    for k in vocab.OTHER_TERTIARY:
        names.append(f"tertiary{sep}{k}"); probs.append(sectors["tertiary"] * rest / len(vocab.OTHER_TERTIARY))
    sec = ind.get("secondary", {})
    rest = 1.0 - sum(sec.values())
    man = ind.get("manufacturing", {})
    mrest = 1.0 - sum(man.values())
    for k, v in sec.items():
        if k == "manufacturing":
            for mk, mv in man.items():
                names.append(f"secondary{sep}manufacturing{sep}{mk}")
                probs.append(sectors["secondary"] * v * mv)
            for mk in vocab.OTHER_MANUFACTURING:
                names.append(f"secondary{sep}manufacturing{sep}{mk}")
                probs.append(sectors["secondary"] * v * mrest / len(vocab.OTHER_MANUFACTURING))
        else:
            names.append(f"secondary{sep}{k}"); probs.append(sectors["secondary"] * v)
    for k in vocab.OTHER_SECONDARY:
        names.append(f"secondary{sep}{k}"); probs.append(sectors["secondary"] * rest / len(vocab.OTHER_SECONDARY))
    for k in vocab.PRIMARY:
        names.append(f"primary{sep}{k}"); probs.append(sectors["primary"] / len(vocab.PRIMARY))
    p = np.array(probs)
    return names, p / p.sum()


def _cat_column(rng, mask, names, p, codes=None) -> pa.Array:
    """A string column from codes into `names` (drawn with p where mask; null elsewhere)."""
    if codes is None:
        codes = np.full(len(mask), -1, np.int32)
        codes[mask] = rng.choice(len(names), size=int(mask.sum()), p=p)
    codes = np.asarray(codes, np.int32)
    dic = pa.array(names, pa.string())
    arr = pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32(), mask=codes < 0), dic)
    return arr.cast(pa.string())


# ---------------------------------------------------------------------------------
# geography
# ---------------------------------------------------------------------------------

def _prov_vector(pairs: dict, fill_from: list | None = None, other: float = 0.01) -> np.ndarray:
    """A distribution over vocab.PROVINCES: the given shares, the remainder spread
    over `fill_from` (province -> weight) and then the other provinces."""
    P = vocab.PROVINCES
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


def _geography(rng, figs, nt, kind, is_plat, named, hub_names, tsrc, tdst):
    """Provinces and cities. tsrc / tdst: the distinct technology-cooperation pairs of
    the last year network (the graph is fixed; geography does not steer it)."""
    P = vocab.PROVINCES
    npv = len(P)
    ps = figs["province_shares"]
    ena = {r[0]: r[2] for r in ps["enabling"]}
    inp = {r[0]: r[2] for r in ps["input"]}
    T_en = _prov_vector(ena, [(k, v) for k, v in ena.items()], other=0.05)
    T_in = _prov_vector(inp, [(k, v) for k, v in inp.items()], other=0.05)
    els = figs["enterprise_location_shares"]["provinces"]
    pls = figs["platform_location_shares"]["provinces"]
    fill = [(r[0], r[2]) for r in ps["enabling"]]
    p_ent = _prov_vector(els, fill, other=0.1)
    p_plat = _prov_vector(pls, fill, other=0.1)
    n_s = int((kind == SAMPLE).sum())
    n_p = int(is_plat.sum())
    hub_prov = np.array([P.index(vocab.NAMED_LOCATIONS[nm][0]) for nm in hub_names], np.int64)
    nh = len(hub_names)
    named_cnt = np.bincount(hub_prov[:int((named & (kind == SAMPLE)).sum())], minlength=npv)
    p_np = (n_s * p_ent - n_p * p_plat).clip(min=1e-4)
    p_np /= p_np.sum()
    p_plat = (n_p * p_plat - named_cnt).clip(min=1e-4)
    p_plat /= p_plat.sum()

    prov = np.full(nt, -1, np.int64)
    prov[:nh] = hub_prov
    city = np.empty(nt, dtype=object)
    for i, nm in enumerate(hub_names):
        city[i] = vocab.NAMED_LOCATIONS[nm][1]
    cls = np.where(named, -1, np.where(is_plat, 0, np.where(kind == SAMPLE, 1, 2)))
    # sample enterprises: drawn from urns with the published location composition
    for c, p in ((0, p_plat), (1, p_np)):
        m = np.flatnonzero(cls == c)
        prov[m] = _urn(rng, len(m), p)
    # their cities: the published enterprise city shares inside each province
    ecs = figs["enterprise_location_shares"].get("cities", {})
    smp = kind == SAMPLE
    for j, pname in enumerate(P):
        m = np.flatnonzero((prov == j) & smp & ~named)
        if len(m) == 0:
            continue
        cn = list(vocab.CITIES[pname])
        w = np.array([vocab.CITIES[pname][k] for k in cn], float)
        w /= w.sum()
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

    # relation nodes: with probability GEO_HOMOPHILY a relation node is where one of
    # its located technology-cooperation partners is (province and city); the others
    # are drawn from a province distribution solved so that the enabling / input
    # shares approach Tables 7 and 10 given everything else.
    rel = cls == 2
    located = prov >= 0
    e_rel_s = rel[tsrc] & located[tdst]
    e_rel_d = rel[tdst] & located[tsrc]
    cand_r = np.concatenate([tsrc[e_rel_s], tdst[e_rel_d]])
    cand_p = np.concatenate([tdst[e_rel_s], tsrc[e_rel_d]])
    sh = rng.permutation(len(cand_r))
    cand_r, cand_p = cand_r[sh], cand_p[sh]
    ur, first = np.unique(cand_r, return_index=True)
    part = np.full(nt, -1, np.int64)
    part[ur] = cand_p[first]
    copy = rel & (part >= 0) & (rng.random(nt) < GEO_HOMOPHILY)
    ci = np.flatnonzero(copy)
    prov[ci] = prov[part[ci]]
    cc = ci[rng.random(len(ci)) < GEO_CITY_COPY]
    city[cc] = city[part[cc]]
    drawn = rel & ~copy
    out_d = np.bincount(tsrc, minlength=nt).astype(float)
    in_d = np.bincount(tdst, minlength=nt).astype(float)
    tot = float(len(tsrc))
    fx = ~drawn & (prov >= 0)
    fixed_en = np.bincount(prov[fx], weights=out_d[fx], minlength=npv)
    fixed_in = np.bincount(prov[fx], weights=in_d[fx], minlength=npv)
    # two classes (mainly enabling / mainly receiving), a 2x2 solve per province
    b_en, b_in = T_en * tot - fixed_en, T_in * tot - fixed_in
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
        q = q + 1e-4 if q.sum() > 0 else T_in.copy()
        m = np.flatnonzero(cl_m)
        prov[m] = rng.choice(npv, size=len(m), p=q / q.sum())
    m = np.flatnonzero(prov < 0)
    prov[m] = rng.choice(npv, size=len(m), p=T_in)
    # their cities: solved the same way inside provinces for the published cities
    cs_ = figs.get("city_shares", {})
    c_en = {r[0]: r[2] for r in cs_.get("enabling", [])}
    c_in = {r[0]: r[2] for r in cs_.get("input", [])}
    for j, pname in enumerate(P):
        mj = np.flatnonzero((prov == j) & (city == None))  # noqa: E711
        if len(mj) == 0:
            continue
        cn = list(vocab.CITIES[pname])
        w = np.array([vocab.CITIES[pname][k] for k in cn], float)
        w /= w.sum()
        if len(cn) > 1 and any(k in c_en or k in c_in for k in cn):
            fxj = (prov == j) & (city != None)  # noqa: E711
            q = np.full(len(cn), np.nan)
            o_j, i_j = out_d[mj].sum(), in_d[mj].sum()
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
            w = q.clip(min=1e-6)
        city[mj] = np.array(cn, dtype=object)[rng.choice(len(cn), size=len(mj), p=w / w.sum())]
    return np.array(P, dtype=object)[prov], city


# ---------------------------------------------------------------------------------
# names and founding years
# ---------------------------------------------------------------------------------

def _names(rng, nt, kind, org, named, hub_names, city):
    syl = np.array(vocab.NAME_SYLLABLES, dtype=object)
    brand = syl[rng.integers(0, len(syl), nt)] + np.char.lower(
        syl[rng.integers(0, len(syl), nt)].astype(str)).astype(object)
    suffix_by = {
        ENT: vocab.ENTERPRISE_SUFFIXES, INV: vocab.INVESTOR_SUFFIXES,
        UNI: vocab.UNIVERSITY_SUFFIXES, RI: vocab.INSTITUTE_SUFFIXES,
        ALL: vocab.ALLIANCE_SUFFIXES, GOV: vocab.GOVERNMENT_SUFFIXES,
        OTH: vocab.OTHER_SUFFIXES,
    }
    names = np.empty(nt, dtype=object)
    for code, sufs in suffix_by.items():
        m = np.flatnonzero(org == code)
        if len(m) == 0:
            continue
        suf = np.array(sufs, dtype=object)[rng.integers(0, len(sufs), len(m))]
        if code in (UNI, GOV, ALL):
            names[m] = city[m] + " " + suf
        else:
            names[m] = brand[m] + " " + suf
    # synthetic names never coincide with a named organisation
    clash = np.flatnonzero(np.isin(names, np.array(hub_names, dtype=object)))
    names[clash] = names[clash] + " Office"
    names[:len(hub_names)] = np.array(hub_names, dtype=object)
    return names


def _founded(rng, nt, org, intro, first_year):
    """Founding years: enterprises 1980..intro year, others older; some unknown."""
    y0 = int(first_year)
    intro_y = np.where(intro >= 0, y0 + intro.astype(np.int64), y0 + 8)
    age = np.floor(rng.exponential(8.0, nt)).astype(np.int64)
    f = np.maximum(intro_y - age, 1980)
    old = np.isin(org, (UNI, RI, GOV))
    f[old] = rng.integers(1900, 2000, int(old.sum()))
    f[org == GOV] = -1
    unknown = rng.random(nt) < 0.05
    f[unknown] = -1
    return f
