"""Set-up's jar resolution: a folder is kept only while it holds the configured coordinate's jars,
and a package that cannot be resolved fails set-up with one line naming its coordinate."""

from __future__ import annotations

from pathlib import Path

import pytest

from valuenet import jars

OLD, NEW = "io.graphframes:graphframes-spark4_2.13:0.12.3", "io.graphframes:graphframes-spark4_2.13:0.11.0"


@pytest.fixture
def resolved(tmp_path, monkeypatch):
    """jars.main against a jars folder under tmp_path; Maven replaced by a recorder (no network)."""
    calls, failing = [], set()

    def fake_resolve(coordinate: str, target: Path):
        calls.append(coordinate)
        if coordinate in failing:
            return False, f"[ERROR] Could not find artifact {coordinate}"
        target.mkdir(parents=True, exist_ok=True)
        (target / (coordinate.split(":")[1] + ".jar")).write_bytes(b"")
        return True, "1 jar"

    monkeypatch.setattr(jars, "resolve_package", fake_resolve)
    monkeypatch.setattr(jars, "load_config",
                        lambda: {"jars": {"dir": str(tmp_path / "jars"), "packages": {"graphframes": NEW}}})
    return tmp_path / "jars", calls, failing


def test_a_folder_of_another_coordinate_is_resolved_again(resolved):
    folder, calls, _ = resolved
    stale = folder / "graphframes"
    stale.mkdir(parents=True)
    (stale / "graphframes-spark4_2.13-0.12.3.jar").write_bytes(b"")
    (stale / jars.COORDINATE_FILE).write_text(OLD + "\n")
    assert jars.main() == 0
    assert calls == [NEW]
    assert jars.resolved_coordinate(stale) == NEW
    assert jars.main() == 0 and calls == [NEW]  # now up to date: nothing resolved twice


def test_a_package_that_cannot_be_resolved_fails_set_up_naming_it(resolved, capsys):
    folder, _, failing = resolved
    failing.add(NEW)
    assert jars.main() == 1
    line = next(line for line in capsys.readouterr().out.splitlines() if "FAILED" in line)
    assert NEW in line and "Could not find artifact" in line
    assert jars.resolved_coordinate(folder / "graphframes") is None


def test_a_job_without_the_graphframes_classes_refuses_to_start(tmp_path):
    import os
    import subprocess
    import sys

    from valuenet.config import load_config

    only_delta = tmp_path / "jars"
    only_delta.mkdir()
    for jar in jars.local_jars(jars.jars_dir(load_config()) / "delta"):
        (only_delta / jar.name).symlink_to(jar)
    done = subprocess.run([str(Path(sys.executable).parent / "valuenet"), "analyze", "--warehouse",
                           str(tmp_path / "warehouse"), "--no-tracking"],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "VALUENET_JARS": str(only_delta)})
    assert done.returncode != 0
    said = done.stdout + done.stderr
    assert "io.graphframes:graphframes-spark4_2.13:0.11.0" in said and "make setup" in said
    assert "Traceback" not in said and "Py4J" not in said
