"""What a year's outputs were computed from, in one comparable value.

The `input_versions` column of network_metrics (and the `valuenet.fingerprint` tag of a
year's MLflow run) record the Delta versions of nodes and edges that were read and a
digest of everything else that steers the result: the filter, the algorithm settings and
the code version. Two computations with equal provenance give equal outputs, which is
what `analyze --resume` and the de-duplication of MLflow runs rely on.
"""

from __future__ import annotations

import hashlib
import json

from valuenet import __version__


def settings_digest(filter_text: str, settings_params: dict) -> str:
    """A short digest of the filter, the algorithm settings and the code version."""
    payload = json.dumps({"filter": filter_text, "settings": settings_params, "code": __version__},
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def input_versions(versions: dict[str, int], filter_text: str, settings_params: dict) -> str:
    """The `input_versions` JSON: {"edges": v, "nodes": v, "settings": digest}."""
    return json.dumps({**versions, "settings": settings_digest(filter_text, settings_params)}, sort_keys=True)


def fingerprint(year: int, warehouse: str, provenance_json: str) -> str:
    """The identity of one year's computation, for finding an earlier identical MLflow run."""
    return hashlib.sha256(f"{year}|{warehouse}|{provenance_json}".encode()).hexdigest()[:24]
