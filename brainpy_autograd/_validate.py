"""Every check of what a user passes, with messages in the user's terms.

Checks run as early as they can:

- when a transform is created: the keywords (:func:`unknown_keyword`), the
  callable, the flags, the type and values of ``argnums``, the leaves of
  ``grad_vars`` (:func:`not_a_state`, raised while :mod:`._grad_vars` walks
  it), what the BrainPy 2.x keywords hold and a call in BrainPy 2.2's
  positional form (for :mod:`._legacy`), ``debug_nan``, the function given
  to a decorator form; also :func:`check_positive_int` for
  :func:`~brainpy_autograd.set_compiled_calls`;
- when it is called: ``argnums`` against the call's positional arguments
  (:func:`resolve_argnums`), arguments brainstate cannot trace
  (:func:`unsupported_argument`);
- when brainstate traces the function (:class:`TraceChecks`): the dtypes of
  the differentiated inputs and the shape of the output,

so that every error is raised before brainstate or JAX see anything, and no
message mentions an internal argument offset or a tracer type.

Errors follow JAX's conventions: a value of the wrong type is a ``TypeError``
(as is an output that is not a scalar, or an integer input, as in
``jax.grad``); a value of the right type that is not allowed (a repeated or
out-of-range ``argnums``, a non-empty ``reduce_axes``) is a ``ValueError``.
"""

from __future__ import annotations

import difflib
import operator
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import jax
import numpy as np

from ._types import PYTHON_NUMBERS, Argnums, is_state, positions

if TYPE_CHECKING:
    from ._options import Options, TransformSpec

__all__ = [
    "STATES_ARE_FOUND",
    "describe_type",
    "describe_value",
    "check_callable",
    "unknown_keyword",
    "check_old_positional",
    "check_decorator_call",
    "check_flag",
    "check_positive_int",
    "check_compile_at",
    "check_debug_nan",
    "normalize_argnums",
    "not_a_state",
    "check_legacy_content",
    "check_reduce_axes",
    "resolve_argnums",
    "unsupported_argument",
    "check_inexact",
    "TraceChecks",
]

#: Why the BrainPy 2.x variable-listing keywords are no longer needed.
STATES_ARE_FOUND = "brainpy_autograd finds every State the function reads or writes by itself"


# ------------------------------------------------------------ describing values


def describe_type(value: Any) -> str:
    """A short, readable name for the type of ``value`` (for error messages)."""
    cls = type(value)
    module = cls.__module__
    if module in ("builtins", None):
        return cls.__qualname__
    if module.startswith(("jax.", "jaxlib")):
        # Concrete arrays and tracers alike: never show a tracer's class name.
        return "jax.Array" if hasattr(value, "dtype") else cls.__qualname__
    return f"{module.split('.')[0]}.{cls.__qualname__}"


def describe_value(value: Any) -> str:
    """``'an int (3)'``, ``'a jax.Array of shape (2,) and dtype float32'``, ...

    Only plain scalars and strings are shown by their repr; containers and
    other objects are summarised, so a message never shows a tracer.
    """
    if value is None:
        return "None"
    name = describe_type(value)
    article = "an" if name[:1].lower() in "aeiou" else "a"
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if shape is not None and dtype is not None:
        return f"{article} {name} of shape {tuple(shape)} and dtype {dtype}"
    if isinstance(value, (tuple, list)):
        return f"{article} {name} of {len(value)} element{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        keys = list(value)
        shown = ", ".join(repr(k) for k in keys[:5]) + (", ..." if len(keys) > 5 else "")
        return f"{article} {name} with keys [{shown}]"
    if isinstance(value, (str, bytes, np.generic, *PYTHON_NUMBERS)):
        text = repr(value)
        if len(text) > 60:
            text = text[:57] + "..."
        return f"{article} {name} ({text})"
    return f"{article} {name}"


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


# ------------------------------------------------------- when a transform is made


