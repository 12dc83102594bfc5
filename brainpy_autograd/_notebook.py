"""The migration of Jupyter notebooks: the code cells, as one module, through the codemod.

A notebook's code cells share one namespace (``import brainpy.math as bm`` in
cell 1, ``bm.grad`` in cell 7), so they are migrated together: joined into one
module with a marker line before each cell, rewritten by
:func:`brainpy_autograd._codemod.migrate_source`, and split again. IPython
syntax that is not Python is masked first and put back unchanged afterwards:
line magics (``%matplotlib inline``), shell lines (``!pip install ...``) and
help lines (``obj?``). A cell that is still not Python (``%%bash``,
``x = !ls``) is left out and reported.

The notebook is read with ``nbformat`` and written back with it only if that
reproduces the original file exactly when nothing changes (Jupyter's own JSON
layout; the file's final newline, or its absence, is kept). Then every byte
outside the rewritten cells' ``source`` stays as it was: outputs, metadata,
cell ids and markdown. A notebook in another layout
is left untouched and reported, rather than reformatted.
"""

from __future__ import annotations

import keyword
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from ._codemod import Finding, migrate_source

__all__ = ["NotebookOutcome", "migrate_notebook"]

_MARK = "# <<brainpy-autograd-migrate cell {}>>"
_MARK_RE = re.compile(r"^# <<brainpy-autograd-migrate cell (\d+)>>\n", re.MULTILINE)
_MASK = "#<<brainpy-autograd-migrate ipython {}>>"
_MASK_RE = re.compile(r"#<<brainpy-autograd-migrate ipython (\d+)>>")
#: cell magics whose body is still Python
_PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug"}


@dataclass
class CellFinding:
    """A finding inside a notebook: the cell (1-based, among all cells), line and column."""

    cell: int
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


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEEP = 999_999_999  # the marker index of the names-to-keep part (never written back)


def _mentions_transform(text: str) -> bool:
    return bool(re.search(r"\b(grad|vector_grad|functional_vector_grad|jacobian|jacrev|jacfwd|"
                          r"hessian)\b", text))


