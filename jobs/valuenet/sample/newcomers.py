"""First relations: every node that joins the network gets one relation as it joins.

A newcomer without a hub partner gets one relation with a node already in the network
(its anchor, drawn with weight fitness ** anchor_exp: flatter than the fitnesses, so
newcomers spread). Investors invest in an enterprise; a new enterprise is invested in,
enables or receives; other relation nodes mostly receive technology.

**Diffusion chains** (the periphery, Table 2 diameters): a share of the newcomers without
a hub partner receive technology second-hand from a small downstream organisation (not a
platform, hub or investor), the tips of existing chains preferred, up to chain_rounds
steps a year; chain members' fitnesses are scaled down so that chains stay thin. These
relations have no platform end, so they lengthen the whole network's longest paths
without touching the platform network.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .codes import SAMPLE
from .draws import Pool
from .knobs import Knobs, per_year
from .network import Network
from .population import Population


@dataclass
class Anchors:
    """Nodes a newcomer or a hub can be related to this year, with their pull."""

    nodes: np.ndarray    # nodes present before the year, and newcomers partnering a hub
    enabling: Pool       # drawn as the enabling side (out-fitness ** anchor_exp; no investors)
    receiving: Pool      # drawn as the receiving side (in-fitness ** anchor_exp; no investors)


def anchors(pop: Population, net: Network, present_before: np.ndarray, attached: np.ndarray, knobs: Knobs) -> Anchors:
    """The year's anchors: unnamed nodes present before it or partnering a hub (the named
    hubs too when there is no other node, in the first year of a tiny sample)."""
    avail = (present_before | attached) & net.present & ~pop.named
    if not avail.any():
        avail = (present_before | attached | pop.named) & net.present
    av = np.flatnonzero(avail)
    inv = pop.is_inv[av]
    enabling = Pool(av, np.where(inv, 0.0, pop.fo[av] ** knobs.anchor_exp) + 1e-3 * ~inv)
    receiving = Pool(av, np.where(inv, 0.0, pop.fi[av] ** knobs.anchor_exp) + 1e-3 * ~inv)
    return Anchors(nodes=av, enabling=enabling, receiving=receiving)


def first_relations(rng, yi: int, un: np.ndarray, pop: Population, net: Network, anc: Anchors,
                    present_before: np.ndarray, knobs: Knobs) -> tuple[np.ndarray, np.ndarray]:
    """(src, dst) of the first relation of each newcomer in ``un`` (those without a hub
    partner): with an anchor, or in a diffusion chain."""
    fsrc, fdst = _with_anchors(rng, un, pop, anc, knobs)
    ch_share = per_year(knobs.chain_share, yi)
    if ch_share > 0 and len(un):
        _diffusion_chains(rng, un, ch_share, fsrc, fdst, pop, net, present_before, knobs)
    bad = (fsrc < 0) | (fdst < 0)
    if bad.any():  # tiny scales: anchor on any present node
        elsewhere = net.present & ~np.isin(np.arange(pop.nt), un)
        anyp = Pool(np.flatnonzero(elsewhere), np.ones(int(elsewhere.sum())))
        fsrc[bad & (fsrc < 0)] = anyp.draw(rng, int((bad & (fsrc < 0)).sum()))
        fdst[bad & (fdst < 0)] = anyp.draw(rng, int((bad & (fdst < 0)).sum()))
    return fsrc, fdst


def _with_anchors(rng, un, pop: Population, anc: Anchors, knobs: Knobs):
    """Each newcomer's relation with an anchor, the direction by its org type; -1 where
    no anchor could be drawn."""
    fsrc = np.full(len(un), -1, np.int64)
    fdst = np.full(len(un), -1, np.int64)
    u_inv = pop.is_inv[un]
    u_smp = pop.kind[un] == SAMPLE
    r = rng.random(len(un))
    av = anc.nodes
    # investors invest in an enterprise
    smp_av = av[(pop.kind[av] == SAMPLE)]
    pool_smp = Pool(smp_av, pop.fi_inv[smp_av] + 1e-3) if len(smp_av) else anc.receiving
    _enable(rng, u_inv, un, fsrc, fdst, pool_smp)
    # enterprises: invested / enabling / receiving
    inv_av = av[pop.is_inv[av]]
    pool_inv = Pool(inv_av, pop.fo_inv[inv_av] + 1e-3) if len(inv_av) else anc.enabling
    invested = r < knobs.first_invested
    enables = (r >= knobs.first_invested) & (r < knobs.first_invested + knobs.first_enables)
    receives = r >= knobs.first_invested + knobs.first_enables
    _receive(rng, u_smp & invested, un, fsrc, fdst, pool_inv)
    _enable(rng, u_smp & enables, un, fsrc, fdst, anc.receiving)
    _receive(rng, u_smp & receives, un, fsrc, fdst, anc.enabling)
    # other relation nodes: mostly receive technology
    o = ~u_smp & ~u_inv
    _receive(rng, o & (r < knobs.rel_receives_first), un, fsrc, fdst, anc.enabling)
    _enable(rng, o & (r >= knobs.rel_receives_first), un, fsrc, fdst, anc.receiving)
    return fsrc, fdst


def _receive(rng, m, un, fsrc, fdst, giver: Pool) -> None:
    """Newcomers un[m] receive from (or are invested in by) a node drawn from ``giver``."""
    fdst[m] = un[m]
    fsrc[m] = giver.draw(rng, int(m.sum()))


def _enable(rng, m, un, fsrc, fdst, taker: Pool) -> None:
    """Newcomers un[m] enable (or invest in) a node drawn from ``taker``."""
    fsrc[m] = un[m]
    fdst[m] = taker.draw(rng, int(m.sum()))


def _diffusion_chains(rng, un, ch_share, fsrc, fdst, pop: Population, net: Network, present_before, knobs: Knobs) -> None:
    """Some newcomers (not investors) receive technology second-hand, from a small downstream
    organisation rather than from a fit one; chains deepen over the years (tips preferred,
    chain_depth_exp) and stay thin: their members' fitnesses are scaled by chain_fit in place."""
    ch = np.flatnonzero(~pop.is_inv[un] & (rng.random(len(un)) < ch_share))
    base = np.flatnonzero(present_before & net.present & ~pop.named & ~pop.is_plat & ~pop.is_inv)
    rounds = np.array_split(rng.permutation(ch), knobs.chain_rounds)
    placed = np.empty(0, np.int64)
    depth = net.depth
    for grp in rounds:
        if len(grp) == 0:
            continue
        cand_c = np.concatenate([base, placed])
        if len(cand_c) == 0:
            break
        par = Pool(cand_c, (1.0 + depth[cand_c]) ** knobs.chain_depth_exp).draw(rng, len(grp))
        fsrc[grp] = par
        fdst[grp] = un[grp]
        depth[un[grp]] = depth[par] + 1
        placed = np.concatenate([placed, un[grp]])
    pop.fo[placed] *= knobs.chain_fit
    pop.fi[placed] *= knobs.chain_fit
