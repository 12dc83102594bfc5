"""No migrated script or notebook loads JAX later than the original did (issue 23).

Shown by running them: the original (with a stand-in BrainPy that imports JAX at once,
``tests/migrate/stub_brainpy``) and the migrated file each print ``jax_enable_x64`` and the
dtype of a gradient, after setting ``JAX_ENABLE_X64`` in a way JAX only sees if it
has not started yet. Both must print the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("libcst")
pytest.importorskip("jax")

from brainpy_autograd import migrate  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
STUB = Path(__file__).with_name("stub_brainpy")
PRINT = ("import jax\nimport jax.numpy as jnp\nf = bm.grad(lambda x: (x * x).sum())\n"
         "print(jax.config.jax_enable_x64, f(jnp.ones(3)).dtype)\n")

#: runs a notebook's code cells in order in one namespace: `%env NAME=VALUE` sets the
#: variable, as IPython does; other magics are skipped
RUNNER = """
import json, os, sys
namespace = {"__name__": "__main__"}
for cell in json.load(open(sys.argv[1]))["cells"]:
    if cell["cell_type"] != "code":
        continue
    lines = []
    for line in "".join(cell["source"]).splitlines():
        if line.startswith("%env "):
            name, _, value = line[5:].partition("=")
            lines.append(f"import os as _os; _os.environ[{name.strip()!r}] = {value!r}")
        elif not line.startswith(("%", "!")):
            lines.append(line)
    exec(compile("\\n".join(lines), "<cell>", "exec"), namespace)
"""


def run(*argv: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "XLA_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(STUB), str(ROOT)])
    env["JAX_PLATFORMS"] = "cpu"
    done = subprocess.run([sys.executable, *argv], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def notebook(path: Path, *cells: str) -> None:
    path.write_text(json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                   "outputs": [], "source": source} for source in cells],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n")


def migrated_copy(original: Path) -> Path:
    copy = original.with_name("migrated_" + original.name)
    copy.write_bytes(original.read_bytes())
    migrate.main(["--quiet", str(copy)])
    assert "brainpy_autograd" in copy.read_text()  # it was rewritten
    return copy


def test_a_notebook_whose_env_magic_follows_the_brainpy_import(tmp_path):
    """Cell 1 is `import brainpy.math as bm` then `%env JAX_ENABLE_X64=1`: JAX started
    before the magic, so the original computes in float32; so must the migrated one."""
    path = tmp_path / "nb.ipynb"
    notebook(path, "import brainpy.math as bm\n%env JAX_ENABLE_X64=1", PRINT)
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER)
    original = run(str(runner), str(path))
    assert original == "False float32"
    assert run(str(runner), str(migrated_copy(path))) == original


SETTINGS = {
    "os.environ": 'import os\nos.environ["JAX_ENABLE_X64"] = "1"\n',
    "annotation": 'import os\nX: os.environ.setdefault("JAX_ENABLE_X64", "1")\n',
    "default": 'import os\ndef h(x=os.environ.setdefault("JAX_ENABLE_X64", "1")):\n'
               '    return x\n',
    "sys.path": 'import os, sys\nsys.path.insert(0, ".")\nos.environ["JAX_ENABLE_X64"] = "1"\n',
}


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_a_script_that_sets_jax_up_after_the_brainpy_import(tmp_path, setting):
    path = tmp_path / "script.py"
    path.write_text("import brainpy.math as bm\n" + SETTINGS[setting] + PRINT)
    original = run(str(path))
    assert original == "False float32"
    assert run(str(migrated_copy(path))) == original


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_from_import_loads_jax_where_it_stood(tmp_path, where):
    """`from brainpy.math import grad` becomes `from brainpy_autograd import grad` in the
    same place; importing the name loads JAX there, as the old line did."""
    setting = 'import os\nos.environ["JAX_ENABLE_X64"] = "1"\n'
    head = "from brainpy.math import grad\n"
    body = (head + setting) if where == "after" else (setting + head)
    path = tmp_path / "script.py"
    path.write_text(body + PRINT.replace("bm.grad", "grad"))
    original = run(str(path))
    assert original == ("False float32" if where == "after" else "True float64")
    assert run(str(migrated_copy(path))) == original
