"""MLflow layout of DESIGN.md section 5: one parent run per analyze, one child run per year.

Only the jobs call these functions (MLflow is an edge, like reading and writing tables).
"""

from __future__ import annotations

import math
import os
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from valuenet import __version__
from valuenet.config import project_root
from valuenet.errors import TrackingError


def tracking_uri(config: dict) -> str:
    """config mlflow.tracking_uri, else MLFLOW_TRACKING_URI, else sqlite:///mlflow.db in the working folder."""
    return (config["mlflow"].get("tracking_uri") or os.environ.get("MLFLOW_TRACKING_URI")
            or f"sqlite:///{Path.cwd() / 'mlflow.db'}")


def check_reachable(uri: str, timeout: float = 5.0) -> None:
    """Raise TrackingError in one line if an http(s) tracking server does not answer its /health check.

    Called before any Spark work, so a wrong URI costs seconds, not a computed year.
    Local stores (sqlite, file) need no check. Credentials in the URI go as basic auth.
    """
    import base64
    import urllib.error
    import urllib.request

    if not uri.startswith(("http://", "https://")):
        return
    clean, user, password = _split_credentials(uri)
    request = urllib.request.Request(clean.rstrip("/") + "/health")
    if user is not None:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (http(s) only, checked above)
            if answer.status == 200:
                return
            problem = f"HTTP {answer.status}"
    except urllib.error.HTTPError as exc:
        problem = f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        problem = str(getattr(exc, "reason", exc))
    raise TrackingError(f"MLflow tracking server {without_credentials(uri)} cannot be reached ({problem}): "
                        "start it, fix mlflow.tracking_uri / MLFLOW_TRACKING_URI, or pass --no-tracking")


MASK = "***"


def _split_credentials(uri: str) -> tuple[str, str | None, str | None]:
    """(the URI without its user:password@ part, user, password); user None when there is none."""
    from urllib.parse import unquote, urlsplit, urlunsplit

    parts = urlsplit(uri)
    if "@" not in parts.netloc:
        return uri, None, None
    host = parts.netloc.rsplit("@", 1)[1]
    clean = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return clean, unquote(parts.username or ""), None if parts.password is None else unquote(parts.password)


def without_credentials(uri: str) -> str:
    """The URI with any user:password@ part masked, for messages, tags and artifacts."""
    clean, user, _ = _split_credentials(uri)
    if user is None:
        return uri
    scheme, rest = clean.split("://", 1)
    return f"{scheme}://{MASK}@{rest}"


def client_uri(uri: str) -> str:
    """The URI to hand to MLflow: credentials in it move to MLFLOW_TRACKING_USERNAME / _PASSWORD.

    MLflow sends those as basic auth, while it prints the URI itself (its "View run ... at:"
    lines), so a password left in the URI would end up in the job's output.
    """
    clean, user, password = _split_credentials(uri)
    if user is not None:
        os.environ["MLFLOW_TRACKING_USERNAME"] = user
        if password is not None:
            os.environ["MLFLOW_TRACKING_PASSWORD"] = password
    return clean


def redacted_config(config: dict) -> dict:
    """A copy of the configuration safe to log: the tracking URI's credentials masked."""
    import copy

    safe = copy.deepcopy(config)
    uri = safe.get("mlflow", {}).get("tracking_uri")
    if uri:
        safe["mlflow"]["tracking_uri"] = without_credentials(str(uri))
    return safe


