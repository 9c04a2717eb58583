"""The project's own exceptions: each message says what is wrong and what to do."""


class ValuenetError(Exception):
    """An error a user can act on; the CLI prints its message in one line and exits non-zero."""

    exit_code = 2


class InputFileError(ValuenetError):
    """A whole input file cannot be ingested (missing or unknown columns, unreadable, wrong format)."""


class MissingJarsError(ValuenetError):
    """The JVM classes of a required package are not on the Spark classpath."""


class ConfigError(ValuenetError):
    """The configuration or a command-line option is invalid."""


class TrackingError(ValuenetError):
    """The MLflow tracking store cannot be used (for example, the server does not answer)."""


class NotAnalysed(ValuenetError):
    """An output table the command reads does not exist yet, or holds no row of what is asked."""


class YearsFailed(ValuenetError):
    """Some years of an analyze failed; the others were written (each year fully or not at all)."""

    exit_code = 1

    def __init__(self, failed: dict[int, str], tracking_lost: str | None = None):
        self.failed, self.tracking_lost = failed, tracking_lost
        years = ", ".join(f"{year} ({error})" for year, error in sorted(failed.items()))
        super().__init__(f"{len(failed)} year(s) failed and were not written: {years}"
                         + (f"; MLflow tracking was also lost ({tracking_lost})" if tracking_lost else ""))


class TrackingLost(ValuenetError):
    """MLflow failed during analyze; every year was still written to Delta."""

    exit_code = 3

    def __init__(self, reason: str, warehouse: str, years: list[int], filter_text: str):
        from valuenet.snapshot.network_filter import filter_options  # that module imports this one

        clauses = filter_options(filter_text)
        span = ",".join(map(str, sorted(years)))
        super().__init__(f"MLflow tracking failed ({reason}); every year is written to Delta. "
                         f"Log the runs again when the server is back: "
                         f"valuenet track --warehouse {warehouse} --years {span}{clauses}")
