"""The speed targets, evaluated on one run's results: reported, never asserted.

Each target is a function registered with :func:`target`, which reads the
run's medians through :class:`Medians` and returns its report lines. The
thresholds are the named constants below.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

from harness import BPA, BPA_INTERP, BPM, BST, JAX, MODES

#: brainpy_autograd over calling brainstate directly, in every mode (ratio)
ADAPTER_OVERHEAD = 1.03
#: ``brainstate.jit`` of ours over ``jax.jit`` of the pure function, steady state (ratio)
JIT_OVERHEAD = 1.02
#: the un-jitted target's case and transform
UNJITTED_CASE, UNJITTED_KIND = "mlp", "grad"
#: how much faster ours must be there than BrainPy's (or brainstate's) un-jitted call
UNJITTED_SPEEDUP = 50.0
#: and how close to ``jax.jit(jax.grad)`` (ratio)
UNJITTED_VS_JIT = 1.5


class Medians:
    """The run's rows by ``(case, kind, mode)``, with each implementation's statistics."""

    def __init__(self, results: dict[str, Any]) -> None:
        self.rows: dict[tuple[str, str, str], dict[str, Any]] = {
            (r["case"], r["kind"], r["mode"]): r["stats"] for r in results["rows"]}

    def get(self, case: str, kind: str, mode: str, impl: str) -> Any:
        """The median in seconds, or None where it was not measured."""
        return self.rows.get((case, kind, mode), {}).get(impl, {}).get("median_s")

    def pairs(self, mode: str, *impls: str) -> list[tuple[str, str]]:
        """``(case, kind)`` of the rows of ``mode`` that measured all of ``impls``."""
        return [(c, k) for (c, k, m_), stats in self.rows.items()
                if m_ == mode and all(i in stats for i in impls)]


Target = Callable[[Medians], list[str]]
TARGETS: list[Target] = []


def target(check: Target) -> Target:
    """Register ``check`` (reported in the order of this file)."""
    TARGETS.append(check)
    return check


def evaluate(results: dict[str, Any]) -> list[str]:
    """Every registered target's report lines for ``results``."""
    medians = Medians(results)
    return [line for check in TARGETS for line in check(medians)]


@target
def adapter_overhead(m: Medians) -> list[str]:
    out = []
    for mode in MODES:
        ours = BPA_INTERP if mode == "eager" else BPA
        rows = [(s[ours]["median_s"] / s[BST]["median_s"], c, k, s[ours]["spread"],
                 s[BST]["spread"]) for (c, k, m_), s in m.rows.items()
                if m_ == mode and ours in s and BST in s]
        if not rows:
            continue
        ratios = sorted(r[0] for r in rows)
        above = [f"{c} {k} {100 * (r - 1):+.1f}% (spreads {100 * a:.0f}%/{100 * b:.0f}%)"
                 for r, c, k, a, b in rows if r > ADAPTER_OVERHEAD]
        out.append(f"{ours} vs brainstate, {mode}: median "
                   f"{100 * (statistics.median(ratios) - 1):+.1f}%, max "
                   f"{100 * (ratios[-1] - 1):+.1f}% -> target <= "
                   f"{100 * (ADAPTER_OVERHEAD - 1):+.0f}% "
                   + ("met in every case" if not above else "above it: " + "; ".join(above)))
    return out


@target
def jit_overhead(m: Medians) -> list[str]:
    out = []
    for case, kind in m.pairs("jit", BPA, JAX):
        ours, jax_t = m.get(case, kind, "jit", BPA), m.get(case, kind, "jit", JAX)
        bst = m.get(case, kind, "jit", BST)
        same = f", brainstate.jit(brainstate) {bst / jax_t:.3f}x" if bst else ""
        out.append(f"jit {case} {kind}: ours {ours / jax_t:.3f}x jax.jit "
                   f"({1e6 * (ours - jax_t):+.0f} us per call{same}) -> target <= "
                   f"{JIT_OVERHEAD:.2f}x {'met' if ours / jax_t <= JIT_OVERHEAD else 'missed'}")
    return out


@target
def compiled_unjitted_calls(m: Medians) -> list[str]:
    return [f"un-jitted {case} {kind}: ours (compiled) "
            f"{m.get(case, kind, 'eager', BPA) / m.get(case, kind, 'jit', JAX):.2f}x jax.jit, "
            f"{m.get(case, kind, 'eager', BST) / m.get(case, kind, 'eager', BPA):.0f}x faster "
            f"than brainstate's un-jitted call"
            for case, kind in m.pairs("eager", BPA, BST) if m.get(case, kind, "jit", JAX)]


@target
def unjitted_speedup(m: Medians) -> list[str]:
    c, k = UNJITTED_CASE, UNJITTED_KIND
    ours, jit = m.get(c, k, "eager", BPA), m.get(c, k, "jit", JAX)
    bpm, bst = m.get(c, k, "eager", BPM), m.get(c, k, "eager", BST)
    slower = bpm or bst
    if not (ours and jit and slower):
        return []
    label = f"brainpy.math.{k}" if bpm else f"brainstate.transform.{k} (BrainPy absent)"
    fast_enough = slower / ours >= UNJITTED_SPEEDUP
    close_enough = ours / jit <= UNJITTED_VS_JIT
    return [f"{c.upper()} un-jitted {k}: {slower / ours:.0f}x faster than {label} "
            f"(target >= {UNJITTED_SPEEDUP:.0f}x: {'met' if fast_enough else 'MISSED'}); "
            f"{ours / jit:.2f}x jax.jit(jax.{k}) "
            f"(target <= {UNJITTED_VS_JIT}x: {'met' if close_enough else 'MISSED'})"]
