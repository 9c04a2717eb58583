"""Names and founding years of the registry nodes.

Named hubs keep their names. Others get a synthetic brand (two syllables) and a suffix by
org type; universities, government bodies and alliances are named after their city.
"""

from __future__ import annotations

import numpy as np

from . import vocab
from .codes import ALL, ENT, GOV, INV, OTH, RI, UNI


def node_names(rng, org, hub_names, city) -> np.ndarray:
    """A name per node; a synthetic name never coincides with a named organisation."""
    nt = len(org)
    syl = np.array(vocab.NAME_SYLLABLES, dtype=object)
    lower = np.array([s.lower() for s in vocab.NAME_SYLLABLES], dtype=object)
    brand = syl[rng.integers(0, len(syl), nt)] + lower[rng.integers(0, len(syl), nt)]
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
    named = set(hub_names)  # a set lookup per name: np.isin on strings sorts them all
    clash = np.flatnonzero(np.fromiter((name in named for name in names), bool, nt))
    names[clash] = names[clash] + " Office"
    names[:len(hub_names)] = np.array(hub_names, dtype=object)
    return names


def founded_years(rng, org, intro, first_year) -> np.ndarray:
    """Founding years: the joining year (the last year for nodes that never join) minus an
    exponential age, not before 1980; universities and research institutes 1900..1999;
    government bodies and 5 % of all nodes unknown (-1)."""
    nt = len(org)
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
