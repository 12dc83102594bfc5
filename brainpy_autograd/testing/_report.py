"""Comparing derivatives with finite differences, and saying where they disagree.

A failure names the input (the argument position, or the State by its path in
``grad_vars``), the transform and mode, the largest absolute and relative
errors and where they are, and the tolerance that was used. In float32 it adds
how to check in float64.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Mismatch", "compare", "message"]

FLOAT32_HINT = (
    "The check ran in {dtype}, where finite differences are noisy (the inputs and the "
    "output of f both round) and the tolerance is loose. To tell a wrong gradient from "
    "rounding, check in float64: build the model and its inputs inside "
    "`with brainpy_autograd.testing.enable_x64():` and call check_grads there.")


X64_ON_HINT = (
    "The check ran in {dtype} although x64 is on: the differentiated inputs or the "
    "output of f are {dtype} (made before `enable_x64()`, or with an explicit {dtype} "
    "dtype). Make the model and its inputs inside the block, in float64, to check to "
    "float64's precision.")


@dataclass
class Mismatch:
    """How one input's derivative (along a direction) differs from finite differences."""

    where: str  # the input's name, or "all inputs together"
    abs_error: float
    rel_error: float
    at: str  # the output leaf and index of the largest absolute error
    got: float
    want: float


def compare(got: Sequence[np.ndarray], want: Sequence[np.ndarray], out_names: Sequence[str],
            where: str, atol: float, rtol: float) -> Mismatch | None:
    """``None`` if ``|got - want| <= atol + rtol * |want|`` everywhere, else the worst error:
    a value that is not finite (on either side) first, then the largest absolute error."""
    worst: Mismatch | None = None
    failed = False
    for g, w, name in zip(got, want, out_names):
        g = np.asarray(g, np.float64).reshape(np.shape(w))
        w = np.asarray(w, np.float64)
        with np.errstate(invalid="ignore"):
            err = np.abs(g - w)
        bad = ~(err <= atol + rtol * np.abs(w))  # NaN counts as bad
        failed = failed or bool(bad.any())
        if err.size == 0:
            continue
        broken = ~(np.isfinite(g) & np.isfinite(w))
        flat = int(np.argmax(broken)) if broken.any() else int(np.argmax(err))
        index = np.unravel_index(flat, err.shape) if err.ndim else ()
        # relative: 0 where both are 0, inf where only the finite difference is 0
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(w != 0, err / np.abs(w), np.where(err == 0, 0.0, np.inf))
        rel_error = float(np.nanmax(rel)) if not np.isnan(rel).all() else float("nan")
        here = Mismatch(where, float(err[index]), rel_error,
                        f"{name}{[int(i) for i in index] if index else ''}",
                        float(g[index]), float(w[index]))
        if worst is None or _rank(here) > _rank(worst):
            here.rel_error = _larger(rel_error, worst.rel_error if worst else rel_error)
            worst = here
        else:
            worst.rel_error = _larger(worst.rel_error, rel_error)
    return worst if failed else None


def _rank(m: Mismatch) -> tuple[int, float]:
    """Not finite first, then by absolute error."""
    if not (np.isfinite(m.got) and np.isfinite(m.want)):
        return (1, 0.0)
    return (0, m.abs_error)


def _larger(a: float, b: float) -> float:
    """The larger of two relative errors, NaN only when both are."""
    return float(np.nanmax([a, b])) if not (np.isnan(a) and np.isnan(b)) else float("nan")


def message(what: str, mismatches: Sequence[Mismatch], atol: float, rtol: float, eps: float,
            dtype: str) -> str:
    """The failure message of one check (``what``: the transform, mode and order)."""
    lines = [f"check_grads: {what} disagrees with central finite differences for "
             + ", ".join(m.where for m in mismatches) + ":"]
    for m in mismatches:
        lines.append(
            f"  {m.where}: largest absolute error {m.abs_error:.3g} (at {m.at}: got "
            f"{m.got:.6g}, finite differences {m.want:.6g}), largest relative error "
            f"{m.rel_error:.3g}")
    if any(not np.isfinite(m.want) for m in mismatches):
        lines.append("  The finite differences are not finite: f is nan or inf at or near "
                     "the checked point (x +- eps * direction); check where f is finite.")
    elif any(not np.isfinite(m.got) for m in mismatches):
        lines.append("  The derivative is not finite (nan or inf) where the finite "
                     "differences are.")
    lines.append(f"  tolerance: atol={atol:g}, rtol={rtol:g} ({dtype}); finite-difference "
                 f"step eps={eps:g}; derivatives compared along random directions")
    if dtype != "float64":
        import jax

        x64 = bool(jax.config.jax_enable_x64)  # type: ignore[attr-defined]
        lines.append((X64_ON_HINT if x64 else FLOAT32_HINT).format(dtype=dtype))
    return "\n".join(lines)
