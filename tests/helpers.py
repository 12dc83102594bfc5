"""Models, functions and checks that several test files share.

Test-local data stays in each file; what two files need lives here once (the
fixtures that use it are in ``conftest.py``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import settings
from oracle import SCALAR_TRANSFORMS

import brainpy_autograd as bpa

#: Examples per hypothesis test in the ``ci`` profile (``conftest.py``).
CI_EXAMPLES = 25
#: At most this many examples per hypothesis test in the ``dev`` profile.
DEV_EXAMPLES = 5
#: At most this many per test in ``ci-matrix``: CI's other environments (older and
#: newer stacks, the wheel) re-run the properties that py311-latest explores with the
#: full ``ci`` counts; there they check the stack, not the space of programs.
MATRIX_EXAMPLES = 6
#: The hypothesis profile the run uses (``conftest.py`` registers and loads them).
#: (unset or empty: ``ci``; ``conftest.py`` refuses an unknown name before collecting).
PROFILE = os.environ.get("BRAINPY_AUTOGRAD_PROFILE") or "ci"

#: Set to 1 (by CI's installed-wheel run) to require brainpy_autograd from site-packages.
EXPECT_INSTALLED = "BRAINPY_AUTOGRAD_EXPECT_INSTALLED"


def not_an_installed_copy(package_file: str, tree: Path, site_dirs: Iterable[str]) -> str | None:
    """Why the package whose ``__init__`` is ``package_file`` is not an installed copy.

    ``None`` when it lies in one of ``site_dirs`` (site-packages) and outside ``tree``,
    the source tree the tests run from; otherwise the reason, for the run to stop with.
    """
    path = Path(package_file).resolve()
    where = f"brainpy_autograd was imported from {path.parent}"
    if path.is_relative_to(tree.resolve()):
        return (f"{where}, inside the source tree {tree}, but {EXPECT_INSTALLED}=1 asks "
                f"for the installed wheel. Run the tests from a directory outside the "
                f"tree, with the wheel installed (not an editable install).")
    if not any(path.is_relative_to(Path(d).resolve()) for d in site_dirs):
        return (f"{where}, which is not a site-packages directory "
                f"({', '.join(sorted(site_dirs))}), but {EXPECT_INSTALLED}=1 asks for the "
                f"installed wheel.")
    return None


def ci_settings(n: int) -> settings:
    """``n`` examples in the ``ci`` profile, at most ``DEV_EXAMPLES`` in ``dev`` and
    ``MATRIX_EXAMPLES`` in ``ci-matrix``, and the active profile's own count otherwise
    (``thorough``)."""
    cap = {"ci": n, "dev": DEV_EXAMPLES, "ci-matrix": MATRIX_EXAMPLES}.get(PROFILE)
    return settings() if cap is None else settings(max_examples=min(n, cap))


@contextmanager
def compile_at_second_call() -> Iterator[None]:
    """Every signature replays its program at its first call and compiles at its second
    (the public hook ``compiled_calls(compile_at=2)``), so that a test reaches both
    paths at known calls whatever the program's size."""
    with bpa.compiled_calls(bpa.compiled_calls_enabled(), compile_at=2):
        yield


# ---------------------------------------------------------------- functions


def output_for(kind: str, y: Any, total: Callable[[Any], Any] = jnp.sum) -> Any:
    """``y`` summed (by ``total``) for the transforms that need a scalar output."""
    return total(y) if kind in SCALAR_TRANSFORMS else y


def for_kind(kind: str, fun: Callable[..., Any]) -> Callable[..., Any]:
    """``fun`` with its output summed when transform ``kind`` needs a scalar."""
    return lambda *args: output_for(kind, fun(*args))


class Model:
    """A BrainPy-style model that every transform can differentiate.

    It reads the parameter ``w`` (the ``grad_vars``), writes ``h`` (a trace of
    its inputs) and ``calls`` (a counter), and counts in ``python_calls`` how
    often its Python code ran (at trace time only). With ``aux=True`` it
    returns ``(output, {"h": h})``.
    """

    def __init__(self, kind: str, aux: bool = False) -> None:
        self.w = brainstate.ParamState(jnp.array([0.5, 1.5, -1.0], jnp.float32))
        self.h = brainstate.State(jnp.zeros(3, jnp.float32))
        self.calls = brainstate.State(jnp.float32(0.0))
        self.kind, self.aux = kind, aux
        self.python_calls = 0

    def __call__(self, x: Any) -> Any:
        self.python_calls += 1  # a Python side effect: runs when traced
        self.calls.value = self.calls.value + 1.0
        self.h.value = jnp.tanh(self.h.value + self.w.value * x)
        out = output_for(self.kind, jnp.sin(self.w.value * x) * self.h.value)
        return (out, {"h": self.h.value}) if self.aux else out


def pure_rate_loss(w: Any, xs: Any) -> Any:
    """The loss of a rate RNN ``h <- tanh(h @ w + x)`` from ``h = 0``, with ``jax.lax.scan``.

    The pure-JAX oracle of the State-based rate RNNs in the tests.
    """
    def step(h: Any, x: Any) -> tuple[Any, Any]:
        h = jnp.tanh(h @ w + x)
        return h, h

    _, hs = jax.lax.scan(step, jnp.zeros(w.shape[0], w.dtype), xs)
    return jnp.mean(hs ** 2)


# ------------------------------------------------------------------- checks


class StateSnapshot:
    """The values of some States now, to check later that nothing changed them."""

    def __init__(self, *states: brainstate.State) -> None:
        self.states = states
        self.values = [np.asarray(st.value) for st in states]

    def assert_untouched(self) -> None:
        """Each State holds a concrete array (no tracer) equal to its value back then."""
        for k, (st, before) in enumerate(zip(self.states, self.values)):
            value = st.value
            assert isinstance(value, jax.Array) and not isinstance(value, jax.core.Tracer), \
                f"State {k} holds {type(value).__name__}"
            np.testing.assert_array_equal(np.asarray(value), before)
