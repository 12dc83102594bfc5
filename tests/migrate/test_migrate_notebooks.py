"""brainpy-autograd-migrate on notebooks: cells as one module, each file in its own JSON layout."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("libcst")
nbformat = pytest.importorskip("nbformat")

from brainpy_autograd import migrate  # noqa: E402
from brainpy_autograd._migrate._nbjson import read  # noqa: E402

LEGACY = "import brainpy.math as bm\ng = bm.grad(f, dyn_vars=[w])\n"


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


# ------------------------------------------------------------------ cells


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
    # the import goes in the cell of the brainpy import, right after it
    assert after[1].source == ("%matplotlib inline\nimport brainpy as bp\n"
                               "import brainpy.math as bm\nimport brainpy_autograd")
    assert after[2].source == (
        "w = bm.TrainVar(bm.ones(3))\n"
        "f = brainpy_autograd.grad(lambda x: (w * x).sum(), grad_vars=w)\n"
        "%timeit f(bm.ones(3))")
    assert after[3].source == before[3].source
    # a second run changes nothing
    text = path.read_text(encoding="utf-8")
    assert migrate.main(["--check", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == text


def test_an_import_cell_that_only_imported_bm_keeps_it(tmp_path):
    path = tmp_path / "nb.ipynb"
    make_notebook(path, ("code", "import numpy as np"), ("code", "import brainpy.math as bm"),
                  ("code", "g = bm.grad(f, dyn_vars=v)"))
    assert migrate.main(["--quiet", str(path)]) == 0
    assert [c.source for c in cells_of(path)] == [
        "import numpy as np", "import brainpy.math as bm\nimport brainpy_autograd",
        "g = brainpy_autograd.grad(f)"]


def test_a_call_in_a_cell_above_the_brainpy_import_is_left_with_a_finding(tmp_path, capsys):
    path = tmp_path / "nb.ipynb"
    text = make_notebook(path, ("code", "f = lambda x: (x ** 2).sum()\nk = bm.grad(f)(bm.ones(3))"),
                         ("code", "import brainpy.math as bm"))
    assert migrate.main(["--quiet", str(path)]) == 1
    assert path.read_text(encoding="utf-8") == text
    assert f"{path}:cell 1:2:5: `bm.grad` runs before any import binds `bm`" \
        in capsys.readouterr().out


def test_every_cell_that_imports_brainpy_gets_the_new_import(tmp_path):
    # cells run in any order: each import of bm binds brainpy_autograd in its own cell
    path = tmp_path / "nb.ipynb"
    make_notebook(path, ("code", "import brainpy.math as bm"), ("code", "a = bm.grad(f)"),
                  ("code", "import brainpy.math as bm"), ("code", "b = bm.grad(f)"))
    assert migrate.main(["--quiet", str(path)]) == 0
    assert [c.source for c in cells_of(path)] == [
        "import brainpy.math as bm\nimport brainpy_autograd", "a = brainpy_autograd.grad(f)",
        "import brainpy.math as bm\nimport brainpy_autograd", "b = brainpy_autograd.grad(f)"]


def test_notebook_findings_name_the_cell_of_the_call(tmp_path, capsys):
    path = tmp_path / "nb.ipynb"
    make_notebook(path, ("code", "import brainpy.math as bm"), ("markdown", "x"),
                  ("code", "x = 1\n\ng = bm.grad(f, reduce_axes=('b',))"),
                  ("code", "%timeit bm.grad(f, dyn_vars=v)(x)"))
    assert migrate.main(["--check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:cell 3:3:16: reduce_axes=('b',) is no longer supported" in out
    assert f"{path}:cell 4:1:1: IPython line `%timeit bm.grad(f, dyn_vars=v)(x)` is not " \
           f"rewritten" in out


def test_notebook_check_and_diff_write_nothing(tmp_path, capsys):
    path = tmp_path / "nb.ipynb"
    text = make_notebook(path, ("code", LEGACY))
    assert migrate.main(["--check", str(path)]) == 1
    assert migrate.main(["--diff", str(path)]) == 1
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


# ------------------------------------------------------------------ JSON layouts


def _escapes_upper(text: str) -> str:
    return re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), text)


#: writers of notebooks as the tools that save them do: (document) -> file text
LAYOUTS = {
    # nbformat 4.5 saved without cell ids (nbformat's own writer would add random ids)
    "nbformat45_no_ids": lambda d: json.dumps(d, indent=1, sort_keys=True,
                                              ensure_ascii=False) + "\n",
    # PyCharm: its own key order, \u001B escapes, no final newline
    "pycharm": lambda d: _escapes_upper(json.dumps(_pycharm_order(d), indent=1,
                                                   ensure_ascii=False)),
    # Colab / VS Code style: two spaces, keys in the order of the writer
    "indent2": lambda d: json.dumps(d, indent=2, ensure_ascii=False) + "\n",
    "no_final_newline": lambda d: json.dumps(d, indent=1, sort_keys=True, ensure_ascii=False),
    "crlf": lambda d: (json.dumps(d, indent=1, sort_keys=True, ensure_ascii=False)
                       + "\n").replace("\n", "\r\n"),
    "tabs": lambda d: json.dumps(d, indent="\t", ensure_ascii=False) + "\n",
    "one_line": lambda d: json.dumps(d),
    "one_line_tight": lambda d: json.dumps(d, separators=(",", ":"), ensure_ascii=False),
    "ascii_escapes": lambda d: json.dumps(d, indent=1, sort_keys=True) + "\n",
    "bom": lambda d: "\ufeff" + json.dumps(d, indent=1, ensure_ascii=False) + "\n",
}


def _pycharm_order(document):
    order = ("cell_type", "execution_count", "outputs", "source", "metadata")
    cells = [{k: c[k] for k in order if k in c} for c in document["cells"]]
    return {"cells": cells, **{k: v for k, v in document.items() if k != "cells"}}


def _document(source_as_list: bool = True):
    def src(text):
        return text.splitlines(keepends=True) if source_as_list else text

    error = {"ename": "KeyError", "evalue": "'w'", "output_type": "error",
             "traceback": ["\u001b[1;31mKeyError\u001b[0m: 'w' (café)"]}
    return {
        "cells": [
            {"cell_type": "markdown", "metadata": {"collapsed": False,
                                                   "pycharm": {"name": "#%% md\n"}},
             "source": src("# Entraînement: `bm.grad`")},
            {"cell_type": "code", "execution_count": 1, "metadata": {"pycharm": {"name": "#%%\n"}},
             "outputs": [], "source": src("import brainpy as bp\nimport brainpy.math as bm")},
            {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [error],
             "source": src("w = bm.TrainVar(bm.ones(3))  # poids\n"
                           "g = bm.grad(lambda x: (w * x).sum(), grad_vars=w, dyn_vars=[w])")},
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("source_as_list", [True, False], ids=["lines", "string"])
def test_each_notebook_is_written_back_in_its_own_layout(tmp_path, layout, source_as_list):
    write = LAYOUTS[layout]
    document = _document(source_as_list)
    path = tmp_path / "nb.ipynb"
    path.write_bytes(write(document).encode("utf-8"))
    assert migrate.main(["--quiet", str(path)]) == 0

    # the file is what its own writer makes of the document with the two cells changed
    cell_1 = "import brainpy as bp\nimport brainpy.math as bm\nimport brainpy_autograd"
    cell_2 = ("w = bm.TrainVar(bm.ones(3))  # poids\n"
              "g = brainpy_autograd.grad(lambda x: (w * x).sum(), grad_vars=w)")
    for index, text in ((1, cell_1), (2, cell_2)):
        document["cells"][index]["source"] = (text.splitlines(keepends=True)
                                              if source_as_list else text)
    assert path.read_bytes() == write(document).encode("utf-8")
    assert migrate.main(["--check", str(path)]) == 0  # a second run changes nothing


def test_the_layout_found_is_proven_by_writing_the_file_back():
    text = LAYOUTS["pycharm"](_document())
    layout, document = read(text)
    assert layout is not None and layout.upper_escapes and layout.tail == ""
    assert layout.dumps(document) == text
    mixed = text.replace("\\u001B[0m", "\\u001b[0m", 1)  # both cases: no layout writes it
    assert read(mixed)[0] is None


def test_a_notebook_whose_layout_cannot_be_reproduced_is_left_alone_and_reported(
        tmp_path, capsys):
    path = tmp_path / "nb.ipynb"
    text = make_notebook(path, ("code", LEGACY))
    odd = text.replace('\n "metadata"', '\n    "metadata"')  # indentation changes midway
    path.write_text(odd, encoding="utf-8")
    assert migrate.main([str(path)]) == 1  # a person is needed
    assert path.read_text(encoding="utf-8") == odd
    out = capsys.readouterr().out
    assert f"{path}: the notebook's JSON cannot be written back byte for byte" in out


# ------------------------------------------------------------------ malformed cells


@pytest.mark.parametrize("source", [None, 3, "missing", [1, "x"]],
                         ids=["null", "int", "missing", "list_with_int"])
def test_a_code_cell_without_text_is_reported_and_the_run_goes_on(tmp_path, capsys, source):
    bad = tmp_path / "a_bad.ipynb"
    document = _document()
    if source == "missing":
        del document["cells"][2]["source"]
    else:
        document["cells"][2]["source"] = source
    bad.write_text(json.dumps(document, indent=1), encoding="utf-8")
    before = bad.read_bytes()
    good = tmp_path / "b_good.py"
    good.write_text(LEGACY)
    assert migrate.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: cannot be read as a notebook, left untouched (cell 3: its \"source\" is" in err
    assert bad.read_bytes() == before
    assert "dyn_vars" not in good.read_text()  # the file after it was still migrated


@pytest.mark.parametrize("text, why", [
    ('["brainpy grad"]', "not a notebook: no list of cells"),
    ('{"cells": 3, "x": "brainpy grad"}', "not a notebook: no list of cells"),
    ('{"nbformat": 3, "cells": [], "x": "brainpy grad"}', "nbformat 3 notebooks are not"),
    ('{"cells": ["brainpy grad"], "nbformat": 4}', "cell 1 is not a JSON object"),
    ("{not json: brainpy grad", "Expecting property name"),
])
def test_json_that_is_not_a_notebook_is_reported(tmp_path, capsys, text, why):
    path = tmp_path / "x.ipynb"
    path.write_text(text)
    assert migrate.main(["--quiet", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: cannot be read as a notebook, left untouched (" in err and why in err


def test_a_notebook_nested_deeper_than_python_reads_is_reported_and_the_run_goes_on(
        tmp_path, capsys):
    # json.loads raises RecursionError on it: a message for that file, never a traceback
    deep = tmp_path / "a_deep.ipynb"
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": LEGACY}
    deep.write_text('{"metadata": ' + "[" * 100_000 + "]" * 100_000 + ', "cells": '
                    + json.dumps([cell]) + ', "nbformat": 4, "nbformat_minor": 5}')
    before = deep.read_bytes()
    good = tmp_path / "b_good.py"
    good.write_text(LEGACY)
    assert migrate.main(["-j", "1", "--quiet", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{deep}: cannot be read as a notebook, left untouched (nested too deeply" in err
    assert deep.read_bytes() == before
    assert "dyn_vars" not in good.read_text()


@pytest.mark.parametrize("kind", ["missing", 7, None])
def test_a_cell_without_a_text_cell_type_is_reported(tmp_path, capsys, kind):
    path = tmp_path / "x.ipynb"
    cell = {"metadata": {}, "source": "import brainpy.math as bm\nbm.grad(f, dyn_vars=1)\n"}
    if kind != "missing":
        cell["cell_type"] = kind
    path.write_text(json.dumps({"cells": [cell], "nbformat": 4, "nbformat_minor": 5}))
    before = path.read_bytes()
    for mode in ([], ["--check"]):
        assert migrate.main([*mode, "--quiet", str(path)]) == 2
        err = capsys.readouterr().err
        assert f"{path}: cannot be read as a notebook, left untouched (cell 1 has " in err
    assert path.read_bytes() == before


def test_a_long_source_that_is_not_text_is_shown_to_a_whole_item(tmp_path, capsys):
    path = tmp_path / "listint.ipynb"
    source = ["import brainpy.math as bm\n", 5, "bm.grad(f, dyn_vars=1)\n" * 3]
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": source}],
                                "nbformat": 4}))
    assert migrate.main(["--quiet", str(path)]) == 2
    err = capsys.readouterr().err
    assert 'its "source" is ["import brainpy.math as bm\\n", 5, ...], not text' in err


def test_a_plain_syntax_error_in_a_cell_is_called_one_with_its_line(tmp_path, capsys):
    path = tmp_path / "nb.ipynb"
    make_notebook(path, ("code", "import brainpy.math as bm\n"),
                  ("code", "g0 = bm.grad(f, dyn_vars=None)\nif True\n    pass"),
                  ("code", "%time g = bm.grad(f, dyn_vars=None)\nx = !ls"))
    migrate.main(["--check", "--quiet", str(path)])
    out = capsys.readouterr().out
    assert f"{path}:cell 2:2:8: this cell is not valid Python (" in out
    assert f"{path}:cell 3:1:1: this cell is not Python (IPython syntax" in out


def test_an_nbformat_3_notebook_is_told_how_to_upgrade(tmp_path, capsys):
    """Its cells are in "worksheets": the message says so and gives the nbconvert
    command (on main it said "no list of cells")."""
    path = tmp_path / "old.ipynb"
    text = json.dumps({"metadata": {}, "nbformat": 3, "nbformat_minor": 0, "worksheets": [
        {"cells": [{"cell_type": "code", "input": ["import brainpy.math as bm\n",
                                                    "g = bm.grad(f)"],
                    "language": "python", "outputs": []}], "metadata": {}}]}, indent=1)
    path.write_text(text)
    assert migrate.main([str(path)]) == 2
    err = capsys.readouterr().err
    assert "nbformat 3 notebook" in err and "worksheets" in err
    assert "jupyter nbconvert --to notebook --nbformat 4" in err
    assert path.read_text() == text


# ------------------------------------------------------------------ issue 23 review


@pytest.mark.parametrize("text", [
    "# <<brainpy-autograd-migrate cell 0>>\n",
    "#<<brainpy-autograd-migrate ipython 0>>\n",
    "s = '# <<brainpy-autograd-migrate cell 1>>'\n",
])
def test_cell_text_like_the_markers_is_kept_as_it_is(tmp_path, text):
    path = tmp_path / "nb.ipynb"
    make_notebook(path, ("code", "import brainpy.math as bm\n" + text + "%matplotlib inline\n"
                                 "g = bm.grad(f)"), ("code", text + "h = bm.grad(f)"))
    assert migrate.main(["--quiet", str(path)]) == 0
    cells = cells_of(path)
    blank = "" if text.startswith("#") else "\n"  # a comment line: no blank line added
    assert cells[0].source == ("import brainpy.math as bm\nimport brainpy_autograd\n" + blank
                               + text + "%matplotlib inline\ng = brainpy_autograd.grad(f)")
    assert cells[1].source == text + "h = brainpy_autograd.grad(f)"


@pytest.mark.parametrize("import_cell", [
    "import brainpy.math as bm\nx = (1\n%s\n",  # unclosed, with a `%` continuation
    "import brainpy.math as bm\nif True\n    pass\n",  # a plain syntax error
    "import brainpy.math as bm\nx = !ls\n",
])
def test_check_fails_when_the_cell_of_the_brainpy_import_cannot_be_read(tmp_path, capsys,
                                                                         import_cell):
    path = tmp_path / "nb.ipynb"
    make_notebook(path, ("code", import_cell), ("code", "g = bm.grad(f)"))
    assert migrate.main(["--check", str(path)]) == 1
    assert f"{path}:cell 1:" in capsys.readouterr().out


@pytest.mark.parametrize("source", [
    'print("loss %f"\n      % 1.0)',
    "x = (1\n     % 2)",
    "x = 1 \\\n    % 2",
    "s = '''\n%not a magic\n'''",
])
def test_a_percent_line_that_goes_on_a_statement_is_python(tmp_path, capsys, source):
    path = tmp_path / "nb.ipynb"
    make_notebook(path, ("code", "import brainpy.math as bm\n" + source + "\ng = bm.grad(f)"))
    assert migrate.main(["--quiet", str(path)]) == 0
    assert cells_of(path)[0].source == ("import brainpy.math as bm\nimport brainpy_autograd\n\n"
                                        + source + "\ng = brainpy_autograd.grad(f)")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_notebook_in_utf16_or_utf32_is_reported_not_skipped(tmp_path, capsys, encoding):
    """Jupyter reads notebooks as UTF-8; a UTF-16 one (Windows tools save them) used to be
    skipped without a word, as if it mentioned no brainpy."""
    path = tmp_path / "wide.ipynb"
    text = make_notebook(path, ("code", LEGACY))
    path.write_bytes(text.encode(encoding))
    before = path.read_bytes()
    assert migrate.main([str(path)]) == 2
    out = capsys.readouterr().err
    assert "wide.ipynb: cannot be read" in out and "UTF-" in out and "convert it to UTF-8" in out
    assert path.read_bytes() == before


def test_a_notebook_in_utf16_that_mentions_no_brainpy_is_skipped_quietly(tmp_path):
    path = tmp_path / "other.ipynb"
    path.write_bytes(make_notebook(path, ("code", "x = 1\n")).encode("utf-16"))
    assert migrate.main(["--quiet", str(path)]) == 0