def git_commit() -> str:
    """The commit of the code that runs, or 'unknown' outside a git checkout."""
    try:
        out = subprocess.run(["git", "-C", str(project_root()), "rev-parse", "HEAD"],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def year_run_inputs(uri: str, run_id: str) -> dict:
    """What a year run was computed from: year, filter clauses, input table versions, its config.

    Raises TrackingError if the run is not a valuenet year run.
    """
    import json

    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    store = _sqlite_file(uri)
    if store is not None and not store.exists():  # MLflow would create an empty store there
        raise TrackingError(f"--as-of-run {run_id}: there is no MLflow store at {store}: "
                            "set mlflow.tracking_uri / MLFLOW_TRACKING_URI to the store that holds the run")
    client = MlflowClient(tracking_uri=client_uri(uri))
    try:
        run = client.get_run(run_id)
    except MlflowException as exc:
        raise TrackingError(f"--as-of-run {run_id}: no such run at {without_credentials(uri)} "
                            f"({str(exc).splitlines()[0]})") from None
    tags, params = run.data.tags, run.data.params
    if tags.get("valuenet.role") != "year":
        raise TrackingError(f"--as-of-run {run_id}: not a valuenet year run (tag valuenet.role is "
                            f"{tags.get('valuenet.role')!r}); pick a child run named year=YYYY")
    parent = tags.get("mlflow.parentRunId")
    config = None
    if parent:
        try:
            config = json.loads(Path(client.download_artifacts(parent, "config.json")).read_text(encoding="utf-8"))
        except (MlflowException, OSError, ValueError):
            config = None
    if config and MASK in str(config.get("mlflow", {}).get("tracking_uri") or ""):
        config["mlflow"]["tracking_uri"] = None  # logged masked: the current URI (env or --conf) applies
    filter_text = tags.get("valuenet.filter", "none")
    return {"year": int(tags["valuenet.year"]),
            "filter": [] if filter_text == "none" else filter_text.split(";"),
            "versions": {t: int(params[f"input_version_{t}"]) for t in ("nodes", "edges")},
            "warehouse": tags.get("valuenet.warehouse"), "config": config}


def _sqlite_file(uri: str) -> Path | None:
    """The database file of a sqlite:/// tracking URI (None for any other store)."""
    from urllib.parse import unquote

    if not uri.startswith("sqlite:///"):
        return None
    return Path(unquote(uri[len("sqlite:///"):].split("?", 1)[0]))  # sqlite:////abs or sqlite:///relative


def _clean(metrics: dict) -> dict[str, float]:
    """MLflow metrics: numbers only, nulls and NaN left out (never faked as 0)."""
    return {k: float(v) for k, v in metrics.items()
            if v is not None and not (isinstance(v, float) and math.isnan(v))}


class Tracker:
    """Opens the parent run and the year runs of one analyze invocation."""

    def __init__(self, config: dict):
        import logging

        import mlflow

        logging.getLogger("mlflow").setLevel(logging.WARNING)  # mlflow resets its level on import
        logging.getLogger("alembic").setLevel(logging.WARNING)
        self.mlflow = mlflow
        uri = client_uri(tracking_uri(config))
        mlflow.set_tracking_uri(uri)
        name = config["mlflow"]["experiment"]
        if uri.startswith("sqlite:///") and mlflow.get_experiment_by_name(name) is None:
            # artifacts beside the local database, not in whatever folder the job ran from
            store = Path(uri[len("sqlite:///"):]).parent / "mlartifacts" / name
            mlflow.create_experiment(name, artifact_location=store.resolve().as_uri())
        self.experiment = mlflow.set_experiment(name)
        self.uri = mlflow.get_tracking_uri()

    @contextmanager
    def parent(self, name: str, tags: dict[str, str], params: dict[str, object], settings: dict):
        """The analyze run: tags (data source, warehouse, commit, versions), few params, full config artifact."""
        with self.mlflow.start_run(run_name=name) as run:
            self.mlflow.set_tags({"valuenet.code_version": __version__, "valuenet.git_commit": git_commit(),
                                  "valuenet.role": "analyze", **tags})
            self.mlflow.log_params(params)
            self.mlflow.log_dict(redacted_config(settings), "config.json")
            yield run

    @contextmanager
    def year(self, year: int, tags: dict[str, str], params: dict[str, object]):
        """A child run named year=YYYY; marked FAILED (with the error as a tag) if the body raises."""
        with self.mlflow.start_run(run_name=f"year={year}", nested=True) as run:
            self.mlflow.set_tags({"valuenet.year": str(year), "valuenet.role": "year", **tags})
            self.mlflow.log_params(params)
            try:
                yield run
            except BaseException as exc:
                self.mlflow.set_tag("valuenet.error", f"{type(exc).__name__}: {exc}"[:4000])
                self.mlflow.end_run(status="FAILED")
                raise

    def log_inputs(self, table_paths: dict[str, str], versions: dict[str, int]) -> None:
        """The Delta tables the year read, as MLflow datasets with their versions (lineage: the run
        can be reproduced by time travel, see analyze --as-of-run)."""
        from mlflow.data.delta_dataset_source import DeltaDatasetSource
        from mlflow.data.meta_dataset import MetaDataset

        for table, path in table_paths.items():
            source = DeltaDatasetSource(path=path, delta_table_version=int(versions[table]))
            dataset = MetaDataset(source, name=table, digest=f"v{versions[table]}")
            self.mlflow.log_input(dataset, context=table)

    def log_year_contents(self, year: int, table_paths: dict[str, str], versions: dict[str, int], frames: tuple,
                          row: dict, parent_run_id: str, synthetic: bool, dynamics: dict | None = None,
                          dynamics_frames: tuple | None = None, picture_frames: tuple | None = None):
        """Inside an open year run: its input datasets, artifacts (frames: as artifact_frames returns
        them), network metrics and year-over-year metrics (dynamics: the year_dynamics values;
        dynamics_frames: as dynamics_frames_by_year returns them), also on the parent at step=year,
        and the network's picture (picture_frames: as picture_frames_by_year returns them). Same for
        analyze and track. Returns the picture (network_picture.Picture), or None."""
        from valuenet.metrics.definitions import NETWORK_METRICS, YEAR_DYNAMICS

        self.log_inputs(table_paths, versions)
        self.log_year_artifacts(year, *frames, synthetic=synthetic)
        if dynamics_frames is not None:
            self.log_year_dynamics_artifacts(year, *dynamics_frames, dynamics=dynamics or {}, synthetic=synthetic)
        metrics = {k: row[k] for k in NETWORK_METRICS}
        if dynamics:
            metrics.update({k: dynamics.get(k) for k in YEAR_DYNAMICS})
        self.log_year_metrics(year, metrics, parent_run_id)
        return self.log_year_picture(year, *picture_frames, synthetic=synthetic) if picture_frames else None

    def log_year_picture(self, year: int, nodes, edges, synthetic: bool):
        """figures/network.png and figures/network.html (interactive, self-contained): the core of the
        year network (network_picture); returns the picture."""
        from valuenet.tracking import network_picture

        if not len(nodes):
            return None
        picture, figure, page = network_picture.rendered(year, nodes, edges, synthetic)
        self.mlflow.log_figure(figure, "figures/network.png")
        network_picture.close(figure)
        self.mlflow.log_text(page, "figures/network.html")
        return picture

    def log_pictures_side_by_side(self, parent_run_id: str, pictures: list, synthetic: bool) -> None:
        """figures/networks_by_year.png on the parent run: every year's picture, side by side."""
        from valuenet.tracking import network_picture

        if not pictures:
            return
        figure = network_picture.pictures_side_by_side(pictures, synthetic)
        self.mlflow.MlflowClient().log_figure(parent_run_id, figure, "figures/networks_by_year.png")
        network_picture.close(figure)

    def log_year_dynamics_artifacts(self, year: int, movers, curves, kernel, dynamics: dict, synthetic: bool) -> None:
        """tables/movers.json (top-20 entries and exits, risers and fallers), tables/attachment.json
        (the attachment kernel), tables/robustness.json and figures/robustness.png."""
        from valuenet.tracking import artifacts

        if len(movers):
            self.mlflow.log_table(movers, artifact_file="tables/movers.json")
        if len(kernel):
            self.mlflow.log_table(kernel, artifact_file="tables/attachment.json")
        if len(curves):
            self.mlflow.log_table(curves, artifact_file="tables/robustness.json")
            areas = {"pagerank": dynamics.get("robustness_pagerank"), "random": dynamics.get("robustness_random")}
            figure = artifacts.robustness_figure(curves, areas, year, synthetic)
            self.mlflow.log_figure(figure, "figures/robustness.png")
            artifacts.close(figure)

    def log_year_metrics(self, year: int, metrics: dict, parent_run_id: str) -> None:
        """The year's metrics on its child run, and on the parent at step=year (trend charts)."""
        from mlflow.entities import Metric

        values = _clean(metrics)
        self.mlflow.log_metrics(values)
        now = int(time.time() * 1000)
        self.mlflow.MlflowClient().log_batch(
            parent_run_id, metrics=[Metric(key, value, now, int(year)) for key, value in values.items()])

    def retire_duplicates(self, run_ids: list[str | None]) -> int:
        """Delete earlier year runs with the same fingerprint as these (now written) runs, and the
        parents left without a year run; returns how many year runs were retired.

        Re-analysing a year with the same inputs and settings thus replaces its run instead of
        piling up copies; deleted runs stay restorable in MLflow's trash (`mlflow gc` purges them).
        """
        client = self.mlflow.MlflowClient()
        experiment = [self.experiment.experiment_id]
        retired, parents = 0, set()
        for run_id in filter(None, run_ids):
            tag = client.get_run(run_id).data.tags.get("valuenet.fingerprint")
            if not tag:
                continue
            for old in client.search_runs(experiment, f"tags.`valuenet.fingerprint` = '{tag}'"):
                if old.info.run_id != run_id:
                    parents.add(old.data.tags.get("mlflow.parentRunId"))
                    client.delete_run(old.info.run_id)
                    retired += 1
        for parent in filter(None, parents):
            if not client.search_runs(experiment, f"tags.`mlflow.parentRunId` = '{parent}'", max_results=1):
                client.delete_run(parent)
        return retired

    def mark_failed(self, run_ids: list[str | None], reason: str) -> None:
        """Mark finished year runs FAILED after the fact (their outputs did not reach Delta)."""
        client = self.mlflow.MlflowClient()
        for run_id in filter(None, run_ids):
            client.set_tag(run_id, "valuenet.error", reason)
            client.set_terminated(run_id, status="FAILED")

    def log_year_artifacts(self, year: int, tops: dict, flows, shares, degree_counts, synthetic: bool) -> dict:
        """Top-20 tables, flows and shares as MLflow tables; the degree distribution and the province
        flow matrix as figures. Returns the power-law fit's metrics and its comparison with a lognormal
        on the same tail (also logged)."""
        import numpy as np

        from valuenet.metrics.degree_distribution import compare_lognormal, fit_power_law
        from valuenet.tracking import artifacts

        for measure, table in tops.items():
            self.mlflow.log_table(table, artifact_file=f"tables/top20_{measure}.json")
        self.mlflow.log_table(flows, artifact_file="tables/flows.json")
        self.mlflow.log_table(shares, artifact_file="tables/shares.json")
        degrees = np.repeat(degree_counts["degree"].to_numpy(), degree_counts["nodes"].to_numpy())
        fit = fit_power_law(degrees)
        lognormal = compare_lognormal(degrees, fit)
        figure = artifacts.degree_distribution_figure(degrees, fit, year, synthetic, lognormal)
        self.mlflow.log_figure(figure, "figures/degree_distribution.png")
        artifacts.close(figure)
        if len(flows):
            figure = artifacts.flow_matrix_figure(flows, year, synthetic)
            self.mlflow.log_figure(figure, "figures/province_flows.png")
            artifacts.close(figure)
        fitted = {"degree_powerlaw_alpha": fit.alpha, "degree_powerlaw_xmin": fit.xmin,
                  "degree_powerlaw_ks": fit.ks_distance,
                  "degree_lognormal_mu": lognormal.mu, "degree_lognormal_sigma": lognormal.sigma,
                  "degree_powerlaw_vs_lognormal_R": lognormal.ratio,
                  "degree_powerlaw_vs_lognormal_p": lognormal.p_value}
        self.mlflow.log_metrics(_clean(fitted))
        return fitted

    def log_year_trends(self, parent_run_id: str, rows: list[dict], synthetic: bool, filter_text: str = "") -> None:
        """figures/year_trends.png on the parent run: every network_metrics measurement against year.

        rows: the network_metrics rows of the run's years (as analyze returns them). The run is named
        by id, so this works from any thread and after the parent's context has closed.
        """
        import pandas as pd

        from valuenet.tracking import artifacts

        if not rows:
            return
        figure = artifacts.year_trends_figure(pd.DataFrame(rows), synthetic, filter_text)
        self.mlflow.MlflowClient().log_figure(parent_run_id, figure, "figures/year_trends.png")
        artifacts.close(figure)


def log_report(config: dict, warehouse: str, folder: Path) -> tuple[bool, str]:
    """Log a report folder as the `report` artifact folder of the newest live analyze parent run of
    the warehouse's whole network (tags valuenet.role=analyze, valuenet.warehouse, valuenet.filter=none;
    not deleted, finished) in the configured tracking store.

    Returns (logged, one line saying which run got it, or why none did). Never creates a store.
    """
    import logging

    from mlflow import MlflowClient
    from mlflow.entities import ViewType
    from mlflow.exceptions import MlflowException

    for noisy in ("mlflow", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    uri, name = tracking_uri(config), config["mlflow"]["experiment"]
    where = f"experiment {name!r} at {without_credentials(uri)}"
    if uri.startswith("sqlite:///") and not Path(uri[len("sqlite:///"):]).exists():
        return False, f"no MLflow store at {uri}: the report was not logged to MLflow"
    try:
        check_reachable(uri)
        client = MlflowClient(tracking_uri=client_uri(uri))
        experiment = client.get_experiment_by_name(name)
        shown = without_credentials(warehouse)  # as the runs are tagged
        quoted = '"' + shown + '"' if "'" in shown else f"'{shown}'"
        runs = [] if experiment is None else client.search_runs(
            [experiment.experiment_id],
            f"tags.`valuenet.role` = 'analyze' and tags.`valuenet.warehouse` = {quoted} "
            "and tags.`valuenet.filter` = 'none' and attributes.status = 'FINISHED'",
            run_view_type=ViewType.ACTIVE_ONLY, max_results=1, order_by=["attributes.start_time DESC"])
        if not runs:
            return False, f"no analyze run of {shown} in {where}: the report was not logged to MLflow"
        run = runs[0]
        client.log_artifacts(run.info.run_id, str(folder), "report")
    except (TrackingError, MlflowException, OSError) as exc:
        return False, f"the report was not logged to MLflow ({str(exc).splitlines()[0]})"
    return True, (f"MLflow: {folder} logged as report/ to run {run.info.run_id} "
                  f"({run.info.run_name}) of {where}")