def check_callable(fname: str, func: Any) -> None:
    """Raise ``TypeError`` unless ``func`` can be called."""
    if callable(func):
        return
    hint = ""
    if _is_int(func):
        hint = f" To choose the differentiated argument, write {fname}(f, argnums={func!r})."
    elif isinstance(func, (list, tuple, dict)) or is_state(func):
        hint = f" To differentiate States, write {fname}(f, grad_vars=...)."
    raise TypeError(
        f"{fname}() differentiates a function, but func is {describe_value(func)}, "
        f"which is not callable.{hint}"
    )


def unknown_keyword(fname: str, name: str, known: tuple[str, ...]) -> TypeError:
    """The error for keyword ``name``, which ``fname`` does not take: it suggests the closest."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return TypeError(
        f"{fname}() got an unexpected keyword argument {name!r}.{hint} "
        f"Valid keywords: {', '.join(known)}."
    )


def check_old_positional(
    fname: str, old_order: tuple[str, ...], args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> None:
    """A call read with BrainPy 2.2's positional order ``old_order`` must fit it."""
    if len(args) > len(old_order):
        raise TypeError(
            f"{fname}() takes at most {len(old_order)} positional arguments in its "
            f"BrainPy 2.2 form {fname}({', '.join(old_order)}), but {len(args)} were given."
        )
    for name in old_order[: len(args)]:
        if name in kwargs:
            raise TypeError(
                f"{fname}() got multiple values for argument {name!r} (read with the "
                f"BrainPy 2.2 positional order {fname}({', '.join(old_order)}))."
            )


def check_decorator_call(form: str, fname: str, args: tuple[Any, ...],
                         kwargs: Mapping[str, Any]) -> Any:
    """The function given to a decorator form (``form``, e.g. ``grad(argnums=1)``)."""
    if len(args) != 1 or kwargs:
        raise TypeError(
            f"{form} is waiting for the function to differentiate: use it as a decorator "
            f"(@{fname}(...)) or call it with the function only ({fname}(...)(f))."
        )
    check_callable(fname, args[0])
    return args[0]


def check_flag(fname: str, name: str, value: Any, *, allow_none: bool = False) -> bool:
    """Return ``value`` as a ``bool``; raise ``TypeError`` for anything but a bool."""
    if value is None and allow_none:
        return False
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    expected = "True, False or None" if allow_none else "True or False"
    raise TypeError(f"{fname}(): {name} must be {expected}, got {describe_value(value)}.")


def check_positive_int(fname: str, name: str, value: Any) -> int:
    """Return ``value`` if it is an int >= 1; raise ``ValueError`` otherwise."""
    if not _is_int(value) or value < 1:
        raise ValueError(f"{fname}(): {name} must be a positive int, got {value!r}.")
    return operator.index(value)


def check_compile_at(fname: str, value: Any) -> int | None:
    """``compile_at``: an int >= 1, or ``"auto"`` (returned as ``None``: the schedule)."""
    if isinstance(value, str) and value == "auto":
        return None
    if not _is_int(value):
        raise TypeError(f"{fname}(): compile_at must be a positive int or 'auto', "
                        f"got {describe_value(value)}.")
    if value < 1:
        raise ValueError(f"{fname}(): compile_at must be a positive int (1 compiles at the "
                         f"first call) or 'auto', got {value!r}.")
    return operator.index(value)


def check_debug_nan(fname: str, compiled: bool | None) -> None:
    """``debug_nan=True`` needs brainstate's support, and the interpreted path."""
    import inspect

    import brainstate
    from brainstate.transform import GradientTransform

    if "debug_nan" not in inspect.signature(GradientTransform.__init__).parameters:
        raise ValueError(
            f"{fname}(): debug_nan=True needs a brainstate whose GradientTransform takes "
            f"debug_nan (0.5.4 and 0.6 do); brainstate {brainstate.__version__} does not. "
            f"Upgrade brainstate, or use jax.config.update('jax_debug_nans', True).")
    if compiled:
        raise ValueError(
            f"{fname}(): debug_nan=True evaluates the gradient equation by equation, so it "
            f"cannot run compiled; drop compiled=True.")


