"""A program compiled to one XLA executable, and the check of where its outputs land.

The jaxpr's constants are passed to the executable on every call instead of being
baked in, so that a NumPy array the function captured and the caller changed in
place is read as it is now. Outputs that the jaxpr takes straight from a literal, a
constant or an input are not computed by XLA: they are put back as a replay gives
them (see :func:`._program._output_kinds`).

The first run checks that every computed output lands where a replay of the same
program put it (``placements``), or, with no replay watched, where a fresh array
lands (uncommitted, on the default device). A compiled program puts its outputs
where its committed inputs are, or where a ``device_put`` inside it says, while
brainstate's op-by-op call may put them elsewhere: such a program raises
:class:`Unplaceable`, and its signature is replayed from then on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax

from ._signature import placement

__all__ = ["Executable", "Stale", "Unplaceable"]


class Stale(Exception):
    """The compiled executable refused its inputs (it cannot run this call)."""


class Unplaceable(Exception):
    """A compiled executable would put an output elsewhere than the replay did."""


class Executable:
    """One program's executable (see the module docstring)."""

    __slots__ = ("_compiled", "_consts", "_outvars", "_computed", "_fixed", "_placements",
                 "_verified")

    def __init__(self, jaxpr: Any, consts: list[Any], flat: list[Any],
                 computed: Sequence[int], fixed: Sequence[tuple[int, str, Any]],
                 placements: list[Any] | None) -> None:
        def run(consts: list[Any], flat: list[Any]) -> list[Any]:
            outs = jax.core.eval_jaxpr(jaxpr, consts, *flat)
            return [outs[j] for j in computed]

        self._compiled = jax.jit(run).lower(consts, flat).compile()
        self._consts, self._outvars = consts, len(jaxpr.outvars)
        self._computed, self._fixed, self._placements = computed, fixed, placements
        self._verified = False

    def _check_placement(self, values: list[Any]) -> None:
        if self._placements is not None:
            wanted = [self._placements[j] for j in self._computed]
        else:
            wanted = [placement(jax.numpy.zeros(()))] * len(values)
        if [placement(v) for v in values] != wanted:
            raise Unplaceable("compiled, an output would land elsewhere than brainstate's "
                              "call puts it: this signature is replayed")
        self._verified = True

    def outputs(self, flat: list[Any]) -> list[Any]:
        """All the program's outputs for these flat inputs, as a replay orders them."""
        try:
            values = self._compiled(self._consts, flat)
        except (TypeError, ValueError) as err:  # inputs it was not compiled for
            raise Stale from err
        if not self._verified:
            self._check_placement(values)
        if not self._fixed:
            return list(values)
        outs: list[Any] = [None] * self._outvars
        for j, v in zip(self._computed, values):
            outs[j] = v
        consts = self._consts
        for j, kind, ref in self._fixed:
            outs[j] = ref if kind == "literal" else consts[ref] if kind == "const" else flat[ref]
        return outs
