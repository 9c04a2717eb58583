"""Growth, year by year: the relations of the year networks 2014..2022 (Table 2).

Year Y adds the registry's joiners of Y, so that the network of Y has exactly its
sample and relation node counts, and draws exactly the relations it needs for its
distinct directed edge count: the relations that close before Y (exits and endings)
are compensated. In each year, in this order: exits and endings, the hub relations,
one first relation per other newcomer, then the extra relations.
"""

from __future__ import annotations

import numpy as np

from .draws import merged
from .exits import close_before
from .extra import extra_relations
from .hubs import hub_close_mask, hub_relations, hub_slots
from .knobs import Knobs, per_year
from .network import Network, YearDraw
from .newcomers import anchors, first_relations
from .population import Population
from .targets import Targets


def grow(rng, pop: Population, tg: Targets, knobs: Knobs) -> Network:
    """Grow the network through every year of the table."""
    net = Network(pop.nt)
    for yi in range(tg.n_years):
        if yi > 0:
            close_before(rng, yi, pop, net, tg, knobs)
        _grow_year(rng, yi, pop, net, tg, knobs)
    return net


def _grow_year(rng, yi: int, pop: Population, net: Network, tg: Targets, knobs: Knobs) -> None:
    """Let the year's newcomers join and draw the year's relations (its budget: the year's
    edge count minus the relations carried from earlier years)."""
    Y = int(tg.years[yi])
    active = net.active()
    budget = int(tg.edges[yi]) - int(active.sum())
    present_before = net.present.copy()
    newcomers = np.flatnonzero((pop.intro == yi) & ~pop.named)
    net.present[pop.intro == yi] = True

    slots = hub_slots(rng, yi, pop, net, tg, active, budget, newcomers, knobs)
    anc = anchors(pop, net, present_before, slots.attached, knobs)
    h_src, h_dst, h_first = hub_relations(rng, slots, anc.enabling, anc.receiving, (net.keys,), pop.nt)
    unattached = slots.newcomers[~slots.attached[slots.newcomers]]
    fsrc, fdst = first_relations(rng, yi, unattached, pop, net, anc, present_before, knobs)

    fixed_src = np.concatenate([h_src, fsrc])
    fixed_dst = np.concatenate([h_dst, fdst])
    n_extra = budget - len(fixed_src)
    if n_extra < 0:
        raise RuntimeError(f"year {Y}: edge budget too small for new nodes")
    p_reject = per_year(knobs.hub_close_reject, yi)
    yd = YearDraw(yi=yi, year=Y, is_last=yi == tg.n_years - 1, active=active, n_extra=n_extra,
                  fixed_src=fixed_src, fixed_dst=fixed_dst,
                  fixed_first=np.concatenate([h_first, np.ones(len(fsrc), bool)]),
                  carried_keys=merged(net.keys, fixed_src * pop.nt + fixed_dst), nt=pop.nt,
                  hmask=hub_close_mask(pop, net, active, h_src, h_dst, p_reject), p_reject=p_reject)
    extra_relations(rng, yd, pop, net, knobs)
    net.add_year(yd)
