"""The command line of ``brainpy-autograd-migrate``: options, printing (:func:`_say`), and
the exit codes (:data:`EXIT_CODES`, which ``--help`` prints).

>>> main(["--check", "no/such/dir"])
2
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from ._files import not_to_write, shown, source_files, write_atomically

__all__ = ["main", "EXIT_CODES", "PROGRESS_THRESHOLD"]

#: trees with at least this many files get a progress bar (on a terminal)
PROGRESS_THRESHOLD = 20

EXIT_CODES = {
    0: "nothing to do: no file would change (when writing: every change was written) and "
       "no finding is left",
    1: "a person is needed, or a file would change: a finding remains (a notebook left "
       "untouched, a file left as it is included), or with --check/--diff a file would be "
       "rewritten",
    2: "could not run on something: wrong usage, a missing dependency, a path that does not "
       "exist, or a file that is not a regular file or could not be read, parsed or written "
       "(the other files are still migrated)",
}


def _say(text: str, stream: IO[str] | None = None) -> None:
    """Print ``text`` (a line); what the stream cannot encode is written ``\\xe9``, never
    an error (a file name, a line of code)."""
    stream = sys.stdout if stream is None else stream
    try:
        stream.write(text + "\n")
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "utf-8"
        stream.write((text + "\n").encode(encoding, "backslashreplace").decode(encoding))


def _say_bytes(data: bytes) -> None:
    """Write ``data`` to standard output as it is (a diff in its file's own encoding)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        _say(data.decode("utf-8", "backslashreplace").rstrip("\n"))
        return
    sys.stdout.flush()
    buffer.write(data)
    buffer.flush()


def _parser() -> argparse.ArgumentParser:
    rows = "\n".join(f"  {code}  {text}" for code, text in EXIT_CODES.items())
    parser = argparse.ArgumentParser(
        prog="brainpy-autograd-migrate",
        description="Rewrite BrainPy 2.x autodiff calls (bm.grad & co.) to brainpy_autograd, "
                    "without legacy keywords, and report what needs a person.",
        epilog=f"exit status (the same with --check, --diff or neither):\n{rows}",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="files or directories (*.py and *.ipynb)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="write nothing; exit 1 if anything would change or needs a person")
    mode.add_argument("--diff", action="store_true",
                      help="print a unified diff of the changes; write nothing (exit codes as "
                           "--check)")
    parser.add_argument("--quiet", action="store_true", help="print only findings and errors")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="processes to spread large trees over (default: the number of "
                             "cores; small runs stay in one process)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help=f"progress bar (default: on a terminal, for {PROGRESS_THRESHOLD} "
                             f"files or more)")
    return parser


@dataclass
class _Tally:
    files: int = 0
    changed: int = 0
    changes: int = 0
    findings: int = 0
    failed: int = 0

    def exit_code(self, writes: bool) -> int:
        if self.failed:
            return 2
        return 1 if self.findings or (self.changed and not writes) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command (``argv`` without the program name); return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"-j/--jobs must be at least 1, got {args.jobs}")
    try:
        import libcst  # noqa: F401

        from ._workers import results
    except ImportError as err:
        _say(f"brainpy-autograd-migrate needs libcst and tqdm ({err}). Install them with: "
             f"pip install 'libcst>=1.1' 'tqdm>=4.66' (in a clone of brainpy_autograd: "
             f"pip install '.[migrate]')", sys.stderr)
        return 2
    if args.progress and not _have_tqdm():
        _say("brainpy-autograd-migrate --progress needs tqdm. Install it with: "
             "pip install 'tqdm>=4.66' (or run without --progress)", sys.stderr)
        return 2
    walk = source_files(args.paths)
    tally = _Tally(files=len(walk.files), failed=len(walk.problems))
    for problem in walk.problems:
        _say(problem, sys.stderr)
    if not args.quiet:
        for note in walk.notes:
            _say(note, sys.stderr)
    progress = _progress(args, len(walk.files))
    writes = not (args.check or args.diff)
    for result in results(walk.files, args.jobs, args.diff, writes=writes):
        if progress is not None:
            progress.update(1)
        _report(result, args, tally, writes)
    if progress is not None:
        progress.close()
    if not args.quiet:
        s = lambda n: "s" if n != 1 else ""  # noqa: E731
        _say(f"{tally.files} file{s(tally.files)} scanned: {tally.changed} "
             f"{'rewritten' if writes else 'to rewrite'} ({tally.changes} changes), "
             f"{tally.findings} finding{s(tally.findings)} for a person, {tally.failed} "
             f"could not be read, parsed or written.", sys.stderr)
    return tally.exit_code(writes)


def _progress(args: argparse.Namespace, files: int) -> Any:
    show = args.progress if args.progress is not None else (
        not args.quiet and sys.stderr.isatty() and files >= PROGRESS_THRESHOLD
        and _have_tqdm())  # by default, simply no bar without tqdm
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(total=files, desc="migrating", unit="file", file=sys.stderr)


def _have_tqdm() -> bool:
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def _report(result: Any, args: argparse.Namespace, tally: _Tally, writes: bool) -> None:
    """Print one file's result, write it (unless --check/--diff), and count.

    Findings refer to the file as it is on disk after the run: the rewritten file
    when it was written, else the file as it was.
    """
    if result.error is not None:
        _say(result.error, sys.stderr)
        tally.failed += 1
        return
    tally.findings += len(result.findings)
    # a person's decision: a finding, and nothing written (--check/--diff say it too)
    refused = None if result.new is None else not_to_write(result.path)
    failure, findings = None, result.findings
    if writes and result.new is not None and refused is None:
        failure = write_atomically(result.path, result.new)
        if failure is None and result.findings_in_new is not None:
            findings = result.findings_in_new  # placed in the file as it is now
    for finding in findings:
        _say(finding)
    if refused is not None:
        _say(refused)
        tally.findings += 1
    elif failure is not None:
        _say(failure, sys.stderr)
        tally.failed += 1
    if result.new is None or failure is not None or not (args.diff or refused is None):
        return
    if args.diff and isinstance(result.diff, bytes):  # a file that changes: its diff or line
        _say_bytes(result.diff)
    elif args.diff:
        for line in result.diff:
            _say(line.rstrip("\n"))
    elif not args.quiet:
        verb = "would be rewritten" if args.check else "rewritten"
        _say(f"{shown(result.path)}: {verb} ({result.changes} changes)")
    tally.changed += 1
    tally.changes += result.changes
