"""The project's own exceptions: each message says what is wrong and what to do."""


class ValuenetError(Exception):
    """An error a user can act on; the CLI prints its message in one line and exits non-zero."""


class InputFileError(ValuenetError):
    """A whole input file cannot be ingested (missing or unknown columns, unreadable, wrong format)."""


class MissingJarsError(ValuenetError):
    """The JVM classes of a required package are not on the Spark classpath."""


class ConfigError(ValuenetError):
    """The configuration or a command-line option is invalid."""


class TrackingError(ValuenetError):
    """The MLflow tracking store cannot be used (for example, the server does not answer)."""
