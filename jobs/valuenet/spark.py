"""The one place that creates the SparkSession.

Settings come from conf/spark-defaults.<profile>.conf, then from the command
line (`--spark key=value`); under spark-submit, whatever spark-submit already
set (master, memory, --jars, --packages) wins. Delta and GraphFrames are
required: without their classes the job stops at start-up, naming the
coordinates and the fix.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from pyspark.sql import SparkSession

from valuenet.config import conf_dir
from valuenet.errors import ConfigError, MissingJarsError
from valuenet.jars import jars_dir, local_jars

log = logging.getLogger("valuenet")


@dataclass
class Runtime:
    """What the session runs with: the session and the versions of Spark, its JVM packages and Java."""

    spark: SparkSession
    versions: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.versions.items())


def read_spark_defaults(profile: str) -> dict[str, str]:
    """The key/value pairs of conf/spark-defaults.<profile>.conf."""
    path = conf_dir() / f"spark-defaults.{profile}.conf"
    if not path.exists():
        profiles = sorted(p.name.split(".")[1] for p in conf_dir().glob("spark-defaults.*.conf"))
        raise ConfigError(f"{path}: no such Spark profile; choose one of {profiles}")
    settings = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition(" ")
            settings[key] = value.strip()
    return settings


def _under_spark_submit() -> bool:
    # spark-submit starts the Python driver with a ready Py4J gateway.
    return "PYSPARK_GATEWAY_PORT" in os.environ


def _jar_version(spark: SparkSession, class_name: str) -> str | None:
    """The file name of the jar a class was loaded from, or None if the class is missing."""
    jvm = spark.sparkContext._jvm
    try:
        cls = jvm.java.lang.Class.forName(class_name, False, jvm.Thread.currentThread().getContextClassLoader())
    except Exception:  # py4j wraps ClassNotFoundException
        return None
    source = cls.getProtectionDomain().getCodeSource()
    return Path(str(source.getLocation().getPath())).name if source is not None else "on classpath"


# The JVM's JIT limited to its quick compiler, C1 (see conf spark.full_jit_from_bytes).
C1_ONLY = "-XX:TieredStopAtLevel=1"


def full_jit(config: dict, input_bytes: int | None) -> bool:
    """Whether a local job reading `input_bytes` (None: not known, a small job) gets the JVM's
    full JIT (C1, then C2 for the hot code) rather than C1 only: conf spark.full_jit_from_bytes
    bytes or more (null: always)."""
    threshold = config["spark"].get("full_jit_from_bytes")
    return threshold is None or (input_bytes is not None and input_bytes >= threshold)


def create_session(config: dict, spark_overrides: list[str] | None = None,
                   checkpoint_dir: str | None = None, input_bytes: int | None = None) -> Runtime:
    """A SparkSession with Delta and GraphFrames, quiet logs and a checkpoint dir.

    input_bytes: how much the job reads (raw files, stored tables), if known; in local mode it
    chooses the JIT of the JVM that runs the tasks (full_jit). Raises MissingJarsError naming the
    coordinates and the fix when Delta's or GraphFrames' classes are missing (the session is
    stopped first).
    """
    settings = read_spark_defaults(config["spark"]["profile"])
    for item in spark_overrides or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"--spark {item!r}: expected key=value, for example spark.sql.shuffle.partitions=4")
        settings[key] = value
    log4j = conf_dir() / "log4j2.properties"
    java_opts = f"-Dlog4j2.configurationFile=file:{log4j}"
    if (not _under_spark_submit() and settings.get("spark.master", "").startswith("local")
            and not full_jit(config, input_bytes)):  # first, so that a JIT option given with --spark still wins
        settings["spark.driver.extraJavaOptions"] = f"{C1_ONLY} {settings.get('spark.driver.extraJavaOptions', '')}"
    for key in ("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions"):
        settings[key] = f"{settings.get(key, '')} {java_opts}".strip()  # the profile's options, plus quiet logs
    folder = Path(os.environ.get("VALUENET_JARS") or jars_dir(config))
    jars = local_jars(folder)

    # Python workers must run the driver's interpreter (the project's environment).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(config["spark"]["app_name"])
    if _under_spark_submit():
        from pyspark import SparkConf, SparkContext

        # Connect to spark-submit's JVM first: before that, SparkConf() is an empty Python dict
        # and the profile would silently override spark-submit's --conf settings.
        SparkContext._ensure_initialized()
        given = SparkConf()
        settings = {k: v for k, v in settings.items() if not given.contains(k)}
        settings.pop("spark.master", None)
    elif jars and "spark.jars.packages" not in settings:
        settings["spark.jars"] = ",".join(str(j) for j in jars)
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")

    found = {name: _jar_version(spark, probe) for name, probe in config["jars"]["probe_classes"].items()}
    missing = [name for name, jar in found.items() if jar is None]
    if missing:
        spark.stop()
        raise MissingJarsError(_missing_message(config, missing, folder))
    jvm = spark.sparkContext._jvm
    versions = {
        "spark": spark.version,
        "delta": found["delta"],
        "graphframes": found["graphframes"],
        "java": str(jvm.java.lang.System.getProperty("java.version")),
    }
    if checkpoint_dir:
        spark.sparkContext.setCheckpointDir(checkpoint_dir)
    runtime = Runtime(spark=spark, versions=versions)
    log.info("Spark session: %s", runtime.describe())
    # read from the JVM itself: a session that was already running keeps the JIT it started with
    levels = [str(a) for a in jvm.java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
              if str(a).startswith("-XX:TieredStopAtLevel=")]
    log.info("Spark settings: master %s, %s shuffle partitions, AQE %s, driver JIT %s", spark.sparkContext.master,
             spark.conf.get("spark.sql.shuffle.partitions"), spark.conf.get("spark.sql.adaptive.enabled"),
             "C1 only" if levels and levels[-1] == C1_ONLY else "full")
    return runtime


def _missing_message(config: dict, missing: list[str], folder: Path) -> str:
    packages, probes = config["jars"]["packages"], config["jars"]["probe_classes"]
    what = " and ".join(f"{name} ({probes[name]})" for name in missing)
    coordinates = ",".join(packages[name] for name in missing)
    return (f"the classes of {what} are not on the classpath: looked for jars in {folder}. "
            f"Run `make setup` (it resolves {coordinates} from Maven Central), or pass "
            f"--packages {coordinates} / --jars <local jars> to spark-submit, or set VALUENET_JARS.")
