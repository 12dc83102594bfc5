"""Environment compatibility: importing the library changes nothing global."""

from __future__ import annotations

import subprocess
import sys

import pytest

import brainpy_autograd as bpa


def run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.mark.parametrize("x64", [True, False])
def test_import_keeps_the_x64_flag(x64):
    code = (
        "import jax\n"
        f"jax.config.update('jax_enable_x64', {x64})\n"
        "import brainpy_autograd, brainstate, jax.numpy as jnp\n"
        "print(jax.config.jax_enable_x64, jnp.ones(1, dtype=float).dtype)"
    )
    assert run(code) == f"{x64} {'float64' if x64 else 'float32'}"


def test_import_sets_no_warning_filters():
    # jax and brainstate's dependencies add filters of their own when imported
    code = (
        "import warnings, jax, brainstate\n"
        "before = list(warnings.filters)\n"
        "import brainpy_autograd\n"
        "print(warnings.filters == before)"
    )
    assert run(code) == "True"


def test_install_without_brainpy_says_what_to_do(monkeypatch):
    monkeypatch.setitem(sys.modules, "brainpy", None)
    monkeypatch.setitem(sys.modules, "brainpy.math", None)
    with pytest.raises(ImportError, match="import grad, jacrev, ... from brainpy_autograd"):
        bpa.install()
    assert not bpa.is_installed()


# ---------------------------------------------------------------- the lazy package


def test_the_migration_command_starts_without_jax():
    code = ("import sys, brainpy_autograd.migrate\n"
            "assert 'jax' not in sys.modules and 'brainstate' not in sys.modules, "
            "sorted(m for m in sys.modules if m.startswith(('jax', 'brainstate')))\n"
            "print('ok')")
    assert run(code) == "ok"


def test_a_migration_run_imports_no_jax(tmp_path):
    (tmp_path / "m.py").write_text("import brainpy.math as bm\ng = bm.grad(f, dyn_vars=v)\n")
    code = ("import sys\nfrom brainpy_autograd import migrate\n"
            f"code = migrate.main(['--check', '--quiet', '-j', '1', {str(tmp_path)!r}])\n"
            "print(code, 'jax' in sys.modules)")
    assert run(code) == "1 False"


def test_importing_the_package_imports_no_jax_until_a_name_is_used():
    code = ("import sys, brainpy_autograd as bpa\n"
            "before = 'jax' in sys.modules\n"
            "grad = bpa.grad\n"
            "from brainpy_autograd._adapter._api import grad as defined\n"
            "print(before, 'jax' in sys.modules, grad is defined)")
    assert run(code) == "False True True"


def test_x64_enabled_after_import_but_before_first_use_is_kept():
    code = ("import brainpy_autograd as bpa\n"
            "import jax\n"
            "jax.config.update('jax_enable_x64', True)\n"
            "bpa.grad  # the lazy import: the x64 guard first, then brainstate\n"
            "import jax.numpy as jnp\n"
            "print(jax.config.jax_enable_x64, jnp.ones(1, dtype=float).dtype)")
    assert run(code) == "True float64"


def test_x64_enabled_after_importing_jax_and_the_package_is_kept():
    """JAX loaded first, then the package, then x64 on (as a migrated script does when
    its brainpy import loads JAX): the first transform still computes in float64."""
    code = ("import jax\n"
            "import brainpy_autograd as bpa\n"
            "jax.config.update('jax_enable_x64', True)\n"
            "import jax.numpy as jnp\n"
            "g = bpa.grad(lambda x: (x * x).sum())\n"
            "print(g(jnp.ones(2)).dtype, jax.config.jax_enable_x64)")
    assert run(code) == "float64 True"


def test_every_documented_public_name_resolves():
    import re
    from pathlib import Path

    api = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    documented = set(re.findall(r"brainpy_autograd\.([A-Za-z_]+)", api))
    modules = {"testing"}  # public subpackages, imported by name (not re-exported)
    for name in modules & documented:
        __import__(f"brainpy_autograd.{name}")
    documented -= modules
    assert documented <= set(bpa.__all__), documented - set(bpa.__all__)
    assert sorted(bpa.__all__) == sorted(bpa._LAZY)
    for name in bpa.__all__:
        value = getattr(bpa, name)
        module = __import__(f"brainpy_autograd.{bpa._LAZY[name][1:]}", fromlist=[name])
        assert value is getattr(module, name), name
    assert set(bpa.__all__) <= set(dir(bpa))
    namespace: dict = {}
    exec("from brainpy_autograd import *", namespace)
    assert set(bpa.__all__) <= set(namespace)
    with pytest.raises(AttributeError, match="has no attribute 'gradd'"):
        bpa.gradd  # noqa: B018


def test_help_and_version_work_on_the_lazy_package():
    import pydoc
    from importlib.metadata import version

    text = pydoc.render_doc(bpa, renderer=pydoc.plaintext)
    assert "grad(" in text and "LegacyArgumentWarning" in text
    assert bpa.__version__ == version("brainpy-autograd")


def test_the_name_tables_are_shared():
    from brainpy_autograd import _names
    from brainpy_autograd._adapter import _api, _legacy

    assert tuple(_api.TRANSFORMS) == _names.TRANSFORM_NAMES
    for alias, target in _names.ALIASES.items():
        assert _api.TRANSFORMS[alias] is _api.TRANSFORMS[target]
    assert _legacy.OLD_POSITIONAL_ORDER is _names.OLD_POSITIONAL_ORDER
    assert set(_names.OLD_POSITIONAL_ORDER) == {_names.ALIASES.get(n, n)
                                               for n in _names.TRANSFORM_NAMES}
