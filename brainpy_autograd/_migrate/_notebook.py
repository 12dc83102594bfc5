"""The migration of Jupyter notebooks: the code cells, as one module, through the pass.

What a notebook's migration does and leaves: docs/migrate-command.md, "Notebooks". The
code cells (one namespace) are joined into one module with a marker line before each
(:class:`_Markers`) and their IPython lines masked (:func:`_mask`), rewritten by
:func:`._pass.migrate_source`, split again, and written back in the file's own JSON
layout (:mod:`._nbjson`).

>>> import json
>>> cell = {"cell_type": "code", "metadata": {},
...         "source": ["import brainpy.math as bm\\n", "g = bm.grad(f)"]}
>>> notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
>>> out = migrate_notebook(json.dumps(notebook))
>>> json.loads(out.text)["cells"][0]["source"][1:]
['import brainpy_autograd\\n', '\\n', 'g = brainpy_autograd.grad(f)']
"""

from __future__ import annotations

import io
import json
import re
import secrets
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libcst as cst

from .._names import TRANSFORM_NAMES
from . import _nbjson
from ._context import Finding
from ._pass import NestedTooDeeply, check_nesting, migrate_source, python_error

__all__ = ["NotebookOutcome", "migrate_notebook"]


class _Markers:
    """The marker comments of one notebook: each carries a random token absent from the
    notebook's text, so that no cell can hold one (by construction, not by escaping)."""

    def __init__(self, text: str) -> None:
        token = secrets.token_hex(8)
        while token in text:
            token = secrets.token_hex(8)
        self.mark = f"# <<brainpy-autograd-migrate {token} cell {{}}>>"
        self.mask = f"#<<brainpy-autograd-migrate {token} ipython {{}}>>"
        self.mark_re = re.compile("^" + self.mark.format(r"(\d+)") + "\n", re.MULTILINE)
        self.mask_re = re.compile(self.mask.format(r"(\d+)"))

#: cell magics whose body is still Python
_PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug"}


@dataclass
class CellFinding:
    """A finding inside a notebook: the cell (1-based, among all cells; ``None`` for the
    notebook as a whole), line and column."""

    cell: int | None
    line: int
    column: int
    message: str


@dataclass
class NotebookOutcome:
    """The result of migrating one notebook."""

    text: str  # the new file content (the original when nothing changed)
    findings: list[CellFinding] = field(default_factory=list)
    changes: int = 0
    #: (cell, old source, new source) of every rewritten cell
    cells: list[tuple[int, str, str]] = field(default_factory=list)


_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_TRANSFORM = re.compile(rf"\b({'|'.join(TRANSFORM_NAMES)})\b")  # a transform's name, a word


def _continuations(source: str) -> set[int]:
    """The lines (1-based) of ``source`` that go on a statement begun above (inside
    brackets, after a backslash, inside a string), as Python's tokenizer reads them up to
    where it stops."""
    out: set[int] = set()
    depth, previous, row = 0, tokenize.NEWLINE, 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.start[0] != row:
                row = token.start[0]
                if depth > 0 or previous not in (tokenize.NEWLINE, tokenize.NL):
                    out.add(row)
            out.update(range(token.start[0] + 1, token.end[0] + 1))  # inside a string
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth = max(depth - 1, 0)
            previous, row = token.type, token.end[0]
    except (tokenize.TokenError, SyntaxError):
        pass
    return out


def _mask(source: str, masked: list[str], markers: _Markers) -> tuple[str | None, list[int]]:
    """``source`` with IPython lines as numbered comments (None if it is not Python then),
    and the numbers (1-based) of the lines masked.

    An IPython line starts a statement: a line that goes on a statement above
    (``print("loss %f"`` then ``% 1.0)``) is Python. Each masked line that the
    tokenizer reads as a continuation, given the lines above it, is unmasked, first
    one first, until none is.
    """
    lines = source.split("\n")
    first = lines[0].strip()
    if first.startswith("%%") and first[2:].split(" ", 1)[0] not in _PYTHON_CELL_MAGICS:
        return None, []
    candidates = [n for n, line in enumerate(lines, start=1)  # %magic, !shell, obj?
                  if line.lstrip().startswith(("%", "!"))
                  or (line.rstrip().endswith("?") and "#" not in line)]
    while True:
        out = list(lines)
        for n in candidates:
            line = lines[n - 1]
            out[n - 1] = line[: len(line) - len(line.lstrip())] + markers.mask.format(
                len(masked) + candidates.index(n))
        inside = [n for n in candidates if n in _continuations("\n".join(out))]
        if not inside:
            break
        candidates.remove(inside[0])
    masked += [lines[n - 1] for n in candidates]
    return "\n".join(out), candidates


