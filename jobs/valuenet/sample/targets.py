"""The year table the sample is grown to: Table 2 of the report times the scale."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Targets:
    """Exact counts of the year networks, one entry per year of the table."""

    years: np.ndarray     # 2014..2022
    sample: np.ndarray    # sample nodes: round(table * scale)
    relation: np.ndarray  # relation nodes: nodes - sample (round(table * scale) up to one unit of rounding)
    edges: np.ndarray     # distinct directed edges: round(table * scale)

    @property
    def n_years(self) -> int:
        return len(self.years)


def targets(figs: dict, scale: float) -> Targets:
    """The counts the year networks of the sample at ``scale`` have."""
    t = figs["value_network_by_year"]
    rows = np.array(t["rows"], float)
    c = {name: rows[:, i] for i, name in enumerate(t["columns"])}
    S = np.rint(c["sample_nodes"] * scale).astype(np.int64)
    N = np.rint(c["nodes"] * scale).astype(np.int64)
    E = np.rint(c["edges"] * scale).astype(np.int64)
    return Targets(years=c["year"].astype(int), sample=S, relation=N - S, edges=E)
