"""One file, start to end: read it, rewrite it (a module or a notebook), and say what changed.

:func:`migrate_file` is what a worker process runs (:mod:`._workers`); it never
writes (the command does, :mod:`._cli`) and never raises for a bad file: what
went wrong is :attr:`FileResult.error`, one line naming the file.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "m.py"
>>> _ = path.write_text("import brainpy.math as bm\\ng = bm.grad(f, dyn_vars=v)\\n")
>>> result = migrate_file(path, want_diff=False)
>>> result.changes, result.error, result.new.decode().splitlines()[-1]
(2, None, 'g = brainpy_autograd.grad(f)')
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import libcst

from ._files import diff_name, read_regular, shown, wide_texts
from ._pass import NestedTooDeeply, migrate_source, python_error, worth_parsing

__all__ = ["FileResult", "migrate_file"]


@dataclass
class FileResult:
    """What migrating one file gave (computed in a worker process)."""

    path: Path
    new: bytes | None = None  # the new content, None when nothing changes
    changes: int = 0
    findings: list[str] = field(default_factory=list)  # "file:line:column: message"
    #: --diff: a notebook's lines (text), or a module's diff, bytes for bytes, that
    #: ``git apply`` and ``patch`` apply (the file's own encoding, BOM and line endings)
    diff: list[str] | bytes = field(default_factory=list)
    error: str | None = None  # the file could not be read or parsed: left untouched
    #: with ``writes``: the findings placed in ``new``, the file as it will be once
    #: written (an added import moves the lines below it)
    findings_in_new: list[str] | None = None


def migrate_file(path: Path, want_diff: bool, writes: bool = False) -> FileResult:
    """Migrate one file (nothing written); with ``writes``, also place the findings in
    the new content (:attr:`FileResult.findings_in_new`)."""
    try:
        data = read_regular(path)
    except OSError as err:
        return FileResult(path, error=f"{shown(path)}: cannot be read, left untouched "
                                      f"({err.strerror or err})")
    if not worth_parsing(data):
        wide = next((name for name, text in wide_texts(data) if worth_parsing(text)), None)
        return FileResult(path) if wide is None else FileResult(path, error=(
            f"{shown(path)}: cannot be read, left untouched (it is encoded in {wide}, "
            f"which the migration does not read: convert it to UTF-8 and run the "
            f"command again)"))
    result = _guarded(path, data, want_diff)
    if writes and result.new is not None and result.findings:
        again = _guarded(path, result.new, False)  # for the findings' places in it
        if again.error is None and len(again.findings) == len(result.findings):
            result.findings_in_new = again.findings
    return result


def _guarded(path: Path, data: bytes, want_diff: bool) -> FileResult:
    """Migrate ``data`` as a module or a notebook; any exception is this file's error
    (ARCHITECTURE.md, "A new kind of bad input")."""
    migrate = _notebook if path.suffix == ".ipynb" else _module
    try:
        return migrate(path, data, want_diff)
    except Exception as err:  # noqa: BLE001 - whatever it is, it is this file's
        name = shown(path)
        where = None if path.suffix == ".ipynb" else python_error(data, full=True)
        if where is not None:  # Python itself refuses it (a symbol-table error, say)
            line, column, why = where
            return FileResult(path, error=f"{name}:{line}:{column}: cannot be parsed, left "
                                          f"untouched ({why})")
        return FileResult(path, error=f"{name}: could not be migrated, left untouched "
                                      f"({type(err).__name__}: {err}); please report this, "
                                      f"with the file")


def _module(path: Path, data: bytes, want_diff: bool) -> FileResult:
    result, name = FileResult(path), shown(path)
    try:
        outcome = migrate_source(data, path)
    except libcst.ParserSyntaxError as err:
        line, column, why = python_error(data) or (err.raw_line, err.raw_column + 1,
                                                   err.message)
        result.error = f"{name}:{line}:{column}: cannot be parsed, left untouched ({why})"
    except NestedTooDeeply as err:
        where = f":{err.line}" if err.line else ""
        result.error = f"{name}{where}: cannot be parsed, left untouched ({err})"
    except (UnicodeDecodeError, LookupError, SyntaxError) as err:
        result.error = f"{name}: cannot be read, left untouched ({err})"
    except RecursionError:
        result.error = f"{name}: cannot be parsed, left untouched (nested too deeply)"
    if result.error is not None:
        return result
    result.findings = [f"{name}:{f.line}:{f.column}: {f.message}" for f in outcome.findings]
    if outcome.data != data:
        result.new, result.changes = outcome.data, outcome.changes
        if want_diff:
            result.diff = byte_diff(data, outcome.data, path)
    return result


_BYTE_LINE = re.compile(rb"[^\n]*\n|[^\n]+")


def byte_diff(old: bytes, new: bytes, path: Path | str) -> bytes:
    """A unified diff of two versions of the file at ``path``, as diff(1) writes it: lines
    end at ``\\n`` only (a CR-only file is one line), each byte as it is in the file (a
    BOM, Latin-1), and ``\\ No newline at end of file`` after a last line without one.

    >>> print(byte_diff(b"a\\nb", b"a\\nc", "f").decode(), end="")
    --- a/f
    +++ b/f
    @@ -1,2 +1,2 @@
     a
    -b
    \\ No newline at end of file
    +c
    \\ No newline at end of file
    """
    lines = difflib.diff_bytes(difflib.unified_diff, _BYTE_LINE.findall(old),
                               _BYTE_LINE.findall(new), os.fsencode(diff_name("a/", path)),
                               os.fsencode(diff_name("b/", path)))
    return b"".join(line if line.endswith(b"\n") else line + b"\n\\ No newline at end of file\n"
                    for line in lines)


def _notebook(path: Path, data: bytes, want_diff: bool) -> FileResult:
    from ._notebook import cell_diff, migrate_notebook

    result, name = FileResult(path), shown(path)
    try:
        text = data.decode("utf-8")
        outcome = migrate_notebook(text, path)
    except (UnicodeDecodeError, ValueError) as err:
        result.error = f"{name}: cannot be read as a notebook, left untouched ({err})"
    except RecursionError:  # JSON nested deeper than Python's json module reads
        result.error = f"{name}: cannot be read as a notebook, left untouched (nested too " \
                       f"deeply for Python to read)"
    if result.error is not None:
        return result
    result.findings = [f"{name}: {f.message}" if f.cell is None else
                       f"{name}:cell {f.cell}:{f.line}:{f.column}: {f.message}"
                       for f in outcome.findings]
    if outcome.text != text:
        result.new, result.changes = outcome.text.encode("utf-8"), outcome.changes
        if want_diff:
            result.diff = cell_diff(name, outcome.cells)
    return result