def normalize_argnums(fname: str, argnums: Any) -> Argnums:
    """Check the type of ``argnums`` when the transform is created.

    An int stays an int (one gradient); any sequence becomes a tuple (a tuple
    of gradients). Negative positions are kept: they are resolved against the
    number of positional arguments at each call, as ``jax.grad`` does.
    """
    if argnums is None:
        return None
    if _is_int(argnums):
        return operator.index(argnums)
    if isinstance(argnums, (str, bytes, Mapping)) or not isinstance(argnums, Sequence):
        raise TypeError(
            f"{fname}(): argnums must be an int or a sequence of ints, got "
            f"{describe_value(argnums)}."
        )
    chosen = []
    for i, a in enumerate(argnums):
        if not _is_int(a):
            raise TypeError(
                f"{fname}(): argnums must be an int or a sequence of ints, but "
                f"argnums[{i}] is {describe_value(a)} (argnums={argnums!r})."
            )
        chosen.append(operator.index(a))
    if not chosen:
        raise ValueError(
            f"{fname}(): argnums={argnums!r} is empty, so there is nothing to "
            f"differentiate. Give at least one position, or leave argnums out to "
            f"differentiate grad_vars only."
        )
    seen: set[int] = set()
    for a in chosen:
        if a in seen:
            raise ValueError(
                f"{fname}(): argnums={argnums!r} lists position {a} more than once; "
                f"each positional argument can be differentiated only once."
            )
        seen.add(a)
    return tuple(chosen)


def not_a_state(node: Any, path: str, *, cycle: bool = False) -> TypeError:
    """The error for a ``grad_vars`` leaf at ``path`` (``"grad_vars['w']"``) that is no State.

    ``cycle``: the leaf is a container that holds itself.
    """
    if cycle:
        return TypeError(f"{path} contains itself; grad_vars must be a tree of States.")
    if isinstance(node, (set, frozenset)):
        return TypeError(
            f"{path} is a {type(node).__name__}, which has no order, so its gradients "
            f"could not be matched to its members. Use a list, tuple or dict of States."
        )
    what = "None" if node is None else f"a {describe_type(node)}"
    return TypeError(
        f"{path} is {what}, not a State. grad_vars can only hold States (or lists, "
        f"tuples and dicts of them), because the transform differentiates the values "
        f"that the function reads from them. Wrap the value, e.g. "
        f"brainstate.ParamState(value) (bm.TrainVar(value) in BrainPy), and read it "
        f"through .value in the function; or pass the array as an argument and list "
        f"its position in argnums."
    )


#: what each ignored BrainPy 2.x keyword may hold, as its error message says it
_LEGACY_CONTENT = {
    "dyn_vars": (False, "States or arrays"),
    "child_objs": (True, "objects such as BrainPy models or brainstate Modules"),
}


def check_legacy_content(fname: str, keyword: str, value: Any) -> None:
    """``dyn_vars``/``child_objs`` are ignored, but junk in them is still a mistake."""
    allow_objects, holds = _LEGACY_CONTENT[keyword]
    bad = _find_junk(value, keyword, allow_objects=allow_objects)
    if bad is not None:
        path, leaf = bad
        raise TypeError(
            f"{fname}(): {path} is {describe_value(leaf)}; {keyword} (deprecated, and "
            f"ignored) may only hold {holds}. Remove {keyword}=... altogether: "
            f"{STATES_ARE_FOUND}."
        )


