"""Resolves the JVM packages (Delta, GraphFrames) from Maven Central into the project's jars folder.

Run once by `make setup` as `python -m valuenet.jars`. Each package is resolved
with Maven into its own sub-folder, and jars that pyspark already ships (Spark,
Hadoop, Jackson, Scala, logging) are left out so that the classpath holds one
version of each library. A folder is resolved again when the coordinate in the
configuration differs from the one it was resolved from. The outcome of each package, with Maven's exact error
when it failed, is written to <jars dir>/RESOLUTION.txt.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pyspark

from valuenet.config import load_config, project_root

# Libraries that Spark already provides in another version: never add a second copy.
_PROVIDED_PREFIXES = ("jackson-", "log4j-", "slf4j-", "hadoop-client", "parquet-", "scala-library",
                      "commons-logging", "javax.annotation-api", "jsr305", "snappy-java", "zstd-jni",
                      "aircompressor", "RoaringBitmap")

# In each package's folder: the coordinate its jars were resolved from, so that a changed
# coordinate in conf/valuenet.yaml is resolved again instead of keeping stale jars.
COORDINATE_FILE = "COORDINATE"

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>valuenet</groupId><artifactId>jar-resolution</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>{group}</groupId><artifactId>{artifact}</artifactId><version>{version}</version></dependency>
  </dependencies>
</project>
"""


def jars_dir(config: dict) -> Path:
    """The folder that holds the resolved jars (relative paths are under the project root)."""
    path = Path(config["jars"]["dir"])
    return path if path.is_absolute() else project_root() / path


def local_jars(folder: Path) -> list[Path]:
    """Every jar under `folder`, sorted, for `spark.jars`."""
    return sorted(folder.rglob("*.jar")) if folder.exists() else []


def resolved_coordinate(target: Path) -> str | None:
    """The coordinate whose jars `target` holds, or None (resolved before it was recorded)."""
    marker = target / COORDINATE_FILE
    return marker.read_text().strip() if marker.exists() else None


def _artifact_name(jar: Path) -> str:
    return re.sub(r"-\d[^-]*(-[A-Za-z0-9.]+)?\.jar$", "", jar.name)


def _provided_by_spark() -> set[str]:
    spark_jars = Path(pyspark.__file__).parent / "jars"
    return {_artifact_name(j) for j in spark_jars.glob("*.jar")}


def resolve_package(coordinate: str, target: Path) -> tuple[bool, str]:
    """Copy `group:artifact:version` and its runtime dependencies into `target`; (ok, message)."""
    group, artifact, version = coordinate.split(":")
    mvn = shutil.which("mvn")
    if mvn is None:
        return False, "mvn not found on PATH: install Maven (apt-get install maven) and run `make setup` again"
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "pom.xml").write_text(_POM.format(group=group, artifact=artifact, version=version))
        out = Path(tmp) / "out"
        proc = subprocess.run(
            [mvn, "-q", "-B", "-U", "-f", str(Path(tmp) / "pom.xml"), "dependency:copy-dependencies",
             f"-DoutputDirectory={out}", "-DincludeScope=runtime"],
            capture_output=True, text=True)
        if proc.returncode != 0:
            errors = [line for line in (proc.stdout + proc.stderr).splitlines() if "[ERROR]" in line]
            return False, (errors[0] if errors else proc.stderr.strip()[:500]).replace("\x1b[0m", "").strip()
        provided = _provided_by_spark()
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        kept = []
        for jar in sorted(out.glob("*.jar")):
            name = _artifact_name(jar)
            if name in provided or name.startswith(_PROVIDED_PREFIXES):
                continue
            shutil.copy2(jar, target / jar.name)
            kept.append(jar.name)
        return True, f"{len(kept)} jars: {', '.join(kept)}"


def main(argv: list[str] | None = None) -> int:
    """Resolve every package of conf/valuenet.yaml `jars.packages` whose folder does not hold that
    coordinate's jars yet; non-zero if one fails (every package is required)."""
    config = load_config()
    folder = jars_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    lines, failed = [], False
    for name, coordinate in config["jars"]["packages"].items():
        target = folder / name
        if local_jars(target) and resolved_coordinate(target) == coordinate:
            lines.append(f"{name}\t{coordinate}\tok (already resolved)")
            continue
        ok, message = resolve_package(coordinate, target)
        if ok:
            (target / COORDINATE_FILE).write_text(coordinate + "\n")
        lines.append(f"{name}\t{coordinate}\t{'ok' if ok else 'FAILED'}: {message}")
        failed |= not ok
    (folder / "RESOLUTION.txt").write_text("\n".join(lines) + "\n")
    for line in lines:
        print("jars:", line.replace("\t", "  "))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
