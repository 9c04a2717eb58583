"""The measuring harness of docs/measure/ stands in for exactly the functions it names: same
parameters, so it measures the job as it is (no Spark here)."""

import importlib.util
import inspect
from pathlib import Path

from valuenet.commands import analyze
from valuenet.metrics import year_over_year
from valuenet.tracking.guarded import GuardedTracker

HARNESS = Path(__file__).resolve().parents[1] / "docs" / "measure" / "run_without_year_over_year.py"


def _harness():
    spec = importlib.util.spec_from_file_location("run_without_year_over_year", HARNESS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_the_harness_replaces_functions_with_their_own_parameters():
    harness = _harness()
    assert analyze.year_over_year is year_over_year.year_over_year  # what the harness swaps out
    assert _parameters(harness.no_year_over_year) == _parameters(year_over_year.year_over_year)
    assert _parameters(harness.without_dynamics(GuardedTracker.year)) == _parameters(GuardedTracker.year)
    assert _parameters(harness.snapshot_tables_only(analyze.YearsOutputs.tables)) == \
        _parameters(analyze.YearsOutputs.tables)


def test_the_tables_it_keeps_are_output_tables_without_year_over_year_columns():
    from valuenet import schemas, tables

    harness = _harness()
    assert set(harness.SNAPSHOT_TABLES) < set(tables.OUTPUT_TABLES)
    node_columns = set(schemas.load("node_metrics").names)
    assert set(harness.NULL_NODE_COLUMNS) <= node_columns
    assert set(year_over_year.YearOverYear.__dataclass_fields__) >= {"nodes", "movers", "communities", "robustness",
                                                                      "attachment", "per_year", "cached"}
