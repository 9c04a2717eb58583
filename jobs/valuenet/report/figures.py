"""The report's published figures, shipped inside the package (the product never reads ../shared)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

FIGURES = Path(__file__).resolve().parents[1] / "data" / "report_figures.yaml"


@lru_cache(maxsize=1)
def published() -> dict:
    """figures.yaml of the 2023 report, as a dict."""
    with FIGURES.open(encoding="utf-8") as f:
        return yaml.safe_load(f)
