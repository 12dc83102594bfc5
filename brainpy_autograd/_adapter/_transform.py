"""The callable that every public transform returns, and its decorator form.

:class:`AutogradFunction` holds the user's function and the validated
:class:`~._options.Options` of one transform. Each call resolves ``argnums``
against the call's positional arguments, replaces States among the arguments
by their values, and forwards to the brainstate transform built once per
resolved ``argnums`` (:func:`._backend.build`). Un-jitted calls go through the
compiled-call engine (:mod:`._engine`), which replays and then compiles them.

A transform created without a function (``grad(argnums=1)``) is the plain
function :func:`decorator` returns, which takes the function and makes the
:class:`AutogradFunction`.

Replayed and compiled calls from several threads are serialised
(:func:`._engine.serialised`), the lock taken before any State is read; see
``docs/speed.md`` for exactly what concurrent calls guarantee.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._engine import CallStats, CompiledCalls, serialised
from .._types import Argnums, positions
from . import _backend
from ._check_call import resolve_argnums, unsupported_argument
from ._check_create import check_decorator_call
from ._options import Options, TransformSpec
from ._states import strip_states

__all__ = ["AutogradFunction", "Decorator", "decorator"]

#: What ``grad(argnums=1)`` & co. return: give it the function to differentiate.
Decorator = Callable[[Callable[..., Any]], "AutogradFunction"]


class AutogradFunction:
    """A differentiated function, as returned by :func:`brainpy_autograd.grad` & co.

    It is made by the transforms, never by hand (its constructor is internal).

    Calling it evaluates the derivatives and returns them laid out as the
    :ref:`return layout <return-layout>` table says.
    """

    __module__ = "brainpy_autograd"  # the public name users import and filter by

    def __init__(self, spec: TransformSpec, options: Options, func: Callable[..., Any]) -> None:
        self._spec = spec
        self._options = options
        self._func = func
        self._backends: dict[Argnums, Callable[..., Any]] = {}
        wanted = positions(options.argnums)
        #: argnums that need no per-call resolution (no negative position)
        self._fixed = all(a >= 0 for a in wanted)
        self._min_nargs = max(wanted, default=-1) + 1
        self._compiled = CompiledCalls(options.compiled)
        self.__wrapped__ = func
        self.__name__ = getattr(func, "__name__", type(func).__name__)
        self.__qualname__ = getattr(func, "__qualname__", self.__name__)
        self.__doc__ = getattr(func, "__doc__", None)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        resolved = self._resolve(args, kwargs)
        backend = self._backends.get(resolved)
        if backend is None:
            backend = self._backends[resolved] = _backend.build(
                self._spec, self._options, self._func, resolved)
        compiled = self._compiled
        try:
            if not compiled.applies():  # brainstate's own call, without the lock
                args, kwargs = strip_states(args, kwargs)
                return compiled.interpret(backend, args, kwargs)
            with serialised():  # taken before any State, argument or not, is read
                args, kwargs = strip_states(args, kwargs)
                return compiled.call(resolved, backend, args, kwargs)
        except TypeError as err:
            message = unsupported_argument(self._spec.name, args, kwargs)
            if message is not None:
                raise TypeError(message) from err
            raise

    def call_stats(self) -> CallStats:
        """How this transform's calls ran: compiled, replayed or interpreted.

        Returns
        -------
        CallStats
            ``calls``, ``compiled``, ``replayed`` and ``interpreted`` count the
            calls by path (see :doc:`speed`); ``signatures`` and ``programs`` say
            how many input signatures are held and how many of them run compiled;
            ``traces`` how many programs were traced; ``last_error`` why the last
            failed compilation or trace fell back (``None`` if none did).

        Examples
        --------
        >>> import jax.numpy as jnp
        >>> import brainpy_autograd as bpa
        >>> g = bpa.grad(lambda x: jnp.sum(x ** 2))
        >>> with bpa.compiled_calls(compile_at=2):
        ...     for _ in range(3):
        ...         _ = g(jnp.ones(3))
        >>> s = g.call_stats()
        >>> s.calls, s.replayed, s.compiled
        (3, 1, 2)
        """
        return self._compiled.stats()

    def _resolve(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Argnums:
        """``argnums`` for this call (negative positions counted from its end), checked."""
        argnums = self._options.argnums
        if argnums is None or (self._fixed and len(args) >= self._min_nargs):
            return argnums
        return resolve_argnums(self._spec.name, argnums, len(args), kwargs,
                               self._options.argnums_shown)

    def __repr__(self) -> str:
        options = self._options.shown
        return f"<{self._spec.name}({self._func!r}{', ' if options else ''}{options})>"


def decorator(spec: TransformSpec, options: Options) -> Decorator:
    """The decorator form of a transform: ``@grad(argnums=1)``.

    It takes only the function; anything else gets an error that says so.
    """

    def differentiate(*args: Any, **kwargs: Any) -> AutogradFunction:
        func = check_decorator_call(differentiate.__qualname__, spec.name, args, kwargs)
        return AutogradFunction(spec, options, func)

    differentiate.__name__ = differentiate.__qualname__ = f"{spec.name}({options.shown})"
    return differentiate
