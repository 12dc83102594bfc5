"""Timing every implementation of a transform side by side.

The implementations (``IMPLEMENTATIONS``) and the measured modes (``MODES``)
are defined here, with :func:`measure`, which runs them interleaved within each
round so that drift of a shared machine hits them alike, and :func:`summarise`.
"""

from __future__ import annotations

import datetime
import importlib.util
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import brainstate
import jax
import numpy as np
from cases import Built, Case

import brainpy_autograd as bpa

BPA, BPA_INTERP, BST, BPM, JAX = (
    "brainpy_autograd", "brainpy_autograd[interp]", "brainstate", "brainpy.math", "jax")
#: every implementation, in the order tables show them
IMPLEMENTATIONS = (BPA, BPA_INTERP, BST, BPM, JAX)
MODES = ("first", "first-jit", "eager", "jit")


def available_implementations() -> list[str]:
    """The implementations this environment can run (brainpy.math needs BrainPy)."""
    has_brainpy = importlib.util.find_spec("brainpy") is not None
    return [i for i in IMPLEMENTATIONS if i != BPM or has_brainpy]


def transform_for(impl: str, kind: str, built: Built) -> Callable[..., Any]:
    """``impl``'s ``kind`` transform of the case's stateful loss (not for ``jax``)."""
    if impl == BPA:
        return getattr(bpa, kind)(built.loss, grad_vars=built.params)
    if impl == BPA_INTERP:
        return getattr(bpa, kind)(built.loss, grad_vars=built.params, compiled=False)
    if impl == BST:
        return getattr(brainstate.transform, kind)(built.loss, grad_states=built.params)
    if impl == BPM:
        import brainpy.math as bm

        return getattr(bm, kind)(built.loss, grad_vars=built.params)
    raise ValueError(impl)


def callable_for(impl: str, kind: str, built: Built, jit: bool) -> Callable[[], Any]:
    """A zero-argument call of ``impl``'s ``kind`` transform on ``built``."""
    if impl == JAX:
        f = getattr(jax, kind)(built.pure)
        if jit:
            f = jax.jit(f)
        values = {k: s.value for k, s in built.params.items()}
        return lambda: f(values, *built.args)
    t = transform_for(impl, kind, built)
    target = brainstate.transform.jit(t) if jit else t

    def call() -> Any:
        return target(*built.args)

    call.transform = t  # type: ignore[attr-defined]  # ours: how its calls ran (call_stats)
    return call


def applies(impl: str, mode: str) -> bool:
    """brainpy_autograd[interp] differs from the default only in steady eager calls."""
    return impl != BPA_INTERP or mode == "eager"


def time_once(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    jax.block_until_ready(fn())
    return time.perf_counter() - start


def time_per_call(fn: Callable[[], Any], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        jax.block_until_ready(fn())
    return (time.perf_counter() - start) / n


def _rotated(order: list[str], r: int) -> list[str]:
    return order[r % len(order):] + order[:r % len(order)]


def measure(case: Case, kind: str, mode: str, impls: list[str], rounds: int,
            first_rounds: int, budget: float, quick: bool) -> dict[str, list[float]]:
    """Seconds per call, one value per round, for every implementation."""
    samples: dict[str, list[float]] = {i: [] for i in impls if applies(i, mode)}
    order = list(samples)
    if mode.startswith("first"):
        # Eager first calls: round 0 is discarded, because JAX compiles one
        # executable per primitive and shape for op-by-op execution and caches
        # it, so whoever ran first would pay that for everyone. (Jitted first
        # calls compile whole programs, which nothing caches across rounds.)
        # The order rotates from round to round.
        skip = 0 if mode == "first-jit" else 1
        for r in range(first_rounds + skip):
            for impl in _rotated(order, r):
                built = case.build(kind, quick)
                seconds = time_once(callable_for(impl, kind, built, mode == "first-jit"))
                if r >= skip:
                    samples[impl].append(seconds)
        return samples
    calls = {}
    for impl in samples:
        fn = callable_for(impl, kind, case.build(kind, quick), mode == "jit")
        for _ in range(3):  # warm-up: trace, compile
            jax.block_until_ready(fn())
        if impl == BPA and mode == "eager":
            # Ours replays its program until the call the schedule gives, then runs it
            # compiled (docs/speed.md): call on until it does (by call 100 at the latest).
            while not fn.transform.call_stats().compiled:  # type: ignore[attr-defined]
                jax.block_until_ready(fn())
        single = time_per_call(fn, 1)
        calls[impl] = (fn, max(1, min(2000, int(budget / max(single, 1e-7)))))
    for r in range(rounds):
        for impl in _rotated(order, r):
            fn, n = calls[impl]
            samples[impl].append(time_per_call(fn, n))
    return samples


def summarise(samples: list[float]) -> dict[str, float]:
    """Median, spread (interquartile range / median) and number of rounds."""
    med = statistics.median(samples)
    q = np.percentile(samples, [25, 75]) if len(samples) > 1 else (med, med)
    return {"median_s": med, "spread": float((q[1] - q[0]) / med) if med else 0.0,
            "rounds": len(samples)}


def device_peak_bytes() -> int | None:
    """The device's peak memory so far, where the backend reports it."""
    stats = jax.devices()[0].memory_stats()
    if stats and "peak_bytes_in_use" in stats:
        return int(stats["peak_bytes_in_use"])
    return None


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def environment() -> dict[str, Any]:
    """What the run ran on: date, machine, versions, backend and devices."""
    info = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": _cpu_model(),
        "jax": jax.__version__,
        "brainstate": brainstate.__version__,
        "brainpy_autograd": bpa.__version__,
        "backend": jax.default_backend(),
        "devices": [d.device_kind for d in jax.devices()],
    }
    if importlib.util.find_spec("brainpy") is not None:
        import brainpy

        info["brainpy"] = brainpy.__version__
    return info
