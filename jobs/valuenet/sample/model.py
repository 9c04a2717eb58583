"""The calibrated synthetic sample: a seeded stochastic growth model of the value network.

``generate(scale, seed)`` returns ``(nodes, edges)`` as pyarrow Tables in the input
format of DESIGN.md section 2. Pure NumPy + pyarrow, no Spark. Every figure valuenet
prints about the sample is measured on the generated graph.

The model runs in stages, one module each, in this order (all randomness comes from one
``numpy.random.default_rng(seed)``, so the order of the stages is part of the sample):

* ``population``: the registry of every node that ever joins, the named hubs of Tables
  3 and 4 first with stochastic degree quotas, org types, platform enterprises and
  heavy-tailed fitnesses.
* ``growth``: the year networks 2014..2022 (Table 2), year by year, each with exactly
  ``round(table * scale)`` sample nodes, nodes and distinct directed edges: exits and
  endings (``exits``), hub relations (``hubs``), one first relation per other newcomer,
  some of them in diffusion chains (``newcomers``), then the extra relations
  (``extra``), among them the platform core and shared partners (``platforms``).
* ``relation_types``: investment, technology cooperation or human capital, following
  the endpoints.
* ``noise``: parallel relations and self-loops, valid input that collapses.
* ``attributes``: technology categories, application fields, industries, weights.
* ``geography``: provinces and cities, set after the graph is grown.
* ``tables`` and ``names``: ids, then names and founding years, and the two tables.

The calibration knobs (model parameters, not figures of the report) are ``knobs.KNOBS``;
smaller fixed choices (org mixes, the spread of parallel relations, founding ages) are stated
in the docstrings of the stages that draw them.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from valuenet.published import published

from .attributes import edge_attributes
from .geography import geography
from .growth import grow
from .knobs import KNOBS, Knobs
from .names import founded_years, node_names
from .noise import edge_rows
from .population import populate
from .relation_types import relation_types
from .tables import EDGE_SCHEMA, NODE_SCHEMA, edge_table, node_ids, node_table
from .targets import targets

__all__ = ["EDGE_SCHEMA", "NODE_SCHEMA", "generate", "year_targets"]


def year_targets(scale: float = 1.0, figures: dict | None = None) -> dict[int, dict[str, int]]:
    """The exact counts the year networks of ``generate(scale)`` have.

    sample_nodes, nodes and edges are ``round(table * scale)``; relation_nodes is
    nodes - sample_nodes (equal to round(table * scale) at scale 1, possibly one
    off at other scales, since rounded parts need not add up to the rounded sum).
    """
    tg = targets(figures if figures is not None else published(), scale)
    return {int(y): {"sample_nodes": int(s), "relation_nodes": int(r),
                     "nodes": int(s + r), "edges": int(e)}
            for y, s, r, e in zip(tg.years, tg.sample, tg.relation, tg.edges)}


def generate(scale: float = 1.0, seed: int = 7, figures: dict | None = None,
             knobs: Knobs = KNOBS) -> tuple[pa.Table, pa.Table]:
    """Return (nodes, edges) in the input format of DESIGN.md section 2.

    At scale 1.0 the year networks 2014..2022 (section 3 of DESIGN.md) have exactly
    the sample/relation node and edge counts of Table 2; at other scales
    round(table * scale). ``knobs``: the model parameters (the calibrated ones by
    default; ``dataclasses.replace(KNOBS, ...)`` to try others).
    """
    figs = figures if figures is not None else published()
    rng = np.random.default_rng(seed)
    tg = targets(figs, scale)
    if (tg.sample <= 0).any() or (tg.relation <= 0).any() or (tg.edges <= 0).any():
        raise ValueError(f"scale {scale} too small for the year table")
    first, last = tg.years[0], int(tg.years[-1])

    pop = populate(rng, figs, scale, tg, knobs)
    net = grow(rng, pop, tg, knobs)
    rel = relation_types(rng, pop, net, first, knobs)
    rows = edge_rows(rng, pop, net, rel, first, last, scale, knobs)
    attributes = edge_attributes(rng, figs, rows.rel)
    prov, city = geography(rng, figs, pop, rows, last, knobs)

    ids = node_ids(rng, pop.nt)
    names = node_names(rng, pop.org, pop.hub_names, city)
    founded = founded_years(rng, pop.org, pop.intro, first)
    nodes = node_table(rng, ids, names, pop.kind, pop.org, prov, city, founded, pop.is_plat)
    return nodes, edge_table(ids, rows, attributes)