def _parse_error(source: str) -> tuple[int, int, str] | None:
    """Where and why ``source`` is not Python (None: it parses)."""
    try:
        check_nesting(source)
        cst.parse_module(source)
    except cst.ParserSyntaxError as err:
        return python_error(source) or (err.raw_line, err.raw_column + 1, err.message)
    except NestedTooDeeply as err:
        return err.line or 1, 1, str(err)
    return None


def _not_python(index: int, source: str, error: tuple[int, int, str] | None) -> CellFinding:
    """The finding for a cell the rewrite cannot read: IPython syntax, or a plain
    syntax error (where the line it fails on has no IPython in it)."""
    line, column, why = error or (1, 1, "")
    lines = source.split("\n")
    text = lines[line - 1] if error is not None and 0 < line <= len(lines) else ""
    if error is not None and not any(mark in text for mark in ("!", "%", "?")):
        return CellFinding(index + 1, line, column, f"this cell is not valid Python ({why}) "
                           f"and may call an autodiff function; left as it is: fix it and "
                           f"run the migration again.")
    return CellFinding(index + 1, 1, 1, "this cell is not Python (IPython syntax the migration "
                                        "does not read) and may call an autodiff function; "
                                        "left as it is: check it by hand.")


def _code_cells(document: Any) -> list[tuple[int, str]]:
    """(index, source) of every code cell; ``ValueError`` if it is not a notebook."""
    if isinstance(document, dict) and "worksheets" in document and "cells" not in document:
        raise ValueError(f"an nbformat {document.get('nbformat', 3)} notebook (its cells are "
                         f"in \"worksheets\"), which the migration does not read; upgrade it "
                         f"with `jupyter nbconvert --to notebook --nbformat 4 --inplace "
                         f"NOTEBOOK.ipynb` and run the migration again")
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise ValueError("not a notebook: no list of cells")
    version = document.get("nbformat")
    if not isinstance(version, int) or version < 4:
        raise ValueError(f"nbformat {version!r} notebooks are not supported; save it with a "
                         f"current Jupyter first")
    out = []
    for index, cell in enumerate(document["cells"]):
        if not isinstance(cell, dict):
            raise ValueError(f"cell {index + 1} is not a JSON object")
        kind = cell.get("cell_type", _MISSING)
        if not isinstance(kind, str):  # Jupyter cannot open it; it may hold code
            what = "no \"cell_type\"" if kind is _MISSING else \
                f"\"cell_type\" {_shown(kind)}, not text"
            raise ValueError(f"cell {index + 1} has {what}")
        if kind != "code":
            continue
        source = cell.get("source", _MISSING)
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(source, str):
            what = "missing" if source is _MISSING else _shown(source)
            raise ValueError(f"cell {index + 1}: its \"source\" is {what}, not text")
        out.append((index, source))
    return out


_MISSING = object()


def _shown(value: Any, limit: int = 60) -> str:
    """``value`` as JSON, shortened to about ``limit`` characters at a whole item."""
    text = json.dumps(value)
    if len(text) <= limit:
        return text
    if isinstance(value, list):
        items: list[str] = []
        size = 2
        for item in value:
            piece = json.dumps(item)
            if size + len(piece) > limit and items:
                break
            items.append(piece)
            size += len(piece) + 2
        return f"[{', '.join(items)}, ...]"
    return text[:limit] + "..."


