"""The calibration knobs of the synthetic sample, in one table.

These are model parameters, not figures of the report: the report's figures come from
``valuenet.published``. Each knob was set so that the measured sample lands near the
published tables; the comment next to it says what it moves. A per-year knob is a tuple
that runs from the first year of the year table, its last value holding for later years
(read it with ``per_year``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Knobs:
    """One field per knob; ``KNOBS`` holds the calibrated values."""

    # -- population: the registry and the nodes' fitnesses -----------------------------------------
    isolated: int = 300                 # registry nodes with no relation at all (scaled; mostly investors)
    platform_age_exp: float = 0.0       # unnamed platforms: sample enterprises drawn with weight
    #                                     1 / (1 + join year index) ** this; 0: platforms join the network
    #                                     over the years like other enterprises (a small, hub-centred early
    #                                     platform network instead of ~140 young platforms in 2015)
    sample_fitness: tuple = (-0.5, 1.0, -0.3, 1.0)  # sample enterprises' out- and in-fitness:
    #                                     lognormal (mu, sigma) of each
    platform_fo: tuple = (8.0, 1.8, 32.0)  # unnamed platforms' out-fitness: scale, Pareto shape, cap
    #                                     (the cap holds for every node's out-fitness)
    platform_fi: tuple = (1.0, 0.8)     # unnamed platforms' in-fitness: lognormal mu, sigma
    # relation nodes' out- and in-fitness by org type, lognormal (mu, sigma) of each; investors
    # have none (they invest: investor_fitness). The rows are drawn in this order: reordering them
    # changes the sample.
    relation_fitness: tuple = (
        ("enterprise", -2.0, 1.0, 0.0, 1.0),
        ("university", -0.7, 1.0, -0.3, 1.0),
        ("research_institute", -0.7, 1.0, -0.3, 1.0),
        ("government", -4.0, 0.5, 0.3, 0.8),
        ("alliance", -2.0, 0.8, -1.0, 0.8),
        ("other", -2.0, 0.8, -0.5, 0.8),
    )
    in_fitness_cap: float = 12.0        # no node's in-fitness exceeds this
    investor_fitness: tuple = (1.5, 30.0)  # investors' investment out-fitness: 1 + Pareto(shape), cap
    invested_fitness: tuple = (0.0, 1.0)  # sample enterprises' pull on investments: lognormal mu, sigma

    # -- named hubs (Tables 3 and 4) ---------------------------------------------------------------
    hub_quota_sd: float = 0.035         # lognormal sd of a hub's realised quota around its table value
    hub_quota_clip: float = 2.0         # ... truncated at +-2 sd (a hub is at most ~7 % off its table)
    hub_order_keep: int = 5             # the top sample hubs by total degree keep the published order
    hub_growth: tuple = (0.85, 0.86, 0.88, 0.9)  # per year: hub quota in year Y is
    #                                     quota * (E_Y / E_last) ** g_Y (< 1: hubs hold a larger share
    #                                     early, short paths early)
    hub_new_partner_cap: float = 0.85   # at most this share of a year's new nodes partner a hub
    hub_close_reject: tuple = (1.0, 0.8, 0.5, 0.5, 1.0, 1.0, 0.0)  # per year: P(reject an extra
    #                                     relation whose ends share a hub neighbour; tree-like early
    #                                     networks)

    # -- first relations of new nodes --------------------------------------------------------------
    anchor_exp: float = 0.35            # new nodes anchor with weight fitness ** this (flatter)
    first_invested: float = 0.20        # a new enterprise's first relation is an investment
    first_enables: float = 0.65         # ... else it enables a counterpart (else receives)
    rel_receives_first: float = 0.80    # a new non-investor relation node first receives technology
    chain_share: tuple = (0.3,)         # per year: share of the newcomers without a hub partner that
    #                                     join a diffusion chain (receive from a downstream organisation)
    chain_rounds: int = 3               # ... chains can deepen this many steps within a year
    chain_depth_exp: float = 2.0        # ... the giver drawn with weight (1 + its chain depth) ** this
    chain_fit: float = 0.05             # ... chain members' fitnesses are scaled by this (they stay thin)

    # -- extra relations among active nodes --------------------------------------------------------
    extra_investment: float = 0.06      # share of the extra relations that are investments
    extra_platform_out: float = 0.20    # share of the extra relations from an unnamed platform
    extra_platform_in: float = 0.48     # share of the extra relations into an unnamed platform
    platform_tie: tuple = (0.14, 0.14, 0.08, 0.06, 0.04, 0.03, 0.09, 0.015)  # per year: share of
    #                                     the extra relations that tie two platform enterprises
    #                                     (platform core; technology cooperation); 2020: a wave of
    #                                     relay ties (see platform_tie_flow)
    platform_tie_named_from: int = 6    # ... named platform hubs take part from this year index (not
    #                                     in the last year, whose hub degrees are final)
    platform_tie_exp: float = 0.5       # ... endpoints drawn with weight (degree + 1) ** this
    platform_tie_recip: tuple = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0)  # ... per year:
    #                                     P(the tie is reciprocated in the same year)
    platform_tie_flow: tuple = (0, 0, 0, 0, 0, 0, 1, 1, 0)  # ... per year: 1 = relay ties, from a
    #                                     platform drawn by its in-degree to one drawn by its out-degree
    #                                     (else the reverse): one-way shortcuts along the flow of
    #                                     technology
    platform_tie_avoid: tuple = (0, 0, 0, 0, 0, 0, 2, 2, 0)  # ... per year: no tie between platforms
    #                                     that share a partner of degree <= this (0: no restriction), so
    #                                     the shortcuts close few triangles around small organisations
    platform_copartner: tuple = (0.008, 0.008, 0.015, 0.025, 0.10, 0.24, 0.12, 0.10, 0.10)  # per
    #                                     year: share of the extra relations in which a partner of a
    #                                     platform also cooperates with a platform tied to it (closure
    #                                     around platform pairs: shared partners; technology cooperation)
    copartner_exp: float = 2.0          # ... the partner drawn with weight (its relations with
    copartner_base: float = 0.0         # non-platforms + copartner_base) ** copartner_exp
    copartner_pexp: float = 2.0         # ... divided by (its relations with platforms) ** this
    copartner_min_other: int = 1        # ... partners with at least this many non-platform relations

    # -- endings -----------------------------------------------------------------------------------
    end_share: float = 0.004            # relations ending each year (compensated by the next budget)

    # -- relation types and valid noise ------------------------------------------------------------
    hc_academic: float = 0.35           # P(human capital) when a university/institute is involved
    hc_other: float = 0.05              # P(human capital) otherwise (not a first relation)
    hc_first: tuple = (0.15, 0.15, 0.20, 0.30, 0.55, 0.55, 0.25)  # per year: P(human capital) for a
    #                                     new node's first relation (not academic, not an investment);
    #                                     steers how many of the year's newcomers join the platform
    #                                     network
    parallel_share: float = 0.03        # parallel duplicate relations (share of all relations)
    self_loops: int = 5                 # self-loops (scaled, at least 1)

    # -- geography ---------------------------------------------------------------------------------
    geo_homophily: float = 0.33         # P(a relation node is in the province of one of its partners)
    geo_city_copy: float = 0.0          # ... and then P(also in its city; else drawn in the province)


KNOBS = Knobs()


def per_year(param, yi):
    """The value of a per-year knob in year index ``yi`` (an int, or an array of them).

    A scalar holds for every year; a tuple runs from the first year and its last value
    holds for later years."""
    if np.isscalar(param):
        return float(param)
    values = np.asarray(param, float)
    if np.ndim(yi) == 0:
        return float(values[min(int(yi), len(values) - 1)])
    return values[np.minimum(yi, len(values) - 1)]
