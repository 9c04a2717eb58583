"""The one place that names the metrics: keys are identical in Delta, MLflow and the report."""

from valuenet import schemas

# network_metrics columns that are measurements (MLflow metrics of a year's run)
NETWORK_METRICS = [c.name for c in schemas.load("network_metrics").columns
                   if c.type in ("long", "double", "int") and c.name != "year"]

# year_dynamics columns that are measurements (MLflow metrics of a year's run, and of the parent at step=year)
YEAR_DYNAMICS = [c.name for c in schemas.load("year_dynamics").columns
                 if c.type in ("long", "double", "int") and c.name not in ("year", "previous_year")]

# Table 2 of the report, in its order, with how many decimals it prints
YEAR_TABLE = [("year", 0), ("sample_nodes", 0), ("relation_nodes", 0), ("nodes", 0), ("edges", 0),
              ("avg_degree", 3), ("density", 6), ("components", 0), ("largest_component", 0),
              ("diameter", 0), ("avg_path_length", 3), ("avg_clustering", 3)]

# Out-degree concentration: (column, share of nodes)
CONCENTRATION = [("out_degree_top_10pct", 0.10), ("out_degree_top_1pct", 0.01), ("out_degree_top_0_1pct", 0.001)]

