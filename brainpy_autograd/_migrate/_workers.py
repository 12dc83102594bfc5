"""``-j N``: the files' jobs spread over processes, results in the files' order.

Each job (:func:`._job.migrate_file`) parses and rewrites one file, so the work
splits cleanly by file; what it costs is forking the processes and sending the
results back, a few milliseconds per file against tens to thousands for the
parsing. On idle cores ``-j 2`` took about 60% of the time of ``-j 1``; on cores busy
with other programs, up to 20% more (issue 18, ``benchmarks/migrate_speed.py``; the
figures: CHANGELOG.md, docs/migrate-command.md). Small runs stay in this process
(:func:`plan`).

Workers come from a fork server (:func:`_context`), never from a fork of this
process: a process that has used JAX runs native threads that ``threading`` does not
see, and a fork could copy one of their locks held. Files go out a few at a time, so
that one slow file does not hold up a long chunk.

>>> plan(jobs=8, files=100)
8
>>> plan(jobs=8, files=20)  # one process per 8 files
2
"""

from __future__ import annotations

import multiprocessing
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
    """A fork server where there is one (a fresh interpreter that imports the migration
    once, the workers forked from it), else spawned interpreters."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["brainpy_autograd._migrate._job"])
        return context
    return multiprocessing.get_context("spawn")
