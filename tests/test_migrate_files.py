"""brainpy-autograd-migrate on files as they come: notebooks, encodings, links, processes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("libcst")
nbformat = pytest.importorskip("nbformat")

from brainpy_autograd import migrate  # noqa: E402
from brainpy_autograd._codemod import worth_parsing  # noqa: E402

LEGACY = "import brainpy.math as bm\ng = bm.grad(f, dyn_vars=[w])\n"


# ------------------------------------------------------------------ notebooks


def make_notebook(path: Path, *cells) -> str:
    """A notebook saved as Jupyter saves it; each cell is ("code"|"markdown", source)."""
    nb = nbformat.v4.new_notebook()
    for kind, source in cells:
        cell = (nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell)(
            source)
        if kind == "code":
            cell.outputs = [nbformat.v4.new_output("stream", text="some output\n")]
            cell.execution_count = 3
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    text = nbformat.writes(nb)
    path.write_text(text, encoding="utf-8")
    return text


def cells_of(path: Path):
    return nbformat.reads(path.read_text(encoding="utf-8"), as_version=4).cells


def test_a_notebook_with_nothing_to_rewrite_is_byte_for_byte_unchanged(tmp_path):
    path = tmp_path / "plain.ipynb"
    text = make_notebook(
        path, ("markdown", "# BrainPy model"),
        ("code", "%matplotlib inline\nimport brainpy as bp\nimport brainpy.math as bm"),
        ("code", "!pip install brainpy\nnet = bp.dyn.HH(1)\nv = bm.zeros(3)  # no autodiff"))
    assert migrate.main(["--quiet", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == text


def test_notebook_code_cells_are_rewritten_and_the_rest_kept(tmp_path):
    path = tmp_path / "train.ipynb"
    make_notebook(
        path,
        ("markdown", "Training with `bm.grad(..., dyn_vars=...)`"),
        ("code", "%matplotlib inline\nimport brainpy as bp\nimport brainpy.math as bm"),
        ("code", "w = bm.TrainVar(bm.ones(3))\n"
                 "f = bm.grad(lambda x: (w * x).sum(), grad_vars=w,\n"
                 "            dyn_vars=[w])\n"
                 "%timeit f(bm.ones(3))"),
        ("code", "%%bash\necho not python"),
    )
    before = cells_of(path)
    assert migrate.main(["--quiet", str(path)]) == 0
    after = cells_of(path)
    assert [c.cell_type for c in after] == [c.cell_type for c in before]
    for old, new in zip(before, after):  # ids, outputs, metadata and markdown untouched
        assert new.get("id") == old.get("id")
        assert new.get("outputs") == old.get("outputs")
        assert new.metadata == old.metadata
    assert after[0].source == before[0].source
    assert after[1].source.startswith("%matplotlib inline\n")
    assert "import brainpy_autograd" in after[1].source
    assert after[2].source == (
        "w = bm.TrainVar(bm.ones(3))\n"
        "f = brainpy_autograd.grad(lambda x: (w * x).sum(), grad_vars=w)\n"
        "%timeit f(bm.ones(3))")
    assert after[3].source == before[3].source
    # a second run changes nothing
    text = path.read_text(encoding="utf-8")
    assert migrate.main(["--check", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == text


def test_notebook_findings_name_the_cell(tmp_path, capsys):
    path = tmp_path / "nb.ipynb"
    make_notebook(path, ("markdown", "x"),
                  ("code", "import brainpy.math as bm\n\ng = bm.grad(f, reduce_axes=('b',))"),
                  ("code", "%timeit bm.grad(f, dyn_vars=v)(x)"))
    migrate.main(["--check", str(path)])
    out = capsys.readouterr().out
    assert f"{path}:cell 2:3:16: reduce_axes=('b',) is no longer supported" in out
    assert f"{path}:cell 3:1:1: IPython line `%timeit bm.grad(f, dyn_vars=v)(x)` is not " \
           f"rewritten" in out


def test_notebook_check_and_diff_write_nothing(tmp_path, capsys):
    path = tmp_path / "nb.ipynb"
    text = make_notebook(path, ("code", LEGACY))
    assert migrate.main(["--check", str(path)]) == 1
    assert migrate.main(["--diff", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"--- a/{path}:cell 1" in out and "-g = bm.grad(f, dyn_vars=[w])" in out
    assert "+g = brainpy_autograd.grad(f)" in out
    assert path.read_text(encoding="utf-8") == text


def test_an_import_used_only_in_an_unreadable_cell_is_kept(tmp_path):
    path = tmp_path / "nb.ipynb"
    make_notebook(path, ("code", "import brainpy.math as bm\ng = bm.grad(f)"),
                  ("code", "x = !ls\nbm.zeros(3)"))
    migrate.main(["--quiet", str(path)])
    assert "import brainpy.math as bm" in cells_of(path)[0].source


def test_a_notebook_in_another_json_layout_is_left_alone_and_reported(tmp_path, capsys):
    path = tmp_path / "nb.ipynb"
    text = make_notebook(path, ("code", LEGACY))
    odd = text.replace('\n "metadata"', '\n    "metadata"')  # not Jupyter's indentation
    path.write_text(odd, encoding="utf-8")
    assert migrate.main([str(path)]) == 0
    assert path.read_text(encoding="utf-8") == odd
    assert "not in Jupyter's own layout" in capsys.readouterr().out


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
    from brainpy_autograd import _codemod

    original = _codemod.migrate_source
    monkeypatch.setattr(_codemod, "migrate_source",
                        lambda s: calls.append(s) or original(s))
    (tmp_path / "other.py").write_text("import numpy\nx = numpy.gradient([1, 2])\n")
    (tmp_path / "bp.py").write_text(LEGACY)
    assert migrate.main(["--quiet", "-j", "1", str(tmp_path)]) == 0
    assert len(calls) == 1
    assert not worth_parsing("import numpy\n") and worth_parsing(LEGACY)


def test_jobs_give_the_same_results_and_summary(tmp_path, capsys):
    for i in range(12):
        (tmp_path / f"m{i:02d}.py").write_text(LEGACY if i % 3 else "x = 1\n")
    (tmp_path / "reports.py").write_text(
        "import brainpy.math as bm\ng = bm.grad(f, reduce_axes=('b',))\n")
    assert migrate.main(["--check", "-j", "1", str(tmp_path)]) == 1
    one = capsys.readouterr()
    assert migrate.main(["--check", "-j", "3", str(tmp_path)]) == 1
    three = capsys.readouterr()
    assert one.out == three.out and one.err == three.err
    assert "13 files scanned: 9 to rewrite" in one.err


def test_jobs_must_be_positive():
    with pytest.raises(SystemExit):
        migrate.main(["-j", "0", "."])


def test_an_explicit_reexport_keeps_its_as_name():
    from brainpy_autograd._codemod import migrate_source

    out = migrate_source("from brainpy.math import grad as grad, zeros\n\ng = grad(f)\n").code
    assert out == ("from brainpy.math import zeros\nfrom brainpy_autograd import grad as grad\n\n"
                   "g = grad(f)\n")
