"""Relation types follow the endpoints.

An investor's relations are investments; the others are technology cooperation or human
capital, human capital more likely when a university or research institute is involved
and, per year, for a newcomer's first relation (``hc_first`` steers how many of the
year's newcomers join the platform network, which is technology cooperation). Platform
ties and co-partner relations are technology cooperation by construction.
"""

from __future__ import annotations

import numpy as np

from .codes import HC, IV, RI, TC, UNI
from .draws import pairs_among
from .knobs import Knobs, per_year
from .network import Network
from .population import Population


def relation_types(rng, pop: Population, net: Network, first_year: int, knobs: Knobs) -> np.ndarray:
    """The relation type code of every relation of ``net``."""
    src, dst = net.src, net.dst
    ne = len(src)
    rel_t = np.full(ne, TC, np.int8)
    acad = np.isin(pop.org[src], (UNI, RI)) | np.isin(pop.org[dst], (UNI, RI))
    hc_first = per_year(knobs.hc_first, net.start - first_year)
    p_hc = np.where(acad, knobs.hc_academic, np.where(net.first, hc_first, knobs.hc_other))
    rel_t[rng.random(ne) < p_hc] = HC
    rel_t[net.forced_tc] = TC
    if net.tc_keys:
        rel_t[pairs_among(src, dst, np.concatenate(net.tc_keys), pop.nt)] = TC
    is_inv = pop.is_inv
    rel_t[is_inv[src] | is_inv[dst]] = IV
    return rel_t
