"""MLflow logging that never stops the Delta writes: after the first tracking failure (the
server died, the disk is full) analyze stops calling MLflow, finishes every year in Delta,
and says how to log the runs again (`valuenet track`).

Only the main thread of analyze calls it, in year order.
"""

from __future__ import annotations

import logging
import os
from typing import Callable

from valuenet.tracking.runs import Tracker, without_credentials

log = logging.getLogger("valuenet")


class _YearFailed(Exception):
    """Raised inside a year run to have Tracker.year mark it FAILED with the year's error."""


class GuardedTracker:
    """The parent run and year runs of one analyze; `lost` is the first tracking failure, or None."""

    def __init__(self, tracker: Tracker, warehouse: str, filter_text: str):
        # A dead server answers "connection refused" at once; MLflow's default (7 retries with
        # exponential backoff) would then wait minutes per call before analyze can go on.
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
        self.tracker, self.uri = tracker, tracker.uri
        self.warehouse, self.filter_text = warehouse, filter_text
        self.lost: str | None = None
        self.pictures: list = []  # every logged year's network picture, for the parent's side-by-side figure
        self._parent = self._parent_run = None

    @property
    def parent_run_id(self) -> str | None:
        return self._parent_run.info.run_id if self._parent_run else None

    def _guard(self, what: str, call: Callable[[], object]):
        """call(), or None once tracking is lost (the first failure is logged in one line)."""
        if self.lost:
            return None
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 (any tracking failure: the Delta outputs come first)
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            self.lost = f"{what}: {type(exc).__name__}: {detail}"[:500]
            log.error("MLflow tracking failed (%s at %s); analyze goes on without MLflow, writing Delta",
                      self.lost, without_credentials(self.uri))
            self._abandon()
            return None

    def _abandon(self) -> None:
        """Forget the open runs without waiting for the server again (they stay RUNNING there)."""
        mlflow = self.tracker.mlflow
        os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
        while mlflow.active_run() is not None:
            try:
                mlflow.end_run(status="FAILED")  # pops the run first, then tells the server
            except Exception:  # noqa: BLE001, S110 (the server is gone; the run is popped anyway)
                pass
        self._parent = None

    def start_parent(self, name: str, tags: dict, params: dict, config: dict) -> None:
        def start():
            self._parent = self.tracker.parent(name, tags, params, config)
            self._parent_run = self._parent.__enter__()
        self._guard("starting the analyze run", start)

    def year(self, year: int, tags: dict, params: dict, table_paths: dict[str, str], versions: dict[str, int],
             row: dict, artifact_frames: Callable[[], tuple], synthetic: bool, seconds: float,
             dynamics: dict | None = None, dynamics_frames: Callable[[], tuple] | None = None,
             picture_frames: Callable[[], tuple] | None = None) -> str | None:
        """Log a computed year as a child run (inputs, artifacts, metrics and year-over-year
        metrics, also on the parent at step=year, the network's picture); returns its run id, or
        None if tracking is lost."""
        def log_year():
            with self.tracker.year(year, tags, params) as run:
                picture = self.tracker.log_year_contents(year, table_paths, versions, artifact_frames(), row,
                                                         self.parent_run_id, synthetic, dynamics,
                                                         dynamics_frames() if dynamics_frames else None,
                                                         picture_frames() if picture_frames else None)
                if picture is not None:
                    self.pictures.append(picture)
                # the wall time of the pass that computed this year (its years share their Spark jobs)
                self.tracker.mlflow.log_metric("compute_seconds", round(seconds, 1))
                return run.info.run_id
        return self._guard(f"logging year {year}", log_year)

    def failed_year(self, year: int, tags: dict, params: dict, error: str) -> None:
        """A child run for a year whose computation failed, marked FAILED with the error."""
        def log_failure():
            try:
                with self.tracker.year(year, tags, params):
                    raise _YearFailed(error)
            except _YearFailed:
                pass
        self._guard(f"logging the failure of year {year}", log_failure)

    def mark_failed(self, run_ids: list[str | None], reason: str) -> None:
        self._guard("marking runs failed", lambda: self.tracker.mark_failed(run_ids, reason))

    def retire_duplicates(self, run_ids: list[str | None]) -> None:
        self._guard("retiring duplicate runs", lambda: self.tracker.retire_duplicates(run_ids))

    def year_trends(self, rows: list[dict], synthetic: bool, filter_text: str) -> None:
        """The year-trend figure on the parent run (every year of the run, resumed ones too)."""
        if self._parent is not None:
            self._guard("logging the year trends",
                        lambda: self.tracker.log_year_trends(self.parent_run_id, rows, synthetic, filter_text))
            self._guard("logging the years' pictures",
                        lambda: self.tracker.log_pictures_side_by_side(self.parent_run_id, self.pictures, synthetic))

    def end_parent(self, failed: dict[int, str], error: str | None = None) -> None:
        """Close the analyze run: FAILED if a year failed or the job stopped, with how many years failed."""
        if self._parent is None:
            return

        def end():
            mlflow = self.tracker.mlflow
            mlflow.log_metric("failed_years", len(failed))
            if failed:
                mlflow.set_tag("valuenet.failed_years", ",".join(map(str, sorted(failed))))
            if error or failed:
                reason = error or f"{len(failed)} year(s) failed: " + "; ".join(
                    f"{y}: {e}" for y, e in sorted(failed.items()))
                mlflow.set_tag("valuenet.error", reason[:4000])
                self._parent.__exit__(RuntimeError, RuntimeError(reason), None)  # ends the run FAILED
            else:
                self._parent.__exit__(None, None, None)
            self._parent = None
        self._guard("closing the analyze run", end)
