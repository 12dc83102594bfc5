"""``assert_paths_agree``: one call of a transform, the same on every evaluation path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import brainstate
import jax
import jax.numpy as jnp

import brainpy_autograd

from .._checks import describe_value
from ._compare import first_difference
from ._save import Snapshot, states_touched
from ._validate import check_args

__all__ = ["assert_paths_agree"]

#: a compile_at that no test reaches: the signature replays its traced program
_NEVER = 2 ** 31 - 1
#: the paths, in the order they run (the first is the reference)
PATHS = ("interpreted", "replayed", "compiled", "jit", "vmap")


def assert_paths_agree(
    transform: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any] | None = None,
) -> dict[str, str]:
    """Check that one call of a transform gives the same on every evaluation path.

    ``transform(*args, **kwargs)`` is evaluated, each time from the same saved
    State values, on every path a user's code can take:

    - ``"interpreted"``: by brainstate, as with ``compiled=False``
      (under ``compiled_calls(False)``); the reference;
    - ``"replayed"``: the traced program replayed (the first calls of a signature);
    - ``"compiled"``: the compiled XLA program (``compile_at=1``);
    - ``"jit"``: inside ``brainstate.transform.jit``;
    - ``"vmap"``: inside ``jax.vmap``, over a batch of two copies of the
      arguments, when the call allows it: every argument is an array and the
      call writes no State (a State written under ``vmap`` would hold a batch)
      and can be batched (not a ``pure_callback`` without ``vmap_method``).
      Otherwise it is skipped, and the returned dict says why.

    Every path must return the same tree (container types, dict key order,
    namedtuple classes), the same leaf types, shapes, dtypes and weak types,
    (under ``jit`` and ``vmap`` dict keys may come in another order: JAX
    sorts the keys of a dict that a jitted function returns),
    values equal to the dtype's rounding (elementwise, with an absolute
    tolerance of at least ``rtol`` times the leaf's largest magnitude: a sum
    with cancellation rounds by its largest terms; a Python number may come out
    of ``jit`` and ``vmap`` as a weak-typed 0-d array), and leave every State the call
    touches (the random key included) with the same value. Afterwards every
    State holds what it held before.

    Parameters
    ----------
    transform : AutogradFunction
        A transform of this package (``brainpy_autograd.grad(f, ...)`` & co.)
        that has not yet run this call's signature compiled (a new one is
        simplest): a compiled signature can no longer be replayed.
    args : tuple
        The positional arguments of the call (write ``(x,)`` for one).
    kwargs : dict, optional
        Its keyword arguments.

    Returns
    -------
    dict of str to str
        For each path (``"interpreted"``, ``"replayed"``, ``"compiled"``,
        ``"jit"``, ``"vmap"``), ``"checked"`` or why it was not reached or
        skipped (for example a program with host callbacks is never compiled).

    Raises
    ------
    AssertionError
        A path differs from the interpreted one: the message names the path
        and where its result or a State differs.
    TypeError
        ``transform`` is not a transform of this package, ``args`` is not a
        tuple, or ``kwargs`` not a dict.
    ValueError
        The transform has already compiled this call's signature, or it was
        made with ``compiled=True`` (none of its calls is interpreted).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> import brainstate
    >>> import brainpy_autograd as bpa
    >>> from brainpy_autograd.testing import assert_paths_agree
    >>> w = brainstate.ParamState(jnp.array([0.5, -1.0]))
    >>> h = brainstate.State(jnp.zeros(2))
    >>> def loss(x):
    ...     h.value = h.value + w.value * x
    ...     return jnp.sum(jnp.sin(h.value))
    >>> paths = assert_paths_agree(bpa.grad(loss, grad_vars=w), (jnp.ones(2),))
    >>> paths["compiled"], paths["vmap"]
    ('checked', 'skipped: the call writes States')
    """
    if not callable(transform) or not callable(getattr(transform, "call_stats", None)):
        raise TypeError(f"assert_paths_agree(): transform must be a transform of this "
                        f"package (brainpy_autograd.grad(f, ...) & co.), got "
                        f"{describe_value(transform)}.")
    if kwargs is not None and not isinstance(kwargs, dict):
        raise TypeError(f"assert_paths_agree(): kwargs must be a dict or None, got "
                        f"{describe_value(kwargs)}.")
    args = check_args("assert_paths_agree", args, kwargs)
    kwargs = dict(kwargs or {})
    snapshot = Snapshot(states_touched(transform, args, kwargs, name="assert_paths_agree"))
    try:
        return _run_paths(transform, args, kwargs, snapshot)
    finally:
        snapshot.restore()


def _run_paths(transform: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
               snapshot: Snapshot) -> dict[str, str]:
    def call(path: str) -> tuple[Any, list[Any], str]:
        """The result, the States' values after it, and the path the engine took."""
        before = transform.call_stats()
        snapshot.restore()
        if path == "interpreted":
            with brainpy_autograd.compiled_calls(False):
                out = transform(*args, **kwargs)
        elif path in ("replayed", "compiled"):
            with brainpy_autograd.compiled_calls(True, compile_at=_NEVER if path == "replayed"
                                                 else 1):
                out = transform(*args, **kwargs)
        else:
            out = brainstate.transform.jit(transform)(*args, **kwargs)
        after = transform.call_stats()
        taken = [p for p in ("interpreted", "replayed", "compiled")
                 if getattr(after, p) > getattr(before, p)]
        return out, [s.value for s in snapshot.states], "".join(taken[:1]) or path

    report: dict[str, str] = {}
    want, want_states, taken = call("interpreted")
    if taken != "interpreted":
        raise ValueError("assert_paths_agree(): the transform was made with compiled=True, "
                         "so no call of it is interpreted; make it with compiled=None "
                         "(the default) to check every path.")
    report["interpreted"] = "checked"
    writes = any(v is not s for v, s in zip(want_states, snapshot.values))
    for path in ("replayed", "compiled", "jit"):
        out, states, taken = call(path)
        if path == "replayed" and taken == "compiled":
            raise ValueError("assert_paths_agree(): the transform has compiled this call's "
                             "signature already, so it can no longer replay it; pass a new "
                             "transform (brainpy_autograd.grad(f, ...) & co.).")
        if path != "jit" and taken != path:
            report[path] = f"not reached: this call ran {taken} (see call_stats())"
        else:
            report[path] = "checked"
        _assert_same(path, want, want_states, out, states, snapshot)
    report["vmap"] = _vmap_path(transform, args, kwargs, snapshot, want, writes)
    return report


