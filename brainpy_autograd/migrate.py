"""``brainpy-autograd-migrate``: rewrite BrainPy 2.x autodiff call sites to brainpy_autograd.

Usage::

    brainpy-autograd-migrate [--check | --diff] [--quiet] PATH [PATH ...]
    python -m brainpy_autograd.migrate ...

Finds every call of ``grad``, ``vector_grad``, ``functional_vector_grad``,
``jacobian``, ``jacrev``, ``jacfwd`` and ``hessian`` from ``brainpy.math``
(however imported) in the given files and directories (``*.py``, walked
recursively), rewrites them to brainpy_autograd without the legacy keywords,
and reports with ``file:line:column`` what it leaves for a person. By default
files are rewritten in place (atomically, only those that change);
``--check`` writes nothing and exits 1 if anything would change, ``--diff``
prints a unified diff and writes nothing. Running it twice changes nothing
the second time. Files that cannot be read or parsed are reported and left
untouched.

Exit status: 0 when done (or nothing to change), 1 with ``--check`` when
something would change, 2 when a file could not be read or parsed, or on
wrong usage. Needs the ``migrate`` extra: ``pip install 'brainpy-autograd[migrate]'``.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

__all__ = ["main"]

_SKIP_DIRS = {"__pycache__", "node_modules", "site-packages", "build", "dist"}
#: trees with at least this many files get a progress bar (on a terminal)
PROGRESS_THRESHOLD = 20


def _python_files(paths: Sequence[str]) -> tuple[list[Path], list[str]]:
    files: list[Path] = []
    missing: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(_walk(path))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(raw)
    return files, missing


def _walk(root: Path) -> Iterator[Path]:
    for directory, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        for name in sorted(names):
            if name.endswith(".py"):
                yield Path(directory) / name


def _write_atomically(path: Path, text: str) -> None:
    """Replace ``path``'s content: a crash leaves either the old or the new file."""
    mode = path.stat().st_mode
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="brainpy-autograd-migrate",
        description="Rewrite BrainPy 2.x autodiff calls (bm.grad & co.) to brainpy_autograd, "
                    "without legacy keywords, and report what needs a person.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or directories")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="write nothing; exit 1 if anything would change")
    mode.add_argument("--diff", action="store_true",
                      help="print a unified diff of the changes; write nothing")
    parser.add_argument("--quiet", action="store_true", help="print only findings and errors")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help=f"progress bar (default: on a terminal, for {PROGRESS_THRESHOLD} "
                             f"files or more)")
    args = parser.parse_args(argv)

    try:
        import libcst

        from ._codemod import migrate_source
    except ImportError as err:
        print(f"brainpy-autograd-migrate needs libcst and tqdm ({err}). Install them with: "
              f"pip install 'brainpy-autograd[migrate]'", file=sys.stderr)
        return 2

    files, missing = _python_files(args.paths)
    for raw in missing:
        print(f"{raw}: no such file or directory", file=sys.stderr)
    show_progress = args.progress if args.progress is not None else (
        not args.quiet and sys.stderr.isatty() and len(files) >= PROGRESS_THRESHOLD)
    iterator = files
    if show_progress:
        from tqdm import tqdm

        iterator = tqdm(files, desc="migrating", unit="file", file=sys.stderr)

    changed = findings = changes = 0
    failed = len(missing)
    for path in iterator:
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                source = handle.read()
        except (OSError, UnicodeDecodeError) as err:
            print(f"{path}: cannot be read, left untouched ({err})", file=sys.stderr)
            failed += 1
            continue
        try:
            outcome = migrate_source(source)
        except libcst.ParserSyntaxError as err:
            print(f"{path}:{err.raw_line}:{err.raw_column + 1}: cannot be parsed, left "
                  f"untouched ({err.message})", file=sys.stderr)
            failed += 1
            continue
        for finding in outcome.findings:
            print(f"{path}:{finding.line}:{finding.column}: {finding.message}")
        findings += len(outcome.findings)
        if outcome.code == source:
            continue
        changed += 1
        changes += outcome.changes
        if args.diff:
            sys.stdout.writelines(difflib.unified_diff(
                source.splitlines(keepends=True), outcome.code.splitlines(keepends=True),
                f"a/{path}", f"b/{path}"))
        elif args.check:
            if not args.quiet:
                print(f"{path}: would be rewritten ({outcome.changes} changes)")
        else:
            _write_atomically(path, outcome.code)
            if not args.quiet:
                print(f"{path}: rewritten ({outcome.changes} changes)")

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