def _combine(cells: list[tuple[int, str]], findings: list[CellFinding],
             markers: _Markers) -> tuple[str, list[tuple[int, str]], list[str]]:
    """The cells that are Python joined into one module, each after its marker; their
    (index, source); and the IPython lines masked in them, by mask number."""
    parts: list[str] = []
    kept: list[tuple[int, str]] = []
    masked: list[str] = []
    for index, source in cells:
        first_masked = len(masked)
        python, numbers = _mask(source, masked, markers)
        error = None if python is None else _parse_error(python)
        if python is None or error is not None:
            del masked[first_masked:]
            if _TRANSFORM.search(source) or "brainpy" in source:
                # (a brainpy import unread leaves the calls of the cells after it as
                # they are: they must not pass for migrated)
                findings.append(_not_python(index, source, error))
            continue
        for number, line in zip(numbers, masked[first_masked:]):
            if _TRANSFORM.search(line):
                findings.append(CellFinding(index + 1, number, 1, f"IPython line "
                                            f"`{line.strip()}` is not rewritten; check it by "
                                            f"hand."))
        kept.append((index, source))
        parts.append(markers.mark.format(index) + "\n" + python + "\n")
    return "".join(parts), kept, masked


def migrate_notebook(text: str, path: Path | None = None) -> NotebookOutcome:
    """Migrate the code cells of a notebook (the file's text; ``path``: its file).

    Raises ``ValueError`` if the text is not a notebook (not JSON, no cells, a
    code cell without text in its ``source``).
    """
    layout, document = _nbjson.read(text)
    outcome = NotebookOutcome(text=text)
    markers = _Markers(text)
    code, kept, masked = _combine(_code_cells(document), outcome.findings, markers)
    result = migrate_source(code, path, markers.mark.partition("{")[0])
    outcome.findings += _cell_findings(result.findings, code, markers)
    outcome.findings.sort(key=lambda f: (f.cell or 0, f.line, f.column))
    new_sources = _split(result.code, markers)
    cells = document["cells"]
    for index, old_text in kept:
        new = new_sources.get(index)
        if new is None:  # a marker line was lost: give up on the whole notebook
            outcome.findings.append(CellFinding(index + 1, 1, 1, "the rewrite could not be "
                                                "mapped back to this cell; notebook left "
                                                "untouched."))
            outcome.cells.clear()
            return outcome
        new = new[:-1] if new.endswith("\n") else new
        new_text = markers.mask_re.sub(lambda match: masked[int(match.group(1))].lstrip(), new)
        if new_text != old_text:  # a list of lines stays a list
            outcome.cells.append((index + 1, old_text, new_text))
            old = cells[index]["source"]
            cells[index]["source"] = _LINE.findall(new_text) if isinstance(old, list) \
                else new_text
    if not outcome.cells:
        return outcome
    if layout is None:
        outcome.findings.insert(0, CellFinding(
            None, 1, 1, "the notebook's JSON cannot be written back byte for byte in its "
            "own layout (it would reformat the whole file), so it is left untouched; save it "
            "again in Jupyter and rerun the migration, or make the changes by hand."))
        outcome.cells.clear()
        return outcome
    outcome.text = layout.dumps(document)
    outcome.changes = result.changes
    return outcome


def _split(code: str, markers: _Markers) -> dict[int, str]:
    """The migrated module split at the markers: {cell index: its source}.

    Text before the first marker (there should be none) goes to the first cell.
    """
    head, *rest = markers.mark_re.split(code)
    out = {int(index): source for index, source in zip(rest[::2], rest[1::2])}
    if head and out:
        first = min(out)
        out[first] = head + out[first]
    return out


def _cell_findings(findings: list[Finding], combined: str,
                   markers: _Markers) -> list[CellFinding]:
    """Findings of the combined module, by cell and line within the cell."""
    # (line of the cell's first source line, cell index)
    starts = [(combined.count("\n", 0, match.start()) + 2, int(match.group(1)))
              for match in markers.mark_re.finditer(combined)]
    out = []
    for f in findings:
        first_line, index = max((s for s in starts if s[0] <= f.line), default=starts[0])
        out.append(CellFinding(index + 1, f.line - first_line + 1, f.column, f.message))
    return out


def cell_diff(path: str, cells: list[tuple[int, str, str]]) -> list[str]:
    """A unified diff of the rewritten cells, one hunk group per cell."""
    import difflib

    return [line for cell, old, new in cells for line in difflib.unified_diff(
        (old + "\n").splitlines(keepends=True), (new + "\n").splitlines(keepends=True),
        f"a/{path}:cell {cell}", f"b/{path}:cell {cell}")]
