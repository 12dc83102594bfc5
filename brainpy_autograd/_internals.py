"""Every private name of JAX and brainstate that this package uses, in one place.

Each is looked up through the most stable route first, with a fallback, and
never fails at import. When one is missing, the feature that needs it switches
itself off and the calls stay correct:

- ``trace_ctx``, looked up as ``brainstate._compatible_import.trace_ctx`` then
  ``jax._src.core.trace_ctx``: tells an un-jitted call from one inside
  jit/vmap/grad. Missing: every call is interpreted (compiled evaluation off),
  with identical results.
- ``brainstate._state.TRACE_CONTEXT``: the same, for brainstate's own traces.
  Missing: the same fallback.
- ``GradientTransform._format_state_grads`` (used by ``_backend``): lays out
  State gradients as ``grad_vars``. Missing: importing brainpy_autograd raises
  an ``ImportError`` that names the supported brainstate releases.

Checked against jax 0.8.0, 0.10.2 and 0.12.0 and brainstate 0.5.0, 0.5.4 and
0.6.0 (the versions CI installs). ``tests/test_internals.py`` removes each
name in turn and checks the fallback.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["jax_trace_ctx", "brainstate_trace_context", "outside_traces"]


def _attribute(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def _lookup_jax_trace_ctx() -> Any:
    # brainstate keeps its own import shim for this name (JAX moved it once, in 0.11).
    for module in ("brainstate._compatible_import", "jax._src.core"):
        ctx = _attribute(module, "trace_ctx")
        if ctx is not None and callable(getattr(ctx, "is_top_level", None)):
            return ctx
    return None


def _lookup_brainstate_trace_context() -> Any:
    ctx = _attribute("brainstate._state", "TRACE_CONTEXT")
    return ctx if hasattr(ctx, "state_stack") else None


#: ``jax._src.core.trace_ctx`` (or None when it cannot be found)
jax_trace_ctx: Any = _lookup_jax_trace_ctx()
#: ``brainstate._state.TRACE_CONTEXT`` (or None)
brainstate_trace_context: Any = _lookup_brainstate_trace_context()


def outside_traces() -> bool:
    """True when no JAX trace (jit, vmap, grad...) and no brainstate trace is active.

    False when that cannot be told (a private name above is missing):
    interpreting is always correct.
    """
    jax_ctx, bs_ctx = jax_trace_ctx, brainstate_trace_context
    if jax_ctx is None or bs_ctx is None:
        return False
    try:
        return bool(jax_ctx.is_top_level()) and not bs_ctx.state_stack
    except Exception:  # noqa: BLE001 - an internal changed shape: interpret
        return False