def _is_ipython(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(("%", "!")) or (stripped.endswith("?") and "#" not in stripped)


def _mask(source: str, masked: list[str]) -> str | None:
    """``source`` with IPython lines as numbered comments; None if it is not Python then."""
    lines = source.split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith("%%") and first[2:].split(" ", 1)[0] not in _PYTHON_CELL_MAGICS:
        return None
    out = []
    for line in lines:
        if _is_ipython(line):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(indent + _MASK.format(len(masked)))
            masked.append(line)
        else:
            out.append(line)
    return "\n".join(out)


def _unmask(source: str, masked: list[str]) -> str:
    def original(match: re.Match[str]) -> str:
        return masked[int(match.group(1))].lstrip()

    return _MASK_RE.sub(original, source)


def _parses(source: str) -> bool:
    try:
        cst.parse_module(source)
    except cst.ParserSyntaxError:
        return False
    return True


def migrate_notebook(text: str) -> NotebookOutcome:
    """Migrate the code cells of a notebook (the file's text).

    Raises ``ValueError`` if the text is not a notebook nbformat can read.
    """
    import nbformat

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
        except Exception as err:  # noqa: BLE001 - nbformat raises many kinds
            raise ValueError(f"not a notebook nbformat can read: {err}") from err
    if nb.get("nbformat", 0) < 4:
        raise ValueError(f"nbformat {nb.get('nbformat')} notebooks are not supported; "
                         f"save it with a current Jupyter first")
    outcome = NotebookOutcome(text=text)
    masked: list[str] = []
    parts: list[str] = []
    cells: list[tuple[int, str]] = []  # (index, masked source) of the cells migrated
    unread: list[str] = []  # code the rewrite does not see, whose names must stay bound
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        first_masked = len(masked)
        python = _mask(source, masked)
        if python is None or not _parses(python):
            del masked[first_masked:]
            unread.append(source)
            if _mentions_transform(source):
                outcome.findings.append(CellFinding(
                    index + 1, 1, 1, "this cell is not Python (IPython syntax the migration "
                                     "does not read) and may call an autodiff function; left "
                                     "as it is: check it by hand."))
            continue
        for offset, line in enumerate(masked[first_masked:]):
            unread.append(line)
            if _mentions_transform(line):
                number = source.split("\n").index(line) + 1
                outcome.findings.append(CellFinding(
                    index + 1, number, 1, f"IPython line `{line.strip()}` is not rewritten; "
                                          f"check it by hand."))
        cells.append((index, python))
        parts.append(_MARK.format(index) + "\n" + python + "\n")
    if not cells:
        return outcome
    if unread:  # so that no import they use is taken for unused and removed
        names = sorted({n for text in unread for n in _IDENTIFIER.findall(text)
                        if not keyword.iskeyword(n)})
        parts.append(_MARK.format(_KEEP) + "\n" + f"({', '.join(names)},)\n")
    combined = "".join(parts)
    result = migrate_source(combined)
    outcome.findings += _cell_findings(result.findings, combined)
    outcome.findings.sort(key=lambda f: (f.cell, f.line, f.column))
    if result.code == combined:
        return outcome
    new_sources = _split(result.code)
    for index, python in cells:
        new = new_sources.get(index)
        if new is None:  # a marker line was lost: give up on the whole notebook
            outcome.findings.append(CellFinding(index + 1, 1, 1, "the rewrite could not be "
                                                "mapped back to this cell; notebook left "
                                                "untouched."))
            outcome.cells.clear()
            return outcome
        old_source = nb.cells[index].source
        new_source = _unmask(new[:-1] if new.endswith("\n") else new, masked)
        if new_source != old_source:
            outcome.cells.append((index + 1, old_source, new_source))
            nb.cells[index].source = new_source
    if not outcome.cells:
        return outcome
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        canonical = nbformat.writes(nbformat.reads(text, as_version=nbformat.NO_CONVERT))
        new_text = nbformat.writes(nb)
    if canonical.rstrip("\n") != text.rstrip("\n"):
        outcome.findings.insert(0, CellFinding(
            outcome.cells[0][0], 1, 1, "the notebook's JSON is not in Jupyter's own layout, "
            "so writing it back would reformat the whole file; left untouched. Save it "
            "in Jupyter and run the migration again, or make the changes by hand."))
        outcome.cells.clear()
        return outcome
    # the file's own ending (Jupyter writes one newline; some tools none)
    ending = text[len(text.rstrip("\n")):]
    outcome.text = new_text.rstrip("\n") + ending
    outcome.changes = result.changes
    return outcome


def _split(code: str) -> dict[int, str]:
    """The migrated module split at the markers: {cell index: its source}.

    Text before the first marker (an import the rewrite added at the top) goes
    to the first cell.
    """
    pieces = _MARK_RE.split(code)
    head, rest = pieces[0], pieces[1:]
    out: dict[int, str] = {}
    for i in range(0, len(rest), 2):
        out[int(rest[i])] = rest[i + 1]
    if head and out:
        first = min(out)
        out[first] = head + out[first]
    return out


def _cell_findings(findings: list[Finding], combined: str) -> list[CellFinding]:
    """Findings of the combined module, by cell and line within the cell."""
    starts: list[tuple[int, int]] = []  # (line of the cell's first source line, cell index)
    for match in _MARK_RE.finditer(combined):
        line = combined.count("\n", 0, match.start()) + 2
        starts.append((line, int(match.group(1))))
    out = []
    for f in findings:
        first_line, index = max((s for s in starts if s[0] <= f.line), default=starts[0])
        out.append(CellFinding(index + 1, f.line - first_line + 1, f.column, f.message))
    return out


def cell_diff(path: str, cells: list[tuple[int, str, str]]) -> list[str]:
    """A unified diff of the rewritten cells, one hunk group per cell."""
    import difflib

    lines: list[Any] = []
    for cell, old, new in cells:
        lines += difflib.unified_diff(
            (old + "\n").splitlines(keepends=True), (new + "\n").splitlines(keepends=True),
            f"a/{path}:cell {cell}", f"b/{path}:cell {cell}")
    return lines
