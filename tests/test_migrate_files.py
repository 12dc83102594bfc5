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
                        lambda s: calls.append(s) or original(s))
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
