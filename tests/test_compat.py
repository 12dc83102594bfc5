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
