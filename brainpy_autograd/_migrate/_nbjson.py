"""A notebook's own JSON layout, found and proven by writing the notebook back byte for byte.

Which layouts tools write, and why nbformat does not write notebooks here:
docs/migrate-command.md, "Notebooks". :func:`read` finds the file's layout (indentation,
separators, ``ensure_ascii``, the case of ``\\u`` escapes, key order as loaded, what
follows the last brace, LF or CRLF, a byte-order mark) and keeps it only if writing the
unchanged document in it gives back exactly the file's text.

>>> layout, document = read('{\\n  "cells": [],\\n  "nbformat": 4\\n}')
>>> layout.indent, layout.dumps(document)
('  ', '{\\n  "cells": [],\\n  "nbformat": 4\\n}')
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["JsonLayout", "read"]

_INDENT = re.compile(r"\{\n([ \t]+)\"")
_KEY_SEPARATOR = re.compile(r"\{\s*\"(?:[^\"\\]|\\.)*\"(\s*:\s*)")
#: a \uXXXX escape (not an escaped backslash followed by "u")
_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u([0-9a-fA-F]{4})")


@dataclass(frozen=True)
class JsonLayout:
    """How a file writes its JSON document."""

    indent: str | None  # one level of indentation; None: all on one line
    separators: tuple[str, str]  # (between items, between a key and its value)
    ensure_ascii: bool
    upper_escapes: bool  # \u001B rather than \u001b
    tail: str  # what follows the document (a final newline, or nothing)
    newline: str  # "\n" or "\r\n"
    bom: bool

    def dumps(self, document: Any) -> str:
        text = json.dumps(document, indent=self.indent, separators=self.separators,
                          ensure_ascii=self.ensure_ascii)
        if self.upper_escapes:
            text = _ESCAPE.sub(lambda m: f"{m.group(1)}\\u{m.group(2).upper()}", text)
        text += self.tail
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return ("\ufeff" if self.bom else "") + text


def read(text: str) -> tuple[JsonLayout | None, Any]:
    """The document in ``text``, and its layout (``None`` if no layout this module knows
    writes ``text`` back exactly). Raises ``ValueError`` if ``text`` is not JSON."""
    bom = text.startswith("\ufeff")
    body = text[1:] if bom else text
    newline = "\r\n" if "\r\n" in body else "\n"
    lf = body.replace("\r\n", "\n") if newline != "\n" else body
    document = json.loads(lf)
    stripped = lf.rstrip()
    found = _INDENT.match(stripped)
    indent = found.group(1) if found else None
    key = _KEY_SEPARATOR.match(stripped)
    key_separator = key.group(1) if key else ": "
    # the case of the \u escapes: the first one with a letter in it decides
    lettered = (m.group(2) for m in _ESCAPE.finditer(body) if not m.group(2).isdigit())
    upper = next((digits != digits.lower() for digits in lettered), False)
    items = (",",) if indent is not None else (", ", ",")
    for item_separator in items:
        layout = JsonLayout(
            indent=indent, separators=(item_separator, key_separator),
            ensure_ascii=body.isascii(), upper_escapes=upper,
            tail=lf[len(stripped):], newline=newline, bom=bom)
        if layout.dumps(document) == text:
            return layout, document
    return None, document
