"""Star imports refuse a file only where they may change what a rewritten call means
(issue 23).

A star import counts only if it runs between the binding of a name that a rewritten
call uses and that call; then the module it names is read, if it lies next to the file
or in its package, to see whether it defines that name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("libcst")

from brainpy_autograd import migrate  # noqa: E402
from brainpy_autograd._migrate import migrate_source  # noqa: E402

LTC = '''"""Like brainpy/examples' liquid_time_constant_network.py: a star import of the
author's data module, then BrainPy."""
import numpy as np
from _datasets import *

import brainpy as bp
import brainpy.math as bm

loss_grad = bm.grad(lambda w: (w ** 2).sum(), grad_vars={"w": None}, return_value=True)
'''


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_a_star_import_before_the_alias_is_bound_cannot_rebind_it(tmp_path, capsys):
    write(tmp_path, {"ltc.py": LTC})  # _datasets.py is not there: it does not matter
    assert migrate.main([str(tmp_path / "ltc.py")]) == 0, capsys.readouterr().out
    text = (tmp_path / "ltc.py").read_text()
    assert "loss_grad = brainpy_autograd.grad(" in text and "import brainpy.math as bm" in text
    assert migrate.main(["--check", str(tmp_path)]) == 0


SCRIPT = ("import brainpy.math as bm\nfrom neuron_data_functions import *\n\n"
          "g = bm.grad(f, dyn_vars=v)\n")


@pytest.mark.parametrize("module", [
    "import numpy as np\n\ndef load(path):\n    return np.load(path)\n",
    "__all__ = ['load']\nbm = None\n\ndef load(path):\n    return path\n",  # not exported
    "_bm = None\nfrom os.path import *\n",  # private, and a star of an inert module
])
def test_a_star_import_of_the_authors_own_module_is_read(tmp_path, module):
    write(tmp_path, {"run.py": SCRIPT, "neuron_data_functions.py": module})
    assert migrate.main(["--quiet", str(tmp_path / "run.py")]) == 0
    assert "g = brainpy_autograd.grad(f)\n" in (tmp_path / "run.py").read_text()


@pytest.mark.parametrize("module", [
    "import mylib as bm\n",
    "bm = None\n",
    "__all__ = ['bm']\nbm = 1\n",
    "from other import *\n",  # which cannot be read: unknown
    "globals()['bm'] = 1\n",
    "import sys\nsys.modules[__name__].bm = None\n",
    "import sys\nsetattr(sys.modules[__name__], 'bm', None)\n",
    "locals()['bm'] = None\n",
])
def test_a_star_import_whose_module_may_define_the_alias_leaves_the_file(tmp_path, capsys,
                                                                          module):
    write(tmp_path, {"run.py": SCRIPT, "neuron_data_functions.py": module})
    assert migrate.main([str(tmp_path / "run.py")]) == 1
    out = capsys.readouterr().out
    assert (tmp_path / "run.py").read_text() == SCRIPT
    assert "from neuron_data_functions import *` (line 2) may rebind `bm`" in out
    assert "check neuron_data_functions" in out


def test_a_star_import_in_a_package_is_read_relative_and_absolute(tmp_path):
    util = "def helper():\n    return 1\n"
    for star in ("from .util import *", "from pkg.util import *"):
        write(tmp_path, {"pkg/__init__.py": "", "pkg/util.py": util,
                         "pkg/run.py": f"import brainpy.math as bm\n{star}\ng = bm.grad(f)\n"})
        assert migrate.main(["--quiet", str(tmp_path / "pkg" / "run.py")]) == 0, star
        assert "brainpy_autograd.grad(f)" in (tmp_path / "pkg" / "run.py").read_text()


def test_a_star_import_after_the_call_does_not_count():
    outcome = migrate_source("import brainpy.math as bm\ng = bm.grad(f)\nfrom mylib import *\n")
    assert "g = brainpy_autograd.grad(f)" in outcome.code and not outcome.findings


def test_a_star_import_between_binding_and_call_counts_for_code_in_functions():
    source = "import brainpy.math as bm\nfrom mylib import *\ndef h():\n    return bm.grad(f)\n"
    outcome = migrate_source(source)
    assert outcome.code == source
    assert "check mylib" in outcome.findings[0].message


def test_a_star_import_that_may_rebind_a_from_imported_transform_counts():
    source = "from brainpy.math import grad\nfrom mylib import *\ng = grad(f, dyn_vars=v)\n"
    outcome = migrate_source(source)
    assert outcome.code == source and "may rebind `grad`" in outcome.findings[0].message


def test_a_star_import_before_the_binding_does_not_count_for_code_in_functions():
    source = ("from mylib import *\nimport brainpy.math as bm\ndef h():\n"
              "    return bm.grad(f, dyn_vars=v)\n")
    outcome = migrate_source(source)
    assert "return brainpy_autograd.grad(f)" in outcome.code and not outcome.findings


@pytest.mark.parametrize("name", ["code", "imp", "numpy", "brainpy_autograd"])
def test_a_local_module_named_like_a_standard_or_known_one_is_read_first(tmp_path, capsys,
                                                                          name):
    # the file next to the script wins on import: it is what the star import binds
    script = f"import brainpy.math as bm\nfrom {name} import *\ng = bm.grad(f)\n"
    write(tmp_path, {"run.py": script, f"{name}.py": "bm = None\n"})
    assert migrate.main([str(tmp_path / "run.py")]) == 1
    assert (tmp_path / "run.py").read_text() == script
    assert f"from {name} import *` (line 2) may rebind `bm`" in capsys.readouterr().out


def test_a_package_is_read_before_a_module_of_the_same_name_as_python_imports_it(
        tmp_path, capsys):
    """``neuron_data_functions/`` and ``neuron_data_functions.py`` side by side: Python
    imports the package, so its ``__init__.py`` (which rebinds ``bm``) decides."""
    write(tmp_path, {"run.py": SCRIPT,
                     "neuron_data_functions.py": "def load(path):\n    return path\n",
                     "neuron_data_functions/__init__.py": "import mylib as bm\n"})
    assert migrate.main([str(tmp_path / "run.py")]) == 1
    assert (tmp_path / "run.py").read_text() == SCRIPT
    assert "may rebind `bm`" in capsys.readouterr().out


@pytest.mark.parametrize("module", [
    "match 1:\n    case bm: pass\n",
    "match 1:\n    case [bm]: pass\n",
    "match 1:\n    case {'k': bm}: pass\n",
    "match 1:\n    case int() as bm: pass\n",
    "match 1:\n    case {**bm}: pass\n",
    "match 1:\n    case [*bm]: pass\n",
    "match 1:\n    case str() | bm: pass\n",
    "try:\n    pass\nexcept* E as bm:\n    pass\n",
    "while True:\n    with x as (a, bm):\n        break\n",
    "def f(x=(bm := 1)):\n    pass\n",  # a default is evaluated at module level
    "class C((bm := object)):\n    pass\n",
    "x = [(bm := 1) for _ in r]\n",  # a walrus in a comprehension binds the module's name
    "def setup():\n    global bm\n    bm = None\nsetup()\n",
    "class C:\n    def m(self):\n        global bm\n        bm = 1\n",
    "import mylib.sub as bm\n",
    "from . import bm\n",
])
def test_every_module_level_binding_of_a_star_imported_module_counts(tmp_path, capsys, module):
    """Every name the module binds at its level, whatever binds it (collected from the
    module's syntax tree, not from a list of statement kinds)."""
    write(tmp_path, {"run.py": SCRIPT, "neuron_data_functions.py": module})
    assert migrate.main([str(tmp_path / "run.py")]) == 1
    assert (tmp_path / "run.py").read_text() == SCRIPT
    assert "may rebind `bm`" in capsys.readouterr().out


@pytest.mark.parametrize("module", [
    "bm: int\n",  # an annotation without a value binds nothing
    "x = [bm for bm in y]\n",  # a comprehension's own variable
    "def f(bm):\n    bm = 1\n    return bm\n",  # a function's locals
    "class C:\n    bm = 1\n",  # a class attribute
    "f = lambda bm: bm\n",
])
def test_a_name_bound_only_below_module_level_is_not_the_modules(tmp_path, module):
    write(tmp_path, {"run.py": SCRIPT, "neuron_data_functions.py": module})
    assert migrate.main(["--quiet", str(tmp_path / "run.py")]) == 0
    assert "g = brainpy_autograd.grad(f)\n" in (tmp_path / "run.py").read_text()
