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
