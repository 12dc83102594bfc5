"""``-j N``: the files' jobs spread over processes, results in the files' order.

Each job (:func:`._job.migrate_file`) parses and rewrites one file, so the work
splits cleanly by file; what it costs is forking the processes and sending the
results back, a few milliseconds per file against tens to thousands for the
parsing. Measured on the project's 2-core machine (issue 18; the benchmark is
``benchmarks/migrate_speed.py``), ``-j 2`` against ``-j 1``: 7.1 s against 10.4-13.0 s
on the generated 400-file tree, and 18.2-18.9 s against 30.5-33.0 s on 71 real files
(19 notebooks), with the cores mostly idle; with both cores already busy with other
programs it was up to 20% slower (20.0 s against 16.6 s), as no process pool can
help there. Small runs stay in this process (:func:`plan`).

Workers are forked from this process when that is safe (:func:`_context`; libcst is
then already imported). Files go out a few at a time, so that one slow file does
not hold up a long chunk.

>>> plan(jobs=8, files=100)
8
>>> plan(jobs=8, files=20)  # one process per 8 files
2
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from pathlib import Path

from ._job import FileResult, migrate_file

__all__ = ["results", "plan", "MIN_FILES_PER_WORKER"]

#: fewer files than this per extra process are migrated in this process
MIN_FILES_PER_WORKER = 8


def plan(jobs: int, files: int) -> int:
    """How many processes to use: at most ``jobs``, and one per
    :data:`MIN_FILES_PER_WORKER` files; 1 means this process alone."""
    return max(1, min(jobs, files // MIN_FILES_PER_WORKER))


def results(files: list[Path], jobs: int, want_diff: bool,
            writes: bool = False) -> Iterator[FileResult]:
    """Each file's result, in the order of ``files``, from up to ``jobs`` processes."""
    workers = plan(jobs, len(files))
    if workers <= 1:
        for path in files:
            yield migrate_file(path, want_diff, writes)
        return
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, min(4, len(files) // (8 * workers)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        yield from pool.map(migrate_file, files, [want_diff] * len(files),
                            [writes] * len(files), chunksize=chunk)


def _context() -> multiprocessing.context.BaseContext:
    """Fork when no other thread runs (none can be forked holding a lock)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    # A process with other threads (one that has used JAX holds several) could fork a
    # child with a lock held: a fork server is a fresh interpreter that imports the
    # migration once, and the workers are forked from it.
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["brainpy_autograd._migrate._job"])
        return context
    return multiprocessing.get_context("spawn")
