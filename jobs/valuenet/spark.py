"""The one place that creates the SparkSession.

Settings come from conf/spark-defaults.<profile>.conf, then from the command
line (`--spark key=value`); under spark-submit, whatever spark-submit already
set (master, memory, --jars, --packages) wins. Delta is required; GraphFrames
is probed and reported (see conf/valuenet.yaml, jars.optional).
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
    """What the session runs with: versions, and which optional JVM packages are present."""

    spark: SparkSession
    versions: dict[str, str] = field(default_factory=dict)
    has_graphframes: bool = False

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


def create_session(config: dict, spark_overrides: list[str] | None = None,
                   checkpoint_dir: str | None = None) -> Runtime:
    """A SparkSession with Delta (required) and GraphFrames (probed), quiet logs and a checkpoint dir.

    Raises MissingJarsError naming the coordinates and the fix when Delta's classes are missing.
    """
    settings = read_spark_defaults(config["spark"]["profile"])
    for item in spark_overrides or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"--spark {item!r}: expected key=value, for example spark.sql.shuffle.partitions=4")
        settings[key] = value
    log4j = conf_dir() / "log4j2.properties"
    java_opts = f"-Dlog4j2.configurationFile=file:{log4j}"
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

    packages = config["jars"]["packages"]
    probes = config["jars"]["probe_classes"]
    delta = _jar_version(spark, probes["delta"])
    if delta is None:
        raise MissingJarsError(
            f"Delta Lake classes ({probes['delta']}) are not on the classpath: looked for jars in {folder}. "
            f"Run `make setup` (it resolves {packages['delta']} from Maven Central), or pass "
            f"--packages {packages['delta']} / --jars <local jars> to spark-submit, or set VALUENET_JARS.")
    graphframes = _jar_version(spark, probes["graphframes"])
    jvm = spark.sparkContext._jvm
    versions = {
        "spark": spark.version,
        "delta": delta,
        "graphframes": graphframes or "MISSING",
        "java": str(jvm.java.lang.System.getProperty("java.version")),
    }
    if checkpoint_dir:
        spark.sparkContext.setCheckpointDir(checkpoint_dir)
    runtime = Runtime(spark=spark, versions=versions, has_graphframes=graphframes is not None)
    log.info("Spark session: %s", runtime.describe())
    log.info("Spark settings: master %s, %s shuffle partitions, AQE %s", spark.sparkContext.master,
             spark.conf.get("spark.sql.shuffle.partitions"), spark.conf.get("spark.sql.adaptive.enabled"))
    if graphframes is None:
        log.warning("GraphFrames classes (%s) are missing: pagerank and components are left null. "
                    "Fix: make setup once %s can be resolved, or pass --packages / --jars with it.",
                    probes["graphframes"], packages["graphframes"])
    return runtime
