"""The 2023 report's published figures, shipped inside the package (the product never reads ../shared):
the one loader of data/report_figures.yaml, for the sample's calibration and the report's comparison."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

FIGURES = Path(__file__).resolve().parent / "data" / "report_figures.yaml"


@lru_cache(maxsize=1)
def published() -> dict:
    """report_figures.yaml as a dict (read once; treat it as read-only)."""
    with FIGURES.open(encoding="utf-8") as f:
        return yaml.safe_load(f)
