"""Packages the jobs for a cluster: `python -m valuenet.package [--out dist]`.

Writes
  dist/valuenet-<version>.zip             the valuenet package, for spark-submit --py-files
                                          (executors import the metric kernels from it);
  dist/valuenet-project-<version>.tar.gz  jobs/*.py, conf/ and schemas/, for --archives in
                                          cluster deploy mode (set VALUENET_HOME to where it lands).
Third-party Python packages (numpy, pyarrow, igraph, scipy) must exist on the executors:
install the project there, or ship a packed environment (venv-pack) with --archives.
"""

from __future__ import annotations

import argparse
import tarfile
import zipfile
from pathlib import Path

from valuenet import __version__
from valuenet.config import project_root


def _files(folder: Path):
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path


def build(out: Path) -> tuple[Path, Path]:
    """Write the zip and the project archive into `out`; returns their paths."""
    root = project_root()
    out.mkdir(parents=True, exist_ok=True)
    package = out / f"valuenet-{__version__}.zip"
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as z:
        for path in _files(root / "jobs" / "valuenet"):
            z.write(path, path.relative_to(root / "jobs"))
    project = out / f"valuenet-project-{__version__}.tar.gz"
    with tarfile.open(project, "w:gz") as t:
        for folder in ("conf", "schemas"):
            for path in _files(root / folder):
                t.add(path, path.relative_to(root))
        for path in sorted((root / "jobs").glob("*.py")):
            t.add(path, path.relative_to(root))
    return package, project


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m valuenet.package", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(project_root() / "dist"), help="output folder (default: dist/)")
    args = parser.parse_args(argv)
    for path in build(Path(args.out)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
