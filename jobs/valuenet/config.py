"""Loads conf/valuenet.yaml once, with command-line overrides.

The project root is found from this file (jobs/valuenet/config.py) or from the
VALUENET_HOME environment variable (an installed wheel on a cluster).
"""

from __future__ import annotations

import copy
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from valuenet.errors import ConfigError


def project_root() -> Path:
    """The folder holding conf/ and schemas/."""
    env = os.environ.get("VALUENET_HOME")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2]


def conf_dir() -> Path:
    """The conf/ folder (VALUENET_CONF overrides)."""
    env = os.environ.get("VALUENET_CONF")
    return Path(env).resolve() if env else project_root() / "conf"


@lru_cache(maxsize=1)
def _base_config() -> dict[str, Any]:
    path = conf_dir() / "valuenet.yaml"
    if not path.exists():
        raise ConfigError(f"{path}: configuration file not found; set VALUENET_CONF to the folder holding valuenet.yaml")
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def load_config(overrides: list[str] | None = None, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The configuration (conf/valuenet.yaml, or `base`, e.g. an earlier run's config.json) with
    `key.sub=value` overrides applied (values parsed as YAML scalars)."""
    config = copy.deepcopy(base if base is not None else _base_config())
    for item in overrides or []:
        if "=" not in item:
            raise ConfigError(f"--conf {item!r}: expected key=value, for example analyze.pagerank.tol=1e-8")
        key, raw = item.split("=", 1)
        node = config
        parts = key.strip().split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--conf {item!r}: {part} is not a section")
        node[parts[-1]] = yaml.safe_load(raw)
    return config


def resolve_path(path: str) -> str:
    """A local path made absolute against the working folder; URIs (s3a://, hdfs://) unchanged."""
    if "://" in path:
        return path
    return str(Path(path).expanduser().resolve())
