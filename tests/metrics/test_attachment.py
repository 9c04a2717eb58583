"""Preferential attachment: who gains a new relation, the kernel by degree bin, and its fitted
exponent, by hand and against NumPy's least squares."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from valuenet.metrics import attachment

EDGES = "src string, dst string, start_year int"


def test_new_relation_nodes(spark):
    edges = spark.createDataFrame([("a", "b", 2021), ("c", "c", 2021), ("d", "a", 2020), ("e", "f", 2022)], EDGES)
    got = {(r["year"], r["id"]) for r in attachment.new_relation_nodes(edges, [2021, 2022]).collect()}
    # the self-loop of c is not a new relation; 2020 is not asked for
    assert got == {(2021, "a"), (2021, "b"), (2022, "e"), (2022, "f")}


def test_kernel_by_hand(spark):
    # 2020's degrees: a 1, b 1, c 2, d 3, e 4, f 5, g 0 (left out: log 0).
    # Bins 1 (a, b), 2-3 (c, d), 4-7 (e, f). In 2021 b, d, e, f and a newcomer x gain a relation.
    previous = spark.createDataFrame([(2020, i, d) for i, d in zip("abcdefg", [1, 1, 2, 3, 4, 5, 0])],
                                     "year int, id string, degree long")
    gaining = spark.createDataFrame([(2021, i) for i in "bdefx"], "year int, id string")
    kernel = attachment.attachment_kernel(previous, gaining, [2021]).toPandas().sort_values("degree_low")
    assert kernel[["degree_low", "degree_high", "nodes", "gained"]].values.tolist() == [[1, 1, 2, 1], [2, 3, 2, 1],
                                                                                        [4, 7, 2, 2]]
    assert kernel["share"].tolist() == [0.5, 0.5, 1.0]
    assert kernel["mean_degree"].tolist() == [1.0, 2.5, 4.5]
    # a year whose previous year is not given has no kernel
    assert attachment.attachment_kernel(previous, gaining, [2022]).count() == 0


def test_exponent_by_hand():
    # share = 0.1 * degree^0.8 exactly: the slope is 0.8 and the interval has no width
    kernel = pd.DataFrame({"mean_degree": [1.0, 2.0, 4.0, 8.0], "nodes": [50, 30, 10, 5]})
    kernel["share"] = 0.1 * kernel["mean_degree"] ** 0.8
    fit = attachment.attachment_exponent(kernel)
    assert fit["attachment_exponent"] == pytest.approx(0.8)
    assert fit["attachment_exponent_low"] == pytest.approx(0.8)
    assert fit["attachment_exponent_high"] == pytest.approx(0.8)
    assert fit["attachment_bins"] == 4


def test_exponent_leaves_out_small_and_empty_bins():
    kernel = pd.DataFrame({"mean_degree": [1.0, 2.5, 5.0, 10.0], "nodes": [40, 20, 4, 9], "share": [0.1, 0.2, 0.9, 0.0]})
    fit = attachment.attachment_exponent(kernel, min_nodes=5)
    # only the bins of 40 and 20 nodes qualify: a slope without an interval
    assert fit["attachment_bins"] == 2
    assert fit["attachment_exponent"] == pytest.approx(math.log(2) / math.log(2.5))
    assert fit["attachment_exponent_low"] is None and fit["attachment_exponent_high"] is None
    assert attachment.attachment_exponent(kernel.iloc[:1])["attachment_exponent"] is None


def test_exponent_against_numpy():
    rng = np.random.default_rng(4)
    degree = 2.0 ** np.arange(7)
    share = np.clip(0.02 * degree ** 0.9 * np.exp(rng.normal(0, 0.2, 7)), 1e-3, 1)
    fit = attachment.attachment_exponent(pd.DataFrame({"mean_degree": degree, "nodes": 100, "share": share}))
    x, y = np.log(degree), np.log(share)
    slope, intercept = np.polyfit(x, y, 1)
    residuals = y - (slope * x + intercept)
    stderr = math.sqrt(residuals @ residuals / (len(x) - 2) / ((x - x.mean()) @ (x - x.mean())))
    half = stats.t.ppf(0.975, len(x) - 2) * stderr
    assert fit["attachment_exponent"] == pytest.approx(slope)
    assert fit["attachment_exponent_low"] == pytest.approx(slope - half)
    assert fit["attachment_exponent_high"] == pytest.approx(slope + half)
