"""valuenet: year-by-year value-network statistics on Spark, Delta Lake, GraphFrames and MLflow."""

__version__ = "0.1.0"
