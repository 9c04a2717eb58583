"""valuenet report's errors: a warehouse not analysed yet is one clear line; a bug is not disguised as one."""

from __future__ import annotations

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
    import pandas as pd

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
    import pandas as pd

    from valuenet.report.compare import table2

    figures = {"value_network_by_year": {"columns": ["year", "nodes", "sample_nodes", "relation_nodes", "edges",
                                                     "avg_path_length", "diameter", "avg_clustering"],
                                         "rows": [[2019, 1, 1, 0, 1, 1.0, 1, 0.0]]}}
    rows = table2(figures, pd.DataFrame([{"year": 2020}]))
    assert rows and not any(row[6] for row in rows) and all(row[3] is None for row in rows)
