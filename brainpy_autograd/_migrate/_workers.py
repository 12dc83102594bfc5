"""``-j N``: the files' jobs spread over processes, results in the files' order.

Each job (:func:`._job.migrate_file`) parses and rewrites one file, so the work
splits cleanly by file; what it costs is starting processes and sending results
back. It only pays with cores that nothing else uses: on a machine whose cores
are busy, two CPU-bound processes take longer together than one after the other
(measured on the project's 2-core CI machine: 15.7 s against 2 x 6.8 s), so
``-j 2`` was slower than ``-j 1`` there. :func:`plan` therefore starts no more
processes than there are idle cores (from the load average) and than the tree
has files for (:data:`MIN_FILES_PER_WORKER` each); else the files are migrated in
this process.

Workers are forked from this process when that is safe (no other thread runs,
so none can be forked holding a lock, and libcst is already imported); else they
come from a fork server or are spawned, as in a process that has used JAX.

>>> plan(jobs=8, files=100, cores=4, load=1.0)  # an idle 4-core machine
4
>>> plan(jobs=8, files=100, cores=2, load=3.6)  # its cores busy: this process only
1
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from ._job import FileResult, migrate_file

__all__ = ["results", "plan", "MIN_FILES_PER_WORKER"]

#: fewer files than this per extra process are migrated in this process
MIN_FILES_PER_WORKER = 8


def plan(jobs: int, files: int, cores: int, load: float) -> int:
    """How many processes to use: at most ``jobs``, the idle cores (this process's own
    counts as idle: it waits while the workers run) and one per
    :data:`MIN_FILES_PER_WORKER` files; 1 means this process alone."""
    idle = round(cores - max(0.0, load - 1.0))
    return max(1, min(jobs, idle, files // MIN_FILES_PER_WORKER))


def _machine() -> tuple[int, float]:
    """(cores, 1-minute load average); no load where the system cannot tell."""
    cores = os.cpu_count() or 1
    try:
        return cores, os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows
        return cores, 0.0


def results(files: list[Path], jobs: int, want_diff: bool) -> Iterator[FileResult]:
    """Each file's result, in the order of ``files``, from up to ``jobs`` processes."""
    workers = plan(jobs, len(files), *_machine()) if jobs > 1 else 1
    if workers <= 1:
        for path in files:
            yield migrate_file(path, want_diff)
        return
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, min(16, len(files) // (4 * workers)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        yield from pool.map(migrate_file, files, [want_diff] * len(files), chunksize=chunk)


def _context() -> multiprocessing.context.BaseContext:
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
