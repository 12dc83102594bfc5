"""Which files a run looks at, reading them, and writing them back atomically.

Only regular files are opened (reading a FIFO blocks forever); a file reached through
several paths (symbolic links are followed) is migrated once. Every problem with one
file is a message for that file; the run goes on with the others.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> _ = (root / "a.py").write_text("x = 1\\n")
>>> walk = source_files([str(root), str(root / "missing.py")])
>>> [p.name for p in walk.files], [m.split(": ", 1)[1] for m in walk.problems]
(['a.py'], ['no such file or directory'])
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Walk", "source_files", "read_regular", "wide_texts", "not_to_write",
           "write_atomically", "shown", "diff_name"]

SUFFIXES = (".py", ".ipynb")
SKIP_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "build", "dist"})


_CONTROL = {i: f"\\x{i:02x}" for i in (*range(32), 127)} | {10: "\\n", 13: "\\r", 9: "\\t"}


def shown(path: Path | str) -> str:
    """``path`` as one line of text that any stream can print: bytes that are not valid
    in the file system's encoding (a Latin-1 name on a UTF-8 system) appear as
    ``\\xe9``, and control characters (a newline in a name) as ``\\n``, ``\\x1b``."""
    text = os.fsencode(path).decode(sys.getfilesystemencoding(), "backslashreplace")
    return text.translate(_CONTROL)


def diff_name(prefix: str, path: Path | str) -> str:
    """``prefix + path`` for a diff header, quoted as git quotes it when it must be
    (``"a/new\\nline.py"``, ``"a/caf\\351.py"``), so that ``git apply`` reads it back."""
    raw = prefix.encode() + os.fsencode(path)
    if not any(b < 32 or b == 127 or b in b'"\\' for b in raw):
        try:
            return raw.decode(sys.getfilesystemencoding())
        except UnicodeDecodeError:
            pass
    escapes = {ord("\n"): "\\n", ord("\t"): "\\t", ord("\r"): "\\r", ord('"'): '\\"',
               ord("\\"): "\\\\"}
    body = "".join(escapes.get(b) or (chr(b) if 32 <= b < 127 else f"\\{b:03o}") for b in raw)
    return f'"{body}"'


@dataclass
class Walk:
    """What a run looks at."""

    files: list[Path] = field(default_factory=list)  # each real file once, in walk order
    problems: list[str] = field(default_factory=list)  # "path: what is wrong"
    notes: list[str] = field(default_factory=list)  # duplicates, for --quiet to hide


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def source_files(paths: Sequence[str]) -> Walk:
    """The files under ``paths`` to migrate (``*.py``, ``*.ipynb``; files named on the
    command line whatever their suffix)."""
    walk = Walk()
    seen: dict[str, Path] = {}
    for raw in paths:
        path = Path(raw)
        try:
            mode = path.stat().st_mode
        except OSError:
            walk.problems.append(f"{shown(raw)}: no such file or directory")
            continue
        candidates = _walk(path) if stat.S_ISDIR(mode) else iter([path])
        for candidate in candidates:
            problem = _not_regular(candidate)
            if problem is not None:
                walk.problems.append(problem)
                continue
            real = os.path.realpath(candidate)
            if real in seen:
                if seen[real] != candidate:
                    walk.notes.append(f"{shown(candidate)}: the same file as "
                                      f"{shown(seen[real])}, migrated once")
                continue
            seen[real] = candidate
            walk.files.append(candidate)
    return walk


def _not_regular(path: Path) -> str | None:
    """Why ``path`` is not a regular file to read (None if it is one)."""
    try:
        mode = os.stat(path).st_mode  # the file a link points to
    except OSError as err:
        return f"{shown(path)}: cannot be read, left untouched ({err.strerror})"
    if not stat.S_ISREG(mode):
        return f"{shown(path)}: {_kind(mode)}, not a regular file: skipped"
    return None


def _walk(root: Path) -> Iterator[Path]:
    for directory, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(names):
            if name.endswith(SUFFIXES):
                yield Path(directory) / name


def read_regular(path: Path) -> bytes:
    """The bytes of ``path``, if it is a regular file (``OSError`` otherwise).

    Opened without blocking and checked after opening, so that a FIFO swapped in
    after the walk cannot hang the run.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(f"{_kind(mode)}, not a regular file")
        return handle.read()


#: byte-order marks of the encodings neither Python source nor Jupyter reads (UTF-32
#: first: its little-endian mark begins with UTF-16's)
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
              (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def wide_texts(data: bytes) -> Iterator[tuple[str, str]]:
    """(encoding, text) for each way ``data`` reads as UTF-16 or UTF-32: by its
    byte-order mark, or, without one, as UTF-16 of either byte order when it holds NUL
    bytes (which UTF-8 text does not).

    >>> [name for name, _ in wide_texts("x = 1".encode("utf-16"))]
    ['UTF-16']
    """
    encodings = [codec for bom, codec in _WIDE_BOMS if data.startswith(bom)][:1] or \
        (["utf-16-le", "utf-16-be"] if b"\x00" in data else [])
    for codec in encodings:
        try:
            yield codec[:6].upper(), data.decode(codec)
        except UnicodeDecodeError:
            continue


def not_to_write(path: Path) -> str | None:
    """Why the command must not replace ``path``, though it could (None: it may).

    A file without any write permission bit was protected by someone: replacing it
    through its writable directory would ignore that. A file with several hard links
    would become a new file under this name only, the others keeping the old text.
    """
    try:
        info = os.stat(path)
    except OSError:
        return None  # write_atomically says what is wrong
    if not info.st_mode & 0o222:
        return (f"{shown(path)}: read-only (no write permission), left as it is: make it "
                f"writable to migrate it")
    if info.st_nlink > 1:
        return (f"{shown(path)}: has {info.st_nlink} hard links, and rewriting it would split "
                f"them; left as it is: migrate a copy and copy it back over this file (for "
                f"a .py file, `--diff` output also applies with `git apply` or `patch`)")
    return None


def _same_owner(tmp: str, info: os.stat_result) -> None:
    """Give the temporary file the owner and group of the file it replaces, as far as
    this process may (a root run over someone's files; a group only, otherwise)."""
    chown = getattr(os, "chown", None)
    if chown is None:
        return
    for uid in (info.st_uid, -1):
        try:
            chown(tmp, uid, info.st_gid)
            return
        except PermissionError:
            continue


def write_atomically(path: Path, data: bytes) -> str | None:
    """Replace the content of ``path`` (of the file it links to, for a symbolic link).

    A failure leaves the file as it was and comes back as a message (None: written);
    an interruption leaves either the old or the new file. A link stays a link, and
    the file keeps its mode, its owner and its group (as far as this process may set
    them).
    """
    real = Path(os.path.realpath(path))
    try:
        info = real.stat()
        fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    except OSError as err:
        return f"{shown(path)}: cannot be written, left untouched ({err})"
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        _same_owner(tmp, info)  # before chmod: a chown clears the set-id bits
        os.chmod(tmp, stat.S_IMODE(info.st_mode))
        os.replace(tmp, real)
    except BaseException as err:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(err, OSError):
            return f"{shown(path)}: cannot be written, left untouched ({err})"
        raise
    return None
