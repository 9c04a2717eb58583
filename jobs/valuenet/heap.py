"""Memory for a burst of arrays of hundreds of MB (the sample at scale 100): freed memory reused.

At scale 100 the generator makes and drops arrays of 70 MB and more hundreds of times. By
default each one is a fresh mapping (glibc maps blocks over 32 MB on their own, pyarrow's
mimalloc returns memory as it goes, NumPy asks for transparent huge pages), and the kernel
zeroes every page of it first: 7 of 29 s of `valuenet sample --scale 100` were system time,
against 0.5 of 2.7 s at scale 10. With freed memory kept and reused: 2.2-2.4 s.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util

import numpy as np
import pyarrow as pa

# mallopt parameters (malloc.h), and what they are set to afterwards: glibc's default count of
# mapped blocks, and the thresholds its dynamic setting reaches once blocks of 32 MB have been
# freed (any mallopt call ends the dynamic setting, and the 128 KB it starts from would map, and
# zero, every array above that for the rest of the process)
_M_TRIM_THRESHOLD, _AFTER_TRIM_THRESHOLD = -1, 64 * 1024 * 1024
_M_MMAP_THRESHOLD, _AFTER_MMAP_THRESHOLD = -3, 32 * 1024 * 1024
_M_MMAP_MAX, _AFTER_MMAP_MAX = -4, 65536


def _glibc():
    """The C library if it is glibc (it has mallopt and malloc_trim), else None."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        libc.mallopt, libc.malloc_trim  # noqa: B018
    except (OSError, AttributeError, TypeError):
        return None
    return libc


def _set_huge_pages(enabled: bool) -> bool | None:
    """NumPy's use of transparent huge pages for large arrays; returns the previous setting
    (None where this NumPy has no such switch)."""
    switch = getattr(getattr(getattr(np, "_core", None), "multiarray", None), "_set_madvise_hugepage", None)
    return None if switch is None else bool(switch(enabled))


@contextlib.contextmanager
def freed_memory_reused():
    """Inside the block, large arrays are served from memory freed earlier in the process: glibc's
    malloc neither maps blocks apart nor returns freed memory to the system, pyarrow allocates
    through it too, and NumPy does not ask for huge pages (which the kernel zeroes 2 MB at a
    time). On leaving, pyarrow's pool and NumPy's setting are restored, glibc's are those of a
    process that has freed large blocks before, and what is free goes back to the system.
    Without glibc only the pyarrow and NumPy settings change."""
    libc = _glibc()
    pool = pa.default_memory_pool()
    huge = _set_huge_pages(False)
    pa.set_memory_pool(pa.system_memory_pool())
    if libc is not None:
        libc.mallopt(_M_MMAP_MAX, 0)
        libc.mallopt(_M_TRIM_THRESHOLD, 2**31 - 1)
    try:
        yield
    finally:
        if libc is not None:
            libc.mallopt(_M_MMAP_MAX, _AFTER_MMAP_MAX)
            libc.mallopt(_M_MMAP_THRESHOLD, _AFTER_MMAP_THRESHOLD)
            libc.mallopt(_M_TRIM_THRESHOLD, _AFTER_TRIM_THRESHOLD)
            libc.malloc_trim(0)
        pa.set_memory_pool(pool)
        if huge is not None:
            _set_huge_pages(huge)
