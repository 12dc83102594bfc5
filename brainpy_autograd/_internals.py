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
- ``jax._src.config.trace_context``: the JAX settings that change what tracing
  produces (64-bit mode, the default device, the mesh...), exactly as ``jax.jit``
  keys its cache on them; part of every call signature. Missing: the signature
  uses ``(jax_default_device, jax_enable_x64)`` instead.
- ``GradientTransform._format_state_grads`` (replaced per instance by
  ``_backend.with_user_layout``): lays out State gradients as ``grad_vars``.
  Missing: there is no correct layout to fall back to, so a transform created
  *with* ``grad_vars`` raises an ``ImportError`` that names the supported
  brainstate releases; everything else (``argnums`` only) keeps working.

Checked against jax 0.8.0, 0.10.2 and 0.12.0 and brainstate 0.5.0, 0.5.4 and
0.6.0 (the versions CI installs). ``tests/package/test_internals.py`` removes each
name in turn and checks the fallback.
"""

from __future__ import annotations

import importlib
from typing import Any

import jax

__all__ = ["jax_trace_ctx", "brainstate_trace_context", "outside_traces", "trace_context",
           "has_state_grad_formatter", "check_state_grad_formatter"]


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


def _fallback_trace_context() -> Any:
    config: Any = jax.config
    return (config.jax_default_device, config.jax_enable_x64)


def _lookup_trace_context() -> Any:
    context = _attribute("jax._src.config", "trace_context")
    if not callable(context):
        return _fallback_trace_context
    try:
        hash(context())
    except Exception:  # noqa: BLE001 - a changed internal: use the two settings
        return _fallback_trace_context
    return context


#: ``jax._src.config.trace_context`` (or the fallback above): call it for the key
trace_context: Any = _lookup_trace_context()


def has_state_grad_formatter() -> bool:
    """Whether brainstate's ``GradientTransform._format_state_grads`` exists."""
    from brainstate.transform import GradientTransform

    return callable(getattr(GradientTransform, "_format_state_grads", None))


def check_state_grad_formatter(name: str) -> None:
    """Raise the documented error when ``grad_vars`` cannot be laid out."""
    if not has_state_grad_formatter():
        import brainstate

        raise ImportError(
            f"{name}(grad_vars=...) needs brainstate.transform.GradientTransform."
            f"_format_state_grads (brainstate 0.5.0 to 0.6.x), which brainstate "
            f"{brainstate.__version__} lacks. Install a supported brainstate, or a newer "
            f"brainpy-autograd. Transforms without grad_vars (argnums only) still work.")
