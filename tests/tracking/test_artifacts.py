"""The figures are pure functions of pandas / numpy inputs: checked without Spark or MLflow."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from valuenet.metrics.definitions import NETWORK_METRICS
from valuenet.metrics.degree_distribution import compare_lognormal, fit_power_law
from valuenet.tracking import artifacts


def test_the_degree_figure_draws_both_fits_with_a_legend():
    degrees = stats.zipf.rvs(2.3, size=3000, random_state=np.random.default_rng(3))
    fit = fit_power_law(degrees)
    figure = artifacts.degree_distribution_figure(degrees, fit, 2022, True, compare_lognormal(degrees, fit))
    ax = figure.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[0].startswith("P(K >= k)") and labels[1].startswith("power law")
    assert labels[2].startswith("lognormal, mu = ")
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert ax.get_legend().get_title().get_text().startswith("R = ")
    assert "synthetic" in ax.get_title()
    artifacts.close(figure)


def test_year_trends_has_one_panel_per_measured_metric():
    years = list(range(2014, 2019))
    rows = pd.DataFrame({"year": years, **{m: np.arange(5, dtype=float) + i for i, m in enumerate(NETWORK_METRICS)}})
    rows["components"] = None  # never computed here (GraphFrames): no panel, not a flat zero line
    figure = artifacts.year_trends_figure(rows.sample(frac=1, random_state=1), synthetic=True)
    panels = [ax for ax in figure.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == [m for m in NETWORK_METRICS if m != "components"]
    nodes = panels[0].get_lines()[0]
    assert list(nodes.get_xdata()) == years and list(nodes.get_ydata()) == pytest.approx(rows["nodes"].tolist())
    assert "synthetic" in figure.get_suptitle()
    artifacts.close(figure)
