"""brainpy-autograd-migrate on bad input: each case is a message for its file, and the run goes on.

Nothing is half-written, the other files are migrated, and the exit code follows
the table (2: could not run on something).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("libcst")

from brainpy_autograd import migrate  # noqa: E402
from brainpy_autograd._migrate import _files  # noqa: E402

LEGACY = "import brainpy.math as bm\ng = bm.grad(f, dyn_vars=[w])\n"
MIGRATED = "import brainpy.math as bm\nimport brainpy_autograd\n\ng = brainpy_autograd.grad(f)\n"
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
not_root = pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                              reason="root may write and read anything")


def command(*args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    """The command in a fresh process (so that a hang fails the test instead of the suite)."""
    return subprocess.run([sys.executable, "-m", "brainpy_autograd.migrate", *args],
                          capture_output=True, timeout=timeout, env={**os.environ, **env})


@needs_fifo
def test_a_fifo_in_a_walked_directory_is_skipped_not_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "real.py").write_text(LEGACY)
    run = command(str(tmp_path), timeout=60)  # opening the FIFO would block forever
    assert run.returncode == 2, run.stderr
    assert f"{tmp_path / 'pipe.py'}: a FIFO, not a regular file: skipped".encode() in run.stderr
    assert (tmp_path / "real.py").read_text() == MIGRATED


@needs_fifo
def test_a_fifo_named_on_the_command_line_is_skipped(tmp_path):
    os.mkfifo(tmp_path / "pipe.ipynb")
    run = command("--check", str(tmp_path / "pipe.ipynb"), timeout=60)
    assert run.returncode == 2 and b"a FIFO, not a regular file" in run.stderr


@needs_fifo
def test_the_reader_never_blocks_on_a_fifo(tmp_path):
    os.mkfifo(tmp_path / "late.py")  # as if swapped in after the walk looked
    with pytest.raises(OSError, match="a FIFO, not a regular file"):
        _files.read_regular(tmp_path / "late.py")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_broken_link_is_reported(tmp_path, capsys):
    (tmp_path / "broken.py").symlink_to(tmp_path / "nowhere.py")
    (tmp_path / "real.py").write_text(LEGACY)
    assert migrate.main(["--quiet", str(tmp_path)]) == 2
    assert f"{tmp_path / 'broken.py'}: cannot be read, left untouched" in capsys.readouterr().err
    assert (tmp_path / "real.py").read_text() == MIGRATED


def test_a_file_whose_temporary_file_cannot_be_made_is_reported(tmp_path, monkeypatch, capsys):
    first, second = tmp_path / "a.py", tmp_path / "b.py"
    first.write_text(LEGACY)
    second.write_text(LEGACY)
    make_temporary = _files.tempfile.mkstemp

    def refuse_for_a(*args, **kwargs):
        if kwargs.get("prefix", "").startswith(".a.py"):
            raise PermissionError(13, "Permission denied", str(tmp_path))
        return make_temporary(*args, **kwargs)

    monkeypatch.setattr(_files.tempfile, "mkstemp", refuse_for_a)
    assert migrate.main(["-j", "1", str(tmp_path)]) == 2
    out = capsys.readouterr()
    assert f"{first}: cannot be written, left untouched ([Errno 13] Permission denied" in out.err
    assert first.read_text() == LEGACY  # untouched
    assert second.read_text() == MIGRATED  # the run went on
    assert "1 could not be read, parsed or written" in out.err
    assert "1 rewritten" in out.err


def test_a_failed_replace_leaves_the_file_and_no_temporary_file(tmp_path, monkeypatch, capsys):
    path = tmp_path / "a.py"
    path.write_text(LEGACY)

    def immutable(src, dst):
        raise PermissionError(1, "Operation not permitted", str(dst))

    monkeypatch.setattr(_files.os, "replace", immutable)
    assert migrate.main(["--quiet", str(path)]) == 2
    assert "cannot be written, left untouched ([Errno 1] Operation not permitted" in \
        capsys.readouterr().err
    assert path.read_text() == LEGACY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py"]


@not_root
def test_a_read_only_directory_is_reported_for_its_files(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.py").write_text(LEGACY)
    (tmp_path / "b.py").write_text(LEGACY)
    locked.chmod(0o555)
    try:
        assert migrate.main(["--quiet", str(tmp_path)]) == 2
    finally:
        locked.chmod(0o755)
    assert f"{locked / 'a.py'}: cannot be written, left untouched" in capsys.readouterr().err
    assert (locked / "a.py").read_text() == LEGACY
    assert (tmp_path / "b.py").read_text() == MIGRATED


@not_root
def test_an_unreadable_file_is_reported(tmp_path, capsys):
    path = tmp_path / "secret.py"
    path.write_text(LEGACY)
    path.chmod(0)
    try:
        assert migrate.main(["--quiet", str(tmp_path)]) == 2
    finally:
        path.chmod(0o644)
    assert f"{path}: cannot be read, left untouched" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="needs byte file names")
def test_a_file_name_that_is_not_utf8_is_printed_and_the_run_goes_on(tmp_path):
    odd = os.path.join(os.fsencode(tmp_path), b"caf\xe9.py")  # Latin-1 bytes
    with open(odd, "w") as handle:
        handle.write(LEGACY)
    (tmp_path / "z.py").write_text(LEGACY)
    run = command(str(tmp_path), PYTHONIOENCODING="utf-8")  # strict: no surrogates out
    assert run.returncode == 0, run.stderr
    assert f"{tmp_path}/caf\\xe9.py: rewritten (2 changes)".encode() in run.stdout
    assert f"{tmp_path}/z.py: rewritten".encode() in run.stdout
    with open(odd) as handle:
        assert handle.read() == MIGRATED


FINDING = "import brainpy.math as bm\ng = bm.grad(f, reduce_axes=('b',), dyn_vars=v)\n"


def test_a_name_with_a_newline_stays_on_one_line_in_findings_and_diffs(tmp_path):
    path = tmp_path / "new\nline.py"
    path.write_text(FINDING)
    run = command("--diff", str(tmp_path), PYTHONIOENCODING="utf-8")
    out = run.stdout.decode()
    assert f"{tmp_path}/new\\nline.py:2:16: reduce_axes=('b',)" in out, out
    assert f'--- "a/{tmp_path}/new\\nline.py"\n+++ "b/{tmp_path}/new\\nline.py"\n' in out
    assert "\nline.py" not in out.replace("\\nline.py", "")  # no name split over lines


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("name", [b"new\nline.py", b"caf\xe9.py", b'q"uote.py'],
                         ids=["newline", "latin1", "quote"])
def test_a_diff_of_an_odd_name_applies_with_git(tmp_path, name):
    tree = tmp_path / "tree"
    tree.mkdir()
    with open(os.path.join(os.fsencode(tree), name), "w") as handle:
        handle.write(LEGACY)
    package_root = str(Path(migrate.__file__).resolve().parents[1])  # from another cwd
    env = {**os.environ, "PYTHONIOENCODING": "utf-8",
           "PYTHONPATH": os.pathsep.join([package_root, os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-m", "brainpy_autograd.migrate", "--diff", "."],
                         capture_output=True, cwd=tree, env=env)
    assert run.returncode == 1, run.stderr
    (tmp_path / "change.diff").write_bytes(run.stdout)
    applied = subprocess.run(["git", "apply", "-p1", str(tmp_path / "change.diff")],
                             capture_output=True, cwd=tree)
    assert applied.returncode == 0, applied.stderr
    with open(os.path.join(os.fsencode(tree), name)) as handle:
        assert handle.read() == MIGRATED


def test_a_name_the_terminal_cannot_show_is_escaped(tmp_path):
    path = tmp_path / "entraînement.py"
    path.write_text(LEGACY)
    run = command("--check", str(path), PYTHONIOENCODING="ascii")
    assert run.returncode == 1, run.stderr
    assert b"entra\\xeenement.py: would be rewritten" in run.stdout


def test_old_mac_line_endings_keep_their_last_one(tmp_path):
    path = tmp_path / "mac.py"
    path.write_bytes(b"import brainpy.math as bm\rg = bm.grad(f, dyn_vars=[w])\r")
    assert migrate.main(["--quiet", str(path)]) == 0
    assert path.read_bytes() == MIGRATED.replace("\n", "\r").encode()
    assert migrate.main(["--check", "--quiet", str(path)]) == 0


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"], ids=["lf", "crlf", "cr"])
def test_a_file_without_a_final_line_ending_gets_none(tmp_path, ending):
    path = tmp_path / "m.py"
    path.write_bytes(ending.join([b"import brainpy.math as bm", b"g = bm.grad(f)"]))
    assert migrate.main(["--quiet", str(path)]) == 0
    assert path.read_bytes() == ending.join(
        [b"import brainpy.math as bm", b"import brainpy_autograd", b"",
         b"g = brainpy_autograd.grad(f)"])


@pytest.mark.parametrize("expression", [
    "(" * 5000 + "f" + ")" * 5000,  # crashes libcst's parser: Python refuses it
    "not " * 20000 + "x",  # the same
    "+".join(["x"] * 50000),  # takes libcst minutes: Python refuses it
], ids=["brackets", "unary", "chain"])
def test_a_file_nested_too_deeply_is_reported(tmp_path, expression):
    path = tmp_path / "deep.py"
    path.write_text(f"import brainpy.math as bm\ng = bm.grad({expression})\n")
    (tmp_path / "fine.py").write_text(LEGACY)
    run = command(str(tmp_path), timeout=120)  # in a process of its own: a crash fails here
    assert run.returncode == 2, run.stderr
    assert re.search(rf"{re.escape(str(path))}(:2)?: cannot be parsed, left untouched \(",
                     run.stderr.decode()), run.stderr
    assert (tmp_path / "fine.py").read_text() == MIGRATED


@pytest.mark.parametrize(("source", "where"), [
    ("import brainpy.math as bm\nif x:\n        a = 1\n    b = bm.grad(f)\n", ":4:"),
    ("import brainpy.math as bm\nif x\n    g = bm.grad(f)\n", ":2:5:"),
    ("import brainpy.math as bm\ng = bm.grad(" + "(" * 300 + "f" + ")" * 300 + ")\n", ":2:"),
], ids=["dedent", "colon", "too_many_parentheses"])
def test_a_parse_error_is_placed_on_its_own_line(tmp_path, capsys, source, where):
    path = tmp_path / "bad.py"
    path.write_text(source)
    assert migrate.main(["--quiet", str(path)]) == 2
    assert f"{path}{where}" in capsys.readouterr().err


def test_nothing_of_a_rewrite_is_left_when_writing_fails_midway(tmp_path, monkeypatch):
    path = tmp_path / "a.py"
    path.write_text(LEGACY)

    class Full(OSError):
        pass

    real_fdopen = _files.os.fdopen

    def fdopen(fd, mode="r", *args, **kwargs):
        handle = real_fdopen(fd, mode, *args, **kwargs)
        if "w" in mode:
            def write(data):
                raise Full(28, "No space left on device")
            handle.write = write
        return handle

    monkeypatch.setattr(_files.os, "fdopen", fdopen)
    assert migrate.main(["--quiet", str(path)]) == 2
    assert path.read_text() == LEGACY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py"]


def test_paths_are_shown_as_text_any_stream_prints():
    assert _files.shown(Path(os.fsdecode(b"/tmp/caf\xe9.py"))) == "/tmp/caf\\xe9.py"
    assert _files.shown("/tmp/café.py") == "/tmp/café.py"


@pytest.mark.skipif(shutil.which("git") is None or shutil.which("patch") is None,
                    reason="needs git and patch")
@pytest.mark.parametrize("content", [
    "\ufeff".encode() + LEGACY.encode(),  # a BOM, in the context lines
    b"# -*- coding: latin-1 -*-\n" + LEGACY.encode() + "s = 'caf\xe9'\n".encode("latin-1"),
    LEGACY.replace("\n", "\r").encode(),  # old Mac: one line to diff(1)
    LEGACY.replace("\n", "\r\n").encode(),
    LEGACY.rstrip("\n").encode(),  # no newline at the end
    LEGACY.encode() + b"x = 1",
], ids=["bom", "latin1", "cr", "crlf", "no-newline", "no-newline-after"])
@pytest.mark.parametrize("tool", ["git", "patch"])
def test_a_diff_applies_with_git_and_patch_byte_for_byte(tmp_path, content, tool):
    tree, expected = tmp_path / "tree", tmp_path / "expected"
    for root in (tree, expected):
        root.mkdir()
        (root / "m.py").write_bytes(content)
    assert migrate.main(["--quiet", str(expected / "m.py")]) == 0
    package_root = str(Path(migrate.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([package_root,
                                                       os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-m", "brainpy_autograd.migrate", "--diff", "."],
                         capture_output=True, cwd=tree, env=env)
    assert run.returncode == 1, run.stderr
    (tmp_path / "change.diff").write_bytes(run.stdout)
    argv = ["git", "apply", "-p1"] if tool == "git" else ["patch", "-p1", "-i"]
    applied = subprocess.run([*argv, str(tmp_path / "change.diff")], capture_output=True,
                             cwd=tree)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert (tree / "m.py").read_bytes() == (expected / "m.py").read_bytes()


# ------------------------------------------------ no input stops the run


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_module_level_nonlocal_is_that_files_parse_error_and_the_run_goes_on(tmp_path, jobs):
    # libcst's scope analysis raises NotImplementedError on it; Python calls it a SyntaxError
    bad = tmp_path / "a_nonlocal.py"
    bad.write_text("import brainpy.math as bm\nbm.grad(f, dyn_vars=v)\nnonlocal q\n")
    fine = [tmp_path / f"b{i:02}.py" for i in range(16)]  # enough for two processes
    for path in fine:
        path.write_text(LEGACY)
    run = command("-j", jobs, str(tmp_path))
    err = run.stderr.decode()
    assert run.returncode == 2, err
    assert "Traceback" not in err
    assert f"{bad}:3:1: cannot be parsed, left untouched (nonlocal declaration not allowed " \
           f"at module level)" in err
    assert "dyn_vars" in bad.read_text()
    assert all(path.read_text() == MIGRATED for path in fine)


def test_any_exception_while_migrating_a_file_is_that_files_error(tmp_path, monkeypatch,
                                                                  capsys):
    # by construction: whatever goes wrong in one file's job is a message for that file
    from brainpy_autograd._migrate import _job

    real = _job.migrate_source

    def migrate_source(source, path=None):
        if path is not None and path.name == "a_boom.py":
            raise RuntimeError("something no test foresaw")
        return real(source, path)

    monkeypatch.setattr(_job, "migrate_source", migrate_source)
    (tmp_path / "a_boom.py").write_text(LEGACY)
    (tmp_path / "b_fine.py").write_text(LEGACY)
    assert migrate.main(["-j", "1", "--quiet", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'a_boom.py'}: could not be migrated, left untouched (RuntimeError: " \
           f"something no test foresaw)" in err
    assert (tmp_path / "a_boom.py").read_text() == LEGACY
    assert (tmp_path / "b_fine.py").read_text() == MIGRATED


def test_a_python_file_in_utf16_is_reported_not_skipped(tmp_path, capsys):
    path = tmp_path / "wide.py"
    path.write_bytes(LEGACY.encode("utf-16"))
    assert migrate.main([str(path)]) == 2
    assert "wide.py: cannot be read, left untouched (it is encoded in UTF-16" in \
        capsys.readouterr().err
    assert path.read_bytes() == LEGACY.encode("utf-16")