def _find_junk(value: Any, path: str, *, allow_objects: bool) -> tuple[str, Any] | None:
    """The first leaf that cannot be a legacy variable/object, with its path."""
    if is_state(value):
        return None
    if isinstance(value, dict):
        items: Any = ((f"{path}[{k!r}]", v) for k, v in value.items())
    elif isinstance(value, (list, tuple)):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    elif value is None or isinstance(value, (str, bytes, *PYTHON_NUMBERS)):
        return path, value
    elif hasattr(value, "shape") and hasattr(value, "dtype"):
        return None  # an array (BrainPy 2.1 allowed plain JaxArrays in dyn_vars)
    elif allow_objects or hasattr(value, "vars") or hasattr(value, "states"):
        return None  # a BrainPy object or brainstate Module
    else:
        return path, value
    for child_path, child in items:
        found = _find_junk(child, child_path, allow_objects=allow_objects)
        if found is not None:
            return found
    return None


def check_reduce_axes(fname: str, reduce_axes: Any) -> None:
    """Only an empty ``reduce_axes`` is still accepted; say what replaces the rest."""
    if isinstance(reduce_axes, (tuple, list)) and len(reduce_axes) == 0:
        return
    if isinstance(reduce_axes, (str, tuple, list)):
        first = reduce_axes if isinstance(reduce_axes, str) else reduce_axes[0]
        raise ValueError(
            f"{fname}(reduce_axes={reduce_axes!r}) is no longer supported: JAX removed "
            f"reduce_axes from jax.grad and jax.vjp, so the gradient can no longer be "
            f"summed over a named axis by the transform. Sum inside the loss instead, "
            f"e.g. `loss = jax.lax.psum(loss, {first!r})` (or "
            f"jax.lax.pmean for a mean) inside jax.shard_map/jax.vmap with that axis "
            f"name, and drop reduce_axes. The README's 'Beyond one device' section "
            f"shows the recipe."
        )
    raise TypeError(
        f"{fname}(): reduce_axes must be a tuple of axis names (and only the empty "
        f"tuple is still accepted), got {describe_value(reduce_axes)}."
    )


# --------------------------------------------------------------- at each call


def resolve_argnums(
    fname: str,
    argnums: int | tuple[int, ...],
    nargs: int,
    kwargs: Mapping[str, Any],
    shown: str,
) -> int | tuple[int, ...]:
    """Map negative positions onto a call with ``nargs`` positional arguments.

    Raises ``ValueError`` when a position is out of range or two positions name
    the same argument, quoting the user's ``argnums`` (``shown``, as they wrote
    it) and ``nargs``.
    """
    resolved: list[int] = []
    for a in positions(argnums):
        r = a + nargs if a < 0 else a
        if not 0 <= r < nargs:
            resolved_note = f" (argnums {a} counts from the end)" if a < 0 else ""
            kw_note = ""
            if kwargs:
                names = ", ".join(sorted(kwargs))
                kw_note = (
                    f" Arguments passed by keyword ({names}) cannot be differentiated; "
                    f"pass the argument positionally."
                )
            raise ValueError(
                f"{fname}(): argnums={shown} asks for positional argument "
                f"{a}{resolved_note}, but the function was called with {nargs} positional "
                f"argument{'s' if nargs != 1 else ''}.{kw_note}"
            )
        resolved.append(r)
    if len(set(resolved)) != len(resolved):
        raise ValueError(
            f"{fname}(): argnums={shown} names the same positional "
            f"argument twice in a call with {nargs} positional arguments (negative "
            f"positions count from the end). Each argument can be differentiated once."
        )
    return resolved[0] if isinstance(argnums, int) else tuple(resolved)


