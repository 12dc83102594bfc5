"""Every parameter of the five transforms, defined once: the option table.

An :class:`Option` holds a parameter's name, default, annotation, check,
documentation, the transforms that take it, and (when brainstate's transform
takes it as a keyword) its effect. Everything else is derived from
:data:`OPTIONS`:

- the signatures of the public functions (:func:`signature_of`: the positional
  parameters in :data:`POSITIONAL`'s order, then every other option the
  transform takes, keyword-only, in the table's order);
- their Parameters sections (:mod:`._docs` fills each ``doc`` with the
  transform's own words, ``%(result)s`` and the like);
- the checks at creation and the ``Options`` a transform keeps
  (:func:`._options.make_options`), and its ``repr``;
- the keywords passed on to ``brainstate.transform.<name>``
  (:func:`brainstate_flags`).

Adding an option is one entry here, its line in ``_api.Keywords`` (for type
checkers; a test checks that it agrees with this table) and, unless brainstate
takes it as a keyword, its effect in ``_backend.build``. See ARCHITECTURE.md.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .._checks import check_flag
from .._names import ALIASES

__all__ = ["Option", "OPTIONS", "POSITIONAL", "BY_NAME", "signature_of", "brainstate_flags"]

#: The transforms by their own names (the aliases are the same functions).
_ALL = frozenset({"grad", "vector_grad", "jacrev", "jacfwd", "hessian"})
assert not _ALL & set(ALIASES)


@dataclass(frozen=True)
class Option:
    """One parameter of the transforms."""

    name: str
    default: Any
    #: the annotation the public signature shows
    annotation: str
    #: the Parameters entry (indented as you like: it is read with ``inspect.cleandoc``):
    #: a ``name : type`` line, then the description indented by four spaces;
    #: ``%(word)s`` fields are filled per transform (``_docs.WORDS``)
    doc: str
    #: ``check(fname, name, value)`` returns the checked value or raises; None: the
    #: parameter is taken apart by ``make_options`` (func, grad_vars, argnums) or
    #: warned about by ``_legacy`` (``legacy=True``), and is not kept in ``Options``
    check: Callable[[str, str, Any], Any] | None = None
    #: the transforms that take it
    takes: frozenset[str] = _ALL
    #: the transforms whose brainstate function takes it as a keyword: there, a value
    #: other than the default is passed on (brainstate's default is the same)
    brainstate: frozenset[str] = frozenset()
    #: a BrainPy 2.x keyword, accepted with a warning and ignored
    legacy: bool = False


def _optional_flag(fname: str, name: str, value: Any) -> bool | None:
    return None if value is None else check_flag(fname, name, value)


_flag_or_none = functools.partial(check_flag, allow_none=True)

_LEGACY = "Accepted with a :class:`LegacyArgumentWarning` and ignored"

OPTIONS: tuple[Option, ...] = (
    Option("func", None, "Callable[..., Any] | None", """
        func : callable, optional
            The function to differentiate: a function, a lambda, a callable object, or a
            bound method of an object holding States (a BrainPy model or a
            ``brainstate.nn.Module``). %(output)s
            Leave it out to get a decorator: ``@%(name)s(argnums=1)``.
        """),
    Option("grad_vars", None, "GradVars | None", """
        grad_vars : State, or list/tuple/dict of States, optional
            States to differentiate with respect to%(twice)s. Any nesting of lists, tuples
            and dicts; %(layout)s. States the function reads or writes are found
            automatically; a ``grad_vars`` State the function never reads gets zeros.
        """),
    Option("argnums", None, "ArgnumsLike", """
        argnums : int or sequence of int, optional
            Positional arguments to differentiate with respect to%(twice)s. An int gives
            one %(block)s, a sequence %(blocks)s; negative positions count from the end of
            each call's positional arguments. Defaults to ``0`` without ``grad_vars`` and
            to none with it.
        """),
    Option("has_aux", None, "bool | None", """
        has_aux : bool, optional
            Whether ``func`` returns a pair ``(output, aux_data)``: only ``output`` is
            differentiated, and ``aux_data`` (any pytree) is returned beside the result,
            not differentiated. ``None`` (the default) means ``False``.
        """, check=_flag_or_none),
    Option("return_value", False, "bool", """
        return_value : bool, default False
            Also return the function's value (%(value)s) after the %(results)s.%(value_note)s
        """, check=check_flag),
    Option("holomorphic", False, "bool", """
        holomorphic : bool, default False
            Whether ``func`` is holomorphic (%(complex)s), as in ``jax.%(name)s``.
        """, check=check_flag, takes=_ALL - {"vector_grad"}, brainstate=_ALL - {"vector_grad"}),
    Option("allow_int", False, "bool", """
        allow_int : bool, default False
            Allow integer inputs, whose %(int_result)s ``float0``, as in
            ``jax.%(int_jax)s``%(int_note)s. Without it an integer input raises ``TypeError``.
        """, check=check_flag, takes=frozenset({"grad", "vector_grad", "jacrev"}),
           brainstate=frozenset({"grad", "jacrev"})),
    Option("compiled", None, "bool | None", """
        compiled : bool, optional
            Whether repeated un-jitted calls run as compiled programs. ``None`` (the
            default) follows the process-wide setting of
            :func:`brainpy_autograd.set_compiled_calls` (on unless switched off); ``True``
            compiles them whatever that setting says; ``False`` always interprets, as
            brainstate does.
        """, check=_optional_flag),
    Option("unit_aware", False, "bool", """
        unit_aware : bool, default False
            Differentiate functions of ``brainunit.Quantity`` values (arguments, and States
            holding quantities) with brainunit's autograd, so that %(units)s.
            A unit mismatch inside the function raises brainunit's own error.
        """, check=check_flag, brainstate=_ALL),
    Option("debug_nan", False, "bool", """
        debug_nan : bool, default False
            brainstate's NaN hunting: the %(result)s is evaluated equation by equation and
            the first primitive that produced a NaN is reported in an error. Such a
            transform always runs interpreted (``compiled=True`` with it raises
            ``ValueError``). Needs a brainstate whose ``GradientTransform`` takes
            ``debug_nan`` (0.5.4 and 0.6 do). For NaNs anywhere in JAX, see also
            ``jax.config.update("jax_debug_nans", True)``.
        """, check=check_flag, brainstate=_ALL),
    Option("dyn_vars", None, "Any", f"""
        dyn_vars : State, array, or list/tuple/dict of them, optional
            BrainPy 2.x's list of the variables that the function changes. {_LEGACY}: the
            States the function reads or writes are found automatically. Anything else
            inside it (a number, a string, ``None``, an object without variables) raises
            ``TypeError``.
        """, legacy=True),
    Option("child_objs", None, "Any", f"""
        child_objs : object, or list/tuple/dict of objects, optional
            BrainPy 2.x's list of the objects (models, modules) whose variables the
            function uses. {_LEGACY}, for the same reason as ``dyn_vars``. A number, a
            string or ``None`` inside it raises ``TypeError``.
        """, legacy=True),
    Option("reduce_axes", None, "Any", """
        reduce_axes : tuple, optional
            BrainPy 2.x's named axes to sum the gradient over. Only an empty tuple (or
            list) is still accepted, with a :class:`LegacyArgumentWarning`, and ignored;
            axis names raise ``ValueError`` (sum with ``jax.lax.psum`` inside the function
            instead), and a value of another type raises ``TypeError``.
        """, legacy=True),
)

BY_NAME: Mapping[str, Option] = {option.name: option for option in OPTIONS}

#: Each transform's positional parameters, in BrainPy 2.4+'s order. Frozen: a new
#: option is keyword-only (it comes after these, in the table's order).
POSITIONAL: Mapping[str, tuple[str, ...]] = {
    "grad": ("func", "grad_vars", "argnums", "holomorphic", "allow_int", "has_aux",
             "return_value"),
    "vector_grad": ("func", "grad_vars", "argnums", "return_value", "has_aux"),
    "jacrev": ("func", "grad_vars", "argnums", "has_aux", "return_value", "holomorphic",
               "allow_int"),
    "jacfwd": ("func", "grad_vars", "argnums", "has_aux", "return_value", "holomorphic"),
    "hessian": ("func", "grad_vars", "argnums", "has_aux", "holomorphic"),
}


@functools.cache
def signature_of(name: str) -> inspect.Signature:
    """The public signature of transform ``name``, derived from the table."""
    positional = POSITIONAL[name]
    keywords = [o.name for o in OPTIONS if name in o.takes and o.name not in positional]
    kinds: list[tuple[str, inspect._ParameterKind]] = [
        (n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in positional]
    kinds += [(n, inspect.Parameter.KEYWORD_ONLY) for n in keywords]
    return inspect.Signature(
        [inspect.Parameter(n, kind, default=BY_NAME[n].default,
                           annotation=BY_NAME[n].annotation) for n, kind in kinds],
        return_annotation="AutogradFunction | Decorator",
    )


def brainstate_flags(name: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The keywords for ``brainstate.transform.<name>``: the checked ``values`` (by option
    name) that brainstate takes there and that differ from the default."""
    return {o.name: values[o.name] for o in OPTIONS
            if name in o.brainstate and values[o.name] != o.default}