def _assert_same(path: str, want: Any, want_states: list[Any], out: Any, states: list[Any],
                 snapshot: Snapshot) -> None:
    key_order = path != "jit"  # JAX sorts the keys of a dict that jit returns
    found = first_difference(want, out, "result", key_order)
    if found is None:
        for k, (state, a, b) in enumerate(zip(snapshot.states, want_states, states)):
            found = first_difference(a, b, _state_name(k, state), key_order)
            if found is not None:
                break
    if found is not None:
        raise AssertionError(f"assert_paths_agree: the {path} path differs from the "
                             f"interpreted one at {found} (interpreted first, {path} second)")


def _state_name(k: int, state: Any) -> str:
    name = getattr(state, "name", None)
    label = f" {name!r}" if name else ""
    return f"State {k}{label} ({type(state).__name__} of shape {jnp.shape(state.value)})"


def _vmap_path(transform: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
               snapshot: Snapshot, want: Any, writes: bool) -> str:
    if writes:
        return "skipped: the call writes States"
    leaves = jax.tree.leaves(args)
    if not leaves or not all(isinstance(x, jax.Array) or hasattr(x, "__array__")
                             for x in leaves):
        return "skipped: an argument is not an array"
    stacked = jax.tree.map(lambda x: jnp.stack([jnp.asarray(x)] * 2), args)
    snapshot.restore()
    try:
        batched = jax.vmap(lambda *a: transform(*a, **kwargs))(*stacked)
    except NotImplementedError as err:  # a pure_callback without vmap_method, ...
        first = str(err).strip().splitlines()[0] if str(err).strip() else ""
        return f"skipped: the call cannot be batched ({type(err).__name__}: {first})"
    finally:
        snapshot.restore()
    for i in (0, 1):
        one = jax.tree.map(lambda x, i=i: x[i], batched)
        found = first_difference(want, one, f"result (batch element {i})", key_order=False)
        if found is not None:
            raise AssertionError(f"assert_paths_agree: the vmap path differs from the "
                                 f"interpreted one at {found} (interpreted first, vmap "
                                 f"second)")
    return "checked"