def unsupported_argument(fname: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    """Explain an argument that brainstate cannot trace (a str, an object...), if any."""
    named = [(f"positional argument {i}", a) for i, a in enumerate(args)]
    named += [(f"keyword argument {k!r}", v) for k, v in kwargs.items()]
    for what, value in named:
        for path, leaf in jax.tree_util.tree_flatten_with_path(value)[0]:
            if hasattr(leaf, "dtype") or isinstance(leaf, PYTHON_NUMBERS):
                continue
            return (
                f"{fname}(): {what}{jax.tree_util.keystr(path)} is "
                f"{describe_value(leaf)}. brainstate traces every argument as an array, "
                f"so arguments must be arrays, numbers, or lists/tuples/dicts of them. "
                f"Pass other values through a closure or functools.partial, e.g. "
                f"{fname}(functools.partial(f, mode=...))."
            )
    return None


# ------------------------------------------------------- while brainstate traces


def check_inexact(
    fname: str, what: str, value: Any, *, allow_int: bool, int_fix: str
) -> None:
    """Raise ``TypeError`` if a differentiated input has an integer or bool dtype.

    ``what`` names the input in the user's terms (``"positional argument 1"``,
    ``"grad_vars['w']"``); ``int_fix`` says what to do about it.
    """
    if allow_int:
        return
    leaves, _ = jax.tree_util.tree_flatten_with_path(value)
    for path, leaf in leaves:
        dtype = getattr(leaf, "dtype", None)
        if dtype is None:
            dtype = np.result_type(leaf) if isinstance(leaf, PYTHON_NUMBERS) else None
        if dtype is None or jax.numpy.issubdtype(dtype, jax.numpy.inexact):
            continue
        where = what + jax.tree_util.keystr(path)
        raise TypeError(
            f"{fname}(): {where} has dtype {np.dtype(dtype).name}, but derivatives are only "
            f"defined for floating-point or complex inputs. {int_fix}"
        )


class TraceChecks:
    """The checks that run while brainstate traces the function, before JAX differentiates.

    :meth:`inputs` checks the dtypes of the differentiated arguments
    (``resolved`` positions) and ``grad_vars`` States; :meth:`output` checks
    the ``(output, aux)`` pair of ``has_aux`` and the scalar output of
    ``grad``/``hessian``.
    """

    __slots__ = ("spec", "options", "positions")

    def __init__(self, spec: TransformSpec, options: Options, resolved: Argnums) -> None:
        self.spec = spec
        self.options = options
        self.positions = positions(resolved)

    @property
    def needs_input_check(self) -> bool:
        return not (self.options.allow_int and self.spec.supports_allow_int)

    def inputs(self, args: tuple[Any, ...]) -> None:
        spec, opts = self.spec, self.options
        for i in self.positions:
            check_inexact(spec.name, f"positional argument {i}", args[i],
                          allow_int=False, int_fix=spec.int_fix)
        for st, path in zip(opts.states, opts.paths):
            check_inexact(spec.name, path, st.value, allow_int=False, int_fix=spec.int_fix)

    def output(self, out: Any) -> None:
        spec, opts = self.spec, self.options
        value = out
        if opts.has_aux:
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise TypeError(
                    f"{spec.name}(has_aux=True) expects the function to return a pair "
                    f"(output, aux_data), but it returned {describe_value(out)}. Return "
                    f"`output, aux` (aux can be any pytree, e.g. a dict), or set has_aux=False."
                )
            value = out[0]
        if not spec.scalar_output:
            return
        shape = getattr(value, "shape", None)
        if shape is None and isinstance(value, (np.generic, *PYTHON_NUMBERS)):
            shape = ()
        if shape is not None and tuple(shape) == ():
            return
        hint = spec.nonscalar_hint
        if not opts.has_aux and isinstance(value, (tuple, list)) and len(value) == 2:
            hint = (
                "If the function returns (output, aux_data), pass has_aux=True. Otherwise "
                + hint[0].lower() + hint[1:]
            )
        if shape is not None:  # JAX's own wording first, which BrainPy code may match
            first = f"Output had shape: {tuple(shape)}."
        else:
            first = f"The function returned {describe_value(value)}."
        raise TypeError(
            f"Gradient only defined for scalar-output functions. {first} {spec.name}() "
            f"differentiates a function with a scalar output. {hint}"
        )
