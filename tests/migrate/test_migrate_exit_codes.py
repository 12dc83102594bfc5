"""brainpy-autograd-migrate's exit codes: one table, in --help, the docs, and every row here."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("libcst")

from brainpy_autograd import migrate  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
LEGACY = "import brainpy.math as bm\ng = bm.grad(f, dyn_vars=[w])\n"
DONE = "import brainpy_autograd\n\ng = brainpy_autograd.grad(f)\n"
#: nothing to rewrite, but a finding for a person
FINDING_ONLY = "import brainpy_autograd as bpa\ng = bpa.grad(f, reduce_axes=('batch',))\n"
MODES = {"write": [], "check": ["--check"], "diff": ["--diff"]}


def tree(tmp_path: Path, **files: str) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


# (files, the exit code when writing, with --check, with --diff)
ROWS = {
    "nothing to do": ({"done.py": DONE, "other.py": "x = 1\n"}, 0, 0, 0),
    "would change": ({"legacy.py": LEGACY}, 0, 1, 1),
    "a finding remains": ({"finding.py": FINDING_ONLY}, 1, 1, 1),
    "a finding and a change": ({"legacy.py": LEGACY, "finding.py": FINDING_ONLY}, 1, 1, 1),
    "a file cannot be parsed": ({"broken.py": "import brainpy.math as bm\ng = bm.grad(\n",
                                 "legacy.py": LEGACY}, 2, 2, 2),
    "a notebook left untouched": ({"nb.ipynb": '{"cells": [{"cell_type": "code", "source": '
                                   '"import brainpy.math as bm\\ng = bm.grad(f)"}], '
                                   '"nbformat":  4}'}, 1, 1, 1),
    "the file is left as it is": ({"refused.py": "try:\n    import brainpy.math as bm\n"
                                   "except ImportError:\n    bm = None\ng = bm.grad(f)\n"},
                                  1, 1, 1),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("row", ROWS)
def test_every_row_of_the_table(tmp_path, capsys, row, mode):
    files, *codes = ROWS[row]
    root = tree(tmp_path, **files)
    expected = codes[list(MODES).index(mode)]
    assert migrate.main([*MODES[mode], "--quiet", str(root)]) == expected
    if mode == "write" and expected == 0:
        assert migrate.main(["--check", "--quiet", str(root)]) == 0  # really nothing left


def test_usage_errors_and_missing_paths_are_2(tmp_path, capsys):
    assert migrate.main([str(tmp_path / "missing")]) == 2
    assert "no such file or directory" in capsys.readouterr().err
    for wrong in (["--check", "--diff", str(tmp_path)], ["-j", "0", str(tmp_path)], []):
        with pytest.raises(SystemExit) as stop:
            migrate.main(wrong)
        assert stop.value.code == 2


def without(module: str, *argv: str, entry: str = "module") -> subprocess.CompletedProcess[str]:
    """The command run in a fresh interpreter in which ``module`` cannot be imported
    (as if not installed): as ``python -m brainpy_autograd.migrate``, or as the console
    script does (``main()`` imported from ``brainpy_autograd.migrate``)."""
    start = ("import runpy; runpy.run_module('brainpy_autograd.migrate', run_name='__main__', "
             "alter_sys=True)" if entry == "module" else
             "from brainpy_autograd.migrate import main; sys.exit(main())")
    script = f"import sys; sys.modules[{module!r}] = None; sys.argv[1:] = {list(argv)!r}; {start}"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT)


@pytest.mark.parametrize("entry", ["module", "console script"])
def test_a_missing_libcst_is_2_and_names_the_pip_command(tmp_path, entry):
    root = tree(tmp_path, **{"legacy.py": LEGACY})
    run = without("libcst", "--check", str(root), entry=entry)
    assert run.returncode == 2, run.stderr
    assert "pip install 'libcst>=1.1' 'tqdm>=4.66'" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_missing_tqdm_is_2_with_progress_and_no_bar_by_default(tmp_path):
    root = tree(tmp_path, **{f"m{i}.py": LEGACY for i in range(3)})
    run = without("tqdm", "--check", "--progress", str(root))
    assert run.returncode == 2 and "pip install 'tqdm>=4.66'" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    run = without("tqdm", "--check", str(root))
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr


def test_progress_without_tqdm_is_off_by_default_on_a_terminal(tmp_path, monkeypatch, capsys):
    root = tree(tmp_path, **{f"m{i}.py": LEGACY for i in range(migrate.PROGRESS_THRESHOLD)})
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert migrate.main(["--check", str(root)]) == 1


def _table(text: str) -> dict[int, str]:
    return {int(code): line for code, line in re.findall(r"^\s*-?\s*([012])[:\s]\s*(.+)$",
                                                         text, re.MULTILINE)}


def test_the_table_is_in_help_the_docs_and_the_module_docstring(capsys):
    with pytest.raises(SystemExit):
        migrate.main(["--help"])
    help_text = capsys.readouterr().out
    assert "exit status (the same with --check, --diff or neither):" in help_text
    for code, text in migrate.EXIT_CODES.items():
        assert f"  {code}  {text[:30]}" in help_text
    docs = (ROOT / "docs" / "migrate-command.md").read_text()
    section = docs[docs.index("| exit code |"):]
    for code in migrate.EXIT_CODES:
        assert f"| {code} |" in section
    assert set(_table(migrate.__doc__)) == {0, 1, 2}


def test_the_console_script_and_the_module_give_the_same_code(tmp_path):
    root = tree(tmp_path, **{"finding.py": FINDING_ONLY})
    run = subprocess.run([sys.executable, "-m", "brainpy_autograd.migrate", "--quiet", str(root)],
                         capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    assert "reduce_axes=('batch',) is no longer supported" in run.stdout
    assert "(docs/multidevice.md)" in run.stdout
