"""brainpy-autograd-migrate on files as they come: encodings, line endings, links, processes."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("libcst")

from brainpy_autograd import migrate  # noqa: E402
from brainpy_autograd._migrate import (
    _job,  # noqa: E402
    worth_parsing,  # noqa: E402
)

LEGACY = "import brainpy.math as bm\ng = bm.grad(f, dyn_vars=[w])\n"


# ------------------------------------------------------------------ encodings


def test_a_utf8_bom_is_kept(tmp_path):
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbf# t\xc3\xa9st\n" + LEGACY.encode())
    assert migrate.main(["--quiet", str(path)]) == 0
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf# t\xc3\xa9st\n") and b"dyn_vars" not in data


def test_a_pep263_coding_line_is_read_and_written_in_its_encoding(tmp_path):
    path = tmp_path / "latin.py"
    source = "# -*- coding: latin-1 -*-\n# caf\xe9\n" + LEGACY
    path.write_bytes(source.encode("latin-1"))
    assert migrate.main(["--quiet", str(path)]) == 0
    data = path.read_bytes()
    assert b"# caf\xe9\n" in data and b"dyn_vars" not in data
    data.decode("latin-1")  # still latin-1, not re-encoded as UTF-8
    assert "café".encode() not in data


# ------------------------------------------------------------------ links and files


def test_a_read_only_file_is_a_finding_and_left_as_it_is(tmp_path, capsys):
    path = tmp_path / "ro.py"
    path.write_text(LEGACY)
    (tmp_path / "other.py").write_text(LEGACY)
    path.chmod(0o444)
    try:  # whoever runs it, root included: the mode bits say "do not write"
        assert migrate.main(["--quiet", str(tmp_path)]) == 1
    finally:
        path.chmod(0o644)
    assert f"{path}: read-only (no write permission), left as it is" in capsys.readouterr().out
    assert path.read_text() == LEGACY
    assert "dyn_vars" not in (tmp_path / "other.py").read_text()
    path.chmod(0o444)
    try:  # --check says what a write run would do (second review of issue 18)
        assert migrate.main(["--check", str(path)]) == 1
    finally:
        path.chmod(0o644)
    out = capsys.readouterr()
    assert f"{path}: read-only (no write permission)" in out.out
    assert "would be rewritten" not in out.out + out.err
    assert "0 to rewrite (0 changes), 1 finding" in out.err


@pytest.mark.skipif(not hasattr(os, "link"), reason="no hard links here")
def test_a_file_with_hard_links_is_a_finding_and_its_links_stay_one_file(tmp_path, capsys):
    path, other = tmp_path / "a.py", tmp_path / "hard_b.py"
    path.write_text(LEGACY)
    os.link(path, other)
    assert migrate.main(["--quiet", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}: has 2 hard links, and rewriting it would split them" in out
    assert path.read_text() == LEGACY and os.path.samefile(path, other)


def test_a_rewritten_file_keeps_its_owner_and_group(tmp_path, monkeypatch):
    path = tmp_path / "owned.py"
    path.write_text(LEGACY)
    info = path.stat()
    calls = []
    monkeypatch.setattr(os, "chown", lambda p, uid, gid: calls.append((uid, gid)))
    assert migrate.main(["--quiet", str(path)]) == 0
    assert calls == [(info.st_uid, info.st_gid)]


def test_an_owner_this_process_may_not_set_keeps_the_group_if_it_may(tmp_path, monkeypatch):
    path = tmp_path / "owned.py"
    path.write_text(LEGACY)
    info = path.stat()
    calls = []

    def chown(p, uid, gid):
        calls.append((uid, gid))
        if uid != -1:
            raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chown", chown)
    assert migrate.main(["--quiet", str(path)]) == 0  # still written
    assert calls == [(info.st_uid, info.st_gid), (-1, info.st_gid)]
    assert "dyn_vars" not in path.read_text()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_a_root_run_gives_the_file_back_to_its_owner(tmp_path):
    path = tmp_path / "theirs.py"
    path.write_text(LEGACY)
    os.chown(path, 65534, 65534)
    path.chmod(0o640)
    assert migrate.main(["--quiet", str(path)]) == 0
    info = path.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o777) == (65534, 65534, 0o640)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_symlink_stays_a_link_and_its_target_is_rewritten_once(tmp_path, capsys):
    real = tmp_path / "real.py"
    real.write_text(LEGACY)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    assert migrate.main([str(tmp_path)]) == 0
    err = capsys.readouterr()
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert "dyn_vars" not in real.read_text()
    assert err.out.count("rewritten") == 1
    assert "the same file as" in err.err


def test_files_that_do_not_mention_brainpy_are_not_parsed(monkeypatch, tmp_path):
    calls = []
    original = _job.migrate_source
    monkeypatch.setattr(_job, "migrate_source",
                        lambda s, path=None: calls.append(s) or original(s, path))
    (tmp_path / "other.py").write_text("import numpy\nx = numpy.gradient([1, 2])\n")
    (tmp_path / "bp.py").write_text(LEGACY)
    assert migrate.main(["--quiet", "-j", "1", str(tmp_path)]) == 0
    assert len(calls) == 1
    assert not worth_parsing("import numpy\n") and worth_parsing(LEGACY)


def test_jobs_give_the_same_results_and_summary(tmp_path, capsys, monkeypatch):
    from brainpy_autograd._migrate import _workers

    for i in range(40):
        (tmp_path / f"m{i:02d}.py").write_text(LEGACY if i % 3 else "x = 1\n")
    (tmp_path / "reports.py").write_text(
        "import brainpy.math as bm\ng = bm.grad(f, reduce_axes=('b',))\n")
    assert migrate.main(["--check", "-j", "1", str(tmp_path)]) == 1
    one = capsys.readouterr()
    pools = []
    real_plan = _workers.plan
    monkeypatch.setattr(_workers, "plan", lambda *a: pools.append(real_plan(*a)) or pools[-1])
    assert migrate.main(["--check", "-j", "3", str(tmp_path)]) == 1
    three = capsys.readouterr()
    assert pools == [3]  # three processes did the work
    assert one.out == three.out and one.err == three.err
    assert "41 files scanned: 27 to rewrite" in one.err


@pytest.mark.parametrize("jobs, files, expected", [
    (4, 100, 4), (4, 20, 2), (4, 7, 1), (1, 100, 1), (16, 64, 8)])
def test_processes_only_for_enough_files(jobs, files, expected):
    from brainpy_autograd._migrate._workers import plan

    assert plan(jobs, files) == expected


def test_jobs_must_be_positive():
    with pytest.raises(SystemExit):
        migrate.main(["-j", "0", "."])


def test_an_explicit_reexport_keeps_its_as_name():
    from brainpy_autograd._migrate import migrate_source

    out = migrate_source("from brainpy.math import grad as grad, zeros\n\ng = grad(f)\n").code
    assert out == ("from brainpy.math import zeros\nfrom brainpy_autograd import grad as grad\n\n"
                   "g = grad(f)\n")


# ------------------------------------------------------------------ the walk


@pytest.mark.parametrize("skipped", ["node_modules", "site-packages", "__pycache__", "build",
                                     "dist", ".venv"])
def test_the_directories_the_docs_name_are_skipped_unless_given_themselves(tmp_path, skipped):
    """docs/migrate-command.md names every directory the walk skips (each one here)."""
    from pathlib import Path

    from brainpy_autograd._migrate._files import SKIP_DIRS

    page = (Path(__file__).resolve().parents[2] / "docs" / "migrate-command.md").read_text()
    named = page[page.index("Directories are walked"):page.index("only regular files")]
    assert all(f"`{d}`" in named for d in SKIP_DIRS), named
    inner = tmp_path / skipped / "pkg"
    inner.mkdir(parents=True)
    (inner / "x.py").write_text(LEGACY)
    assert migrate.main(["--quiet", "--check", str(tmp_path)]) == 0
    assert migrate.main(["--quiet", "--check", str(tmp_path / skipped)]) == 1


_FORKS: list[int] = []
os.register_at_fork(before=lambda: _FORKS.append(os.getpid()))


def test_jobs_never_fork_a_process_that_has_used_jax(tmp_path):
    """JAX's native threads are invisible to ``threading``: a fork could copy one of
    their locks held (JAX warns "os.fork() was called"). Workers come from a fork
    server, so this process itself never forks, whatever it has run before."""
    import jax.numpy as jnp

    jnp.ones(2).block_until_ready()  # JAX's backend and its threads are up
    for i in range(24):
        (tmp_path / f"m{i:02d}.py").write_text(LEGACY)
    before = len(_FORKS)
    assert migrate.main(["--quiet", "--check", "-j", "2", str(tmp_path)]) == 1
    assert _FORKS[before:] == []
