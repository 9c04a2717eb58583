"""The generator's key and node helpers against NumPy's own set operations on small arrays."""

import numpy as np
import pytest

from valuenet.sample.draws import isin_sorted, merged, node_runs, pairs_among, sorted_unique


def test_merged_is_the_sorted_concatenation_duplicates_kept():
    assert merged(np.array([1, 4, 4, 9]), np.array([9, 0, 4, 5])).tolist() == [0, 1, 4, 4, 4, 5, 9, 9]
    assert merged(np.empty(0, np.int64), np.array([3, 1])).tolist() == [1, 3]


def test_isin_sorted_finds_a_key_in_any_of_the_arrays():
    keys = np.array([7, 2, 11, 5, 2, 0])
    assert isin_sorted((np.array([2, 3]), np.array([5, 6, 7]), np.empty(0, np.int64)), keys).tolist() == [
        True, True, False, True, True, False]
    assert isin_sorted((), keys).tolist() == [False] * 6


def test_node_runs_are_the_searchsorted_positions_and_lengths():
    nodes = np.array([0, 0, 2, 2, 2, 4])
    start, length = node_runs(nodes, 6)
    assert start.tolist() == np.searchsorted(nodes, np.arange(6)).tolist() == [0, 2, 2, 5, 5, 6]
    assert length.tolist() == [2, 0, 3, 0, 1, 0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pairs_among_and_sorted_unique_agree_with_numpy(seed):
    rng = np.random.default_rng(seed)
    nt = 50
    src, dst = rng.integers(0, nt, 400), rng.integers(0, nt, 400)
    keys = rng.integers(0, nt * nt, 120)
    assert pairs_among(src, dst, keys, nt).tolist() == np.isin(src * nt + dst, keys).tolist()
    assert sorted_unique(keys).tolist() == np.unique(keys).tolist()
