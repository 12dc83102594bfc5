"""``brainpy-autograd-migrate``: rewrite BrainPy 2.x autodiff call sites to brainpy_autograd.

Usage::

    brainpy-autograd-migrate [--check | --diff] [--quiet] [-j N] PATH [PATH ...]
    python -m brainpy_autograd.migrate ...

Finds every call of ``grad``, ``vector_grad``, ``functional_vector_grad``,
``jacobian``, ``jacrev``, ``jacfwd`` and ``hessian`` from ``brainpy.math``
(however imported, BrainPy's internal ``brainpy._src.math`` paths included) in
the given files and directories (``*.py`` and the code cells of ``*.ipynb``,
walked recursively), rewrites them to brainpy_autograd without the legacy
keywords, and reports with ``file:line:column`` (``file.ipynb:cell N:line:column``
in notebooks) what it leaves for a person. By default files are rewritten in
place (atomically, only those that change); ``--check`` writes nothing and
exits 1 if anything would change, ``--diff`` prints a unified diff and writes
nothing. Running it twice changes nothing the second time. Files that cannot
be read or parsed are reported and left untouched; files that do not mention
brainpy are not parsed at all.

Encodings are kept: a UTF-8 byte-order mark stays, and a file with a PEP 263
coding line (``# -*- coding: latin-1 -*-``) is read and written in it.
Symbolic links are followed: the file a link points to is rewritten in place
(the link stays a link), and a file reached through several paths is migrated
once. ``-j N`` spreads the files over N processes (default: the number of cores).

Exit status: 0 when done (or nothing to change), 1 with ``--check`` when
something would change, 2 when a file could not be read or parsed, or on
wrong usage. Needs the ``migrate`` extra (libcst, tqdm, and nbformat for notebooks):
``pip install '.[migrate]'`` in a clone of the repository (``pip install
'brainpy-autograd[migrate]'`` once brainpy_autograd is on PyPI, which it is not yet).
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["main"]

_SKIP_DIRS = {"__pycache__", "node_modules", "site-packages", "build", "dist"}
#: trees with at least this many files get a progress bar (on a terminal)
PROGRESS_THRESHOLD = 20


_SUFFIXES = (".py", ".ipynb")


def _source_files(paths: Sequence[str]) -> tuple[list[Path], list[str], list[str]]:
    """The files to migrate, each real file once; the missing paths; notes on duplicates."""
    files: list[Path] = []
    missing: list[str] = []
    notes: list[str] = []
    seen: dict[str, Path] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            candidates: Iterator[Path] = _walk(path)
        elif path.is_file():
            candidates = iter([path])
        else:
            missing.append(raw)
            continue
        for candidate in candidates:
            real = os.path.realpath(candidate)
            if real in seen:
                if seen[real] != candidate:
                    notes.append(f"{candidate}: the same file as {seen[real]}, migrated once")
                continue
            seen[real] = candidate
            files.append(candidate)
    return files, missing, notes


def _walk(root: Path) -> Iterator[Path]:
    for directory, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        for name in sorted(names):
            if name.endswith(_SUFFIXES):
                yield Path(directory) / name


def _write_atomically(path: Path, data: bytes) -> None:
    """Replace the content of ``path`` (of the file it links to, for a symbolic link):
    a crash leaves either the old or the new file, and a link stays a link."""
    path = Path(os.path.realpath(path))
    mode = path.stat().st_mode
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@dataclass
class _Result:
    """What migrating one file gave (computed in a worker process)."""

    path: Path
    new: bytes | None = None  # the new content, None when nothing changes
    changes: int = 0
    findings: list[str] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)
    error: str | None = None


def _migrate_file(path: Path, want_diff: bool) -> _Result:
    import libcst

    from ._codemod import migrate_source, worth_parsing

    result = _Result(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        result.error = f"{path}: cannot be read, left untouched ({err})"
        return result
    if not worth_parsing(data):
        return result
    if path.suffix == ".ipynb":
        return _migrate_notebook(path, data, want_diff, result)
    try:
        outcome = migrate_source(data)
    except libcst.ParserSyntaxError as err:
        result.error = (f"{path}:{err.raw_line}:{err.raw_column + 1}: cannot be parsed, left "
                        f"untouched ({err.message})")
        return result
    except (UnicodeDecodeError, LookupError, SyntaxError) as err:
        result.error = f"{path}: cannot be read, left untouched ({err})"
        return result
    result.findings = [f"{path}:{f.line}:{f.column}: {f.message}" for f in outcome.findings]
    if outcome.data != data:
        result.new, result.changes = outcome.data, outcome.changes
        if want_diff:
            old = data.decode(outcome_encoding(data), errors="replace")
            result.diff = list(difflib.unified_diff(
                old.splitlines(keepends=True), outcome.code.splitlines(keepends=True),
                f"a/{path}", f"b/{path}"))
    return result


def outcome_encoding(data: bytes) -> str:
    """The encoding Python reads ``data`` in (BOM, PEP 263 line, else UTF-8)."""
    import io
    import tokenize

    try:
        return tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    except SyntaxError:
        return "utf-8"


def _migrate_notebook(path: Path, data: bytes, want_diff: bool, result: _Result) -> _Result:
    from ._notebook import cell_diff, migrate_notebook

    try:
        text = data.decode("utf-8")
        outcome = migrate_notebook(text)
    except (UnicodeDecodeError, ValueError) as err:
        result.error = f"{path}: cannot be read as a notebook, left untouched ({err})"
        return result
    result.findings = [f"{path}:cell {f.cell}:{f.line}:{f.column}: {f.message}"
                       for f in outcome.findings]
    if outcome.text != text:
        result.new, result.changes = outcome.text.encode("utf-8"), outcome.changes
        if want_diff:
            result.diff = cell_diff(str(path), outcome.cells)
    return result


def _results(files: list[Path], jobs: int, want_diff: bool) -> Iterator[_Result]:
    """Each file's result, in the order of ``files``, from ``jobs`` processes."""
    if jobs <= 1 or len(files) < 2:
        for path in files:
            yield _migrate_file(path, want_diff)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Not fork: a process that has used JAX (a notebook, a test) holds threads that
    # a forked child would inherit locked. The fork server is a fresh interpreter
    # that imports the migration once; the workers are forked from it.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload(["brainpy_autograd.migrate", "brainpy_autograd._codemod"])
    with ProcessPoolExecutor(max_workers=min(jobs, len(files)), mp_context=context) as pool:
        yield from pool.map(_migrate_file, files, [want_diff] * len(files),
                            chunksize=max(1, min(16, len(files) // (4 * jobs))))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="brainpy-autograd-migrate",
        description="Rewrite BrainPy 2.x autodiff calls (bm.grad & co.) to brainpy_autograd, "
                    "without legacy keywords, and report what needs a person.")
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="files or directories (*.py and *.ipynb)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="write nothing; exit 1 if anything would change")
    mode.add_argument("--diff", action="store_true",
                      help="print a unified diff of the changes; write nothing")
    parser.add_argument("--quiet", action="store_true", help="print only findings and errors")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="processes to spread the files over (default: the number of "
                             "cores)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help=f"progress bar (default: on a terminal, for {PROGRESS_THRESHOLD} "
                             f"files or more)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"-j/--jobs must be at least 1, got {args.jobs}")

    try:
        import libcst  # noqa: F401

        from . import _codemod  # noqa: F401
    except ImportError as err:
        print(f"brainpy-autograd-migrate needs libcst and tqdm ({err}). Install them with: "
              f"pip install 'brainpy-autograd[migrate]'", file=sys.stderr)
        return 2

    files, missing, notes = _source_files(args.paths)
    for raw in missing:
        print(f"{raw}: no such file or directory", file=sys.stderr)
    if not args.quiet:
        for note in notes:
            print(note, file=sys.stderr)
    if any(p.suffix == ".ipynb" for p in files) and importlib.util.find_spec("nbformat") is None:
        print("brainpy-autograd-migrate needs nbformat for notebooks: pip install "
              "'brainpy-autograd[migrate]'", file=sys.stderr)
        return 2
    show_progress = args.progress if args.progress is not None else (
        not args.quiet and sys.stderr.isatty() and len(files) >= PROGRESS_THRESHOLD)
    progress: Any = None
    if show_progress:
        from tqdm import tqdm

        progress = tqdm(total=len(files), desc="migrating", unit="file", file=sys.stderr)

    changed = findings = changes = 0
    failed = len(missing)
    for result in _results(files, args.jobs, args.diff):
        if progress is not None:
            progress.update(1)
        if result.error is not None:
            print(result.error, file=sys.stderr)
            failed += 1
            continue
        for finding in result.findings:
            print(finding)
        findings += len(result.findings)
        if result.new is None:
            continue
        changed += 1
        changes += result.changes
        path = result.path
        if args.diff:
            sys.stdout.writelines(result.diff)
        elif args.check:
            if not args.quiet:
                print(f"{path}: would be rewritten ({result.changes} changes)")
        else:
            _write_atomically(path, result.new)
            if not args.quiet:
                print(f"{path}: rewritten ({result.changes} changes)")
    if progress is not None:
        progress.close()

    if not args.quiet:
        verb = "rewritten" if not (args.check or args.diff) else "to rewrite"
        print(f"{len(files)} file{'s' if len(files) != 1 else ''} scanned: {changed} {verb} "
              f"({changes} changes), {findings} finding{'s' if findings != 1 else ''} for a "
              f"person, {failed} could not be read or parsed.", file=sys.stderr)
    if failed:
        return 2
    if args.check and changed:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
