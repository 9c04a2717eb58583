"""The memory settings for the sample's burst of large arrays hold inside the block only."""

import numpy as np
import pyarrow as pa
import pytest

from valuenet.heap import _set_huge_pages, freed_memory_reused


def test_inside_the_block_pyarrow_allocates_through_malloc_and_numpy_asks_for_no_huge_pages():
    before_pool = pa.default_memory_pool().backend_name
    before_huge = _set_huge_pages(True)
    _set_huge_pages(before_huge)
    with freed_memory_reused():
        assert pa.default_memory_pool().backend_name == "system"
        assert _set_huge_pages(False) is False
        kept = pa.array(np.arange(10_000_000))  # allocated inside, freed after the block
    assert pa.default_memory_pool().backend_name == before_pool
    assert _set_huge_pages(before_huge) is before_huge
    assert kept[-1].as_py() == 9_999_999
    del kept


def test_the_settings_come_back_when_the_block_fails():
    before_pool = pa.default_memory_pool().backend_name
    with pytest.raises(RuntimeError), freed_memory_reused():
        raise RuntimeError("generation failed")
    assert pa.default_memory_pool().backend_name == before_pool
