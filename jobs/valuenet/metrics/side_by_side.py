"""Two Spark jobs at once: a job that is mostly one long task (a Louvain, PageRank, k-core or
robustness kernel) leaves the other core idle, which a second job started beside it fills."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


@contextmanager
def begun_beside(spark, work: Callable[[], T], beside: bool = True) -> Iterator[Callable[[], T]]:
    """Yields a function that returns work()'s result. With beside, work runs in a second thread
    (inheriting the caller's Spark job properties) while the block runs, and the function waits for
    it and raises its error; without, the function runs work then. Leaving the block, also by an
    error, waits for work, so no job is left running behind the caller."""
    if not beside:
        yield work
        return
    from pyspark import inheritable_thread_target

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="beside") as pool:
        yield pool.submit(inheritable_thread_target(spark)(work)).result
