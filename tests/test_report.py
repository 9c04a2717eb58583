"""valuenet report's errors: a warehouse not analysed yet is one clear line; a bug is not disguised as one."""

from __future__ import annotations

import pandas as pd
import pytest

from valuenet.commands import report


def test_a_warehouse_without_outputs_says_to_analyze_first(tmp_path, capsys):
    assert report.main(["--warehouse", str(tmp_path / "warehouse"), "--no-tracking"]) == 2
    said = capsys.readouterr().err
    assert "cannot make the report" in said and "run `valuenet analyze` first" in said


def test_a_failure_inside_the_report_is_raised_not_blamed_on_the_warehouse(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug in the report's code")

    monkeypatch.setattr(report, "build", broken)
    with pytest.raises(ValueError, match="a bug in the report's code"):
        report.main(["--warehouse", str(tmp_path / "warehouse"), "--no-tracking"])


def _table2(measured: dict) -> dict[str, tuple]:
    """{figure: (tolerance text, within)} of Table 2 for one published year, 2020, against `measured`."""
    from valuenet.report.compare import table2

    columns = ["year", "nodes", "sample_nodes", "relation_nodes", "edges", "avg_path_length", "diameter",
               "avg_clustering"]
    figures = {"value_network_by_year": {"columns": columns, "rows": [[2020, 100, 40, 60, 300, 4.0, 10, 0.040]]}}
    network = pd.DataFrame([{"year": 2020, "nodes": 100, "sample_nodes": 40, "relation_nodes": 60, "edges": 300,
                             "avg_path_length": 4.0, "diameter": 10, "avg_clustering": 0.040, **measured}])
    return {row[1]: (row[5], row[6]) for row in table2(figures, network)}


def test_each_tolerance_kind_of_table_2_flags_what_lies_outside_it():
    assert all(within for _, within in _table2({}).values())  # everything as published
    # exact: one node off; relative 10 %: 4.0 -> 4.41; absolute +-3: 10 -> 14; clustering max(0.005, 25 %)
    outside = _table2({"edges": 301, "avg_path_length": 4.41, "diameter": 14, "avg_clustering": 0.0501})
    assert {k: w for k, (_, w) in outside.items() if not w} == {
        "2020 edges": False, "2020 avg_path_length": False, "2020 diameter": False, "2020 avg_clustering": False}
    inside = _table2({"avg_path_length": 4.39, "diameter": 13, "avg_clustering": 0.0499})
    assert all(within for _, within in inside.values())
    assert inside["2020 avg_clustering"][0] == "max(0.005, 25%)"


def test_a_year_that_was_not_analysed_is_outside_every_tolerance():
    from valuenet.report.compare import table2

    figures = {"value_network_by_year": {"columns": ["year", "nodes", "sample_nodes", "relation_nodes", "edges",
                                                     "avg_path_length", "diameter", "avg_clustering"],
                                         "rows": [[2019, 1, 1, 0, 1, 1.0, 1, 0.0]]}}
    rows = table2(figures, pd.DataFrame([{"year": 2020}]))
    assert rows and not any(row[6] for row in rows) and all(row[3] is None for row in rows)


def test_a_year_that_was_not_analysed_is_one_clear_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(report, "_read", lambda *args, **kwargs: pd.DataFrame({"year": [2021, 2022]}))
    assert report.main(["--warehouse", str(tmp_path / "warehouse"), "--year", "2030", "--no-tracking"]) == 2
    said = capsys.readouterr().err
    assert "year 2030 was not analysed (analysed: 2021, 2022)" in said


@pytest.fixture
def sections_stubbed(monkeypatch):
    """build() on a warehouse whose network_metrics holds 2022, every section but the comparison stubbed."""
    monkeypatch.setattr(report, "_read", lambda *args, **kwargs: pd.DataFrame({"year": [2022]}))
    monkeypatch.setattr(report, "_dynamics_sections", lambda *args: [])
    monkeypatch.setattr(report, "_filtered_sections", lambda *args: [])
    monkeypatch.setattr(report, "format_year_table", lambda rows: "")
    for name in ("top_nodes", "top_shares", "top_flows"):
        monkeypatch.setattr(report.report_tables, name, lambda *args: "")


def test_a_lookup_error_inside_the_report_is_not_blamed_on_the_warehouse(tmp_path, monkeypatch, sections_stubbed):
    def broken(*args, **kwargs):
        raise KeyError("a figure the comparison does not know")

    monkeypatch.setattr(report, "compare", broken)
    with pytest.raises(KeyError, match="a figure the comparison does not know"):
        report.main(["--warehouse", str(tmp_path / "warehouse"), "--compare", "--no-tracking"])


def test_the_points_kind_flags_a_share_off_by_more_than_its_points():
    from valuenet.report.compare import _row

    inside, outside = _row("T", "f", 0.20, 0.214, "points", 0.015), _row("T", "f", 0.20, 0.216, "points", 0.015)
    assert (inside[5], inside[6], outside[6]) == ("+-1.5 pt", True, False)


def test_the_summary_counts_the_figures_within_their_tolerance(tmp_path, monkeypatch, sections_stubbed):
    monkeypatch.setattr(report, "compare", lambda *args: pd.DataFrame({"within": [True, False, True]}))
    _, summary, year = report.build(str(tmp_path / "warehouse"), None, with_compare=True)
    assert (summary, year) == ("2 of 3 published figures are within tolerance", 2022)
