"""The schedule: at which call of a signature its program is compiled.

A pure function of static facts: the traced program (:class:`._facts.Facts`),
the platform it runs on, and what this transform compiled before. It never
reads a clock or the machine's load, so one script takes the same path at the
same call on every run, and every process of a multi-controller JAX job
compiles at the same call (their collectives then pair up in the same
programs).

Until its program is compiled, a signature's calls *replay* the traced program
op by op: the same operations brainstate runs when it interprets a call, without
re-running JAX's differentiation in Python each time (5x to 100x cheaper than
brainstate's interpreted call on the benchmarks). Compiling costs XLA's time
once. The schedule compiles at the first call ``n`` at which the calls so far
have saved at least that much, counting only a conservative share of what
replaying saves over interpreting:

    n = 1 + ceil(compile_seconds / (SAVED_SHARE * replay_seconds))

with both costs estimated from the program's size on the reference machine (a
2-core x86-64 CPU; the constants are measured there, see benchmarks/RESULTS.md).
brainstate's interpreted call measured at least 2.7x a replay on every
benchmark, so ``SAVED_SHARE = 1.5`` keeps the total at or below interpreting
every call even where the estimates are off by a few tens of percent.
"""

from __future__ import annotations

import math

from ._facts import Facts

__all__ = ["compile_call", "compile_seconds", "replay_seconds", "AT_ONCE_MAX", "LATEST_CALL"]

#: XLA's time, estimated: a fixed part plus a power of the weighted equation count.
COMPILE_FIXED = 0.02
COMPILE_PER_EQUATION = 1e-3
COMPILE_EXPONENT = 1.2
#: A loop equation (scan, while) costs XLA as much as this many plain equations.
LOOP_WEIGHT = 50
#: A replay, estimated: a fixed part plus one dispatch per top-level equation.
REPLAY_FIXED = 1e-4
REPLAY_PER_EQUATION = 1e-4
#: XLA compiles for accelerators more slowly than for the CPU (an estimate: no
#: accelerator has been measured by this project yet).
PLATFORM_COMPILE_FACTOR = {"cpu": 1.0}
ACCELERATOR_COMPILE_FACTOR = 3.0
#: The share of a replay's cost counted as saved by each call (see the module doc).
SAVED_SHARE = 1.5
#: A new signature of a transform that has traced another signature before (its
#: shapes vary) is compiled at its first call when its weighted size is at most this:
#: as jax.jit does. Replaying it would compile every primitive for the new shapes
#: anyway, and keep each of those executables: memory grows about 4x jax.jit's.
AT_ONCE_MAX = 200
#: Every signature without host callbacks is compiled by this call at the latest.
LATEST_CALL = 100


def _weighted(facts: Facts) -> int:
    return facts.equations + LOOP_WEIGHT * facts.loops


def compile_seconds(facts: Facts, platform: str = "cpu") -> float:
    """XLA's estimated time to compile the program, on the reference machine."""
    factor = PLATFORM_COMPILE_FACTOR.get(platform, ACCELERATOR_COMPILE_FACTOR)
    return factor * (COMPILE_FIXED + COMPILE_PER_EQUATION * _weighted(facts) ** COMPILE_EXPONENT)


def replay_seconds(facts: Facts) -> float:
    """One replay's estimated time (dispatch only), on the reference machine."""
    return REPLAY_FIXED + REPLAY_PER_EQUATION * facts.top_level


def compile_call(facts: Facts, platform: str = "cpu", *, at_once: bool = False,
                 forced: int | None = None) -> int | None:
    """The call of a signature (1 = its first) that compiles its program; None: never.

    Parameters
    ----------
    facts
        The traced program's static facts.
    platform
        ``"cpu"``, ``"gpu"``, ``"tpu"``...: where the program runs.
    at_once
        Whether this transform has traced another signature before: then a
        small program is compiled at its first call.
    forced
        ``compiled_calls(compile_at=n)``: compile at call ``n`` whatever the size.

    Examples
    --------
    >>> from brainpy_autograd._engine._facts import Facts
    >>> small = Facts(equations=7, top_level=7, loops=0, callbacks=False)
    >>> compile_call(small), compile_call(small, at_once=True), compile_call(small, forced=3)
    (27, 1, 3)
    """
    if facts.callbacks:
        return None
    if forced is not None:
        return forced
    if at_once and _weighted(facts) <= AT_ONCE_MAX:
        return 1
    calls = math.ceil(compile_seconds(facts, platform) / (SAVED_SHARE * replay_seconds(facts)))
    return max(2, min(1 + calls, LATEST_CALL))
