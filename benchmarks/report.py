"""Writing a run's results: the console table, RESULTS.md's markdown section, JSON.

A run's results are a dict: ``environment``, ``quick``, ``rows`` (one per
case, transform and mode, with each implementation's statistics),
``programs`` (:mod:`programs`) and, where the device reports it,
``device_peak_bytes``. JSON holds it as it is, so that :func:`load` can
report an earlier run again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness import BST, IMPLEMENTATIONS, JAX
from programs import describe
from targets import evaluate


def fmt_time(s: float) -> str:
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.1f} us"


def implementations_in(results: dict[str, Any]) -> list[str]:
    """The implementations a run measured, in table order."""
    return [i for i in IMPLEMENTATIONS if any(i in r["stats"] for r in results["rows"])]


def table_rows(results: dict[str, Any]) -> Iterator[list[tuple[str, ...]]]:
    """Per measured row, the table cells of each implementation in it: case, kind,
    mode, implementation, median, spread, ratio to brainstate, ratio to JAX."""
    impls = implementations_in(results)
    for row in results["rows"]:
        stats = row["stats"]
        base_bs = stats.get(BST, {}).get("median_s")
        base_jax = stats.get(JAX, {}).get("median_s")
        group = []
        for impl in impls:
            if impl not in stats:
                continue
            med = stats[impl]["median_s"]
            group.append((row["case"], row["kind"], row["mode"], impl, fmt_time(med),
                          f"{stats[impl]['spread'] * 100:.1f}%",
                          f"{med / base_bs:.3f}" if base_bs else "-",
                          f"{med / base_jax:.3f}" if base_jax else "-"))
        yield group


def console(results: dict[str, Any]) -> list[str]:
    """The table, the compiled-program comparison and the targets, for a terminal."""
    header = (f"{'case':<16} {'kind':<8} {'mode':<9} {'implementation':<25} {'median':>10} "
              f"{'spread':>7} {'/brainstate':>11} {'/jax':>8}")
    lines = [header, "-" * len(header)]
    for group in table_rows(results):
        for case, kind, mode, impl, med, spread, r_bs, r_jax in group:
            lines.append(f"{case:<16} {kind:<8} {mode:<9} {impl:<25} {med:>10} {spread:>7} "
                         f"{r_bs:>11} {r_jax:>8}")
        lines.append("")
    if results.get("programs"):
        lines.append("Compiled programs, brainstate.jit(brainpy_autograd.grad) vs "
                     "jax.jit(jax.grad):")
        lines += [f"  {name:<16} {describe(p, short=True)}"
                  for name, p in results["programs"].items()]
    if "device_peak_bytes" in results:
        lines.append(f"Device peak memory over the whole run: "
                     f"{results['device_peak_bytes'] / 2**20:.1f} MiB")
    lines += ["", "Targets:"] + ["  " + line for line in evaluate(results)]
    return lines


def markdown(results: dict[str, Any]) -> str:
    """The run as a markdown section: environment, targets, table, programs."""
    env = results["environment"]
    lines = [f"### {env['backend'].upper()}: {', '.join(sorted(set(env['devices'])))}", ""]
    lines += [f"- date: {env['date']}", f"- machine: {env['platform']}, {env['processor']}",
              "- versions: " + ", ".join(f"{k} {env[k]}" for k in
                                          ("python", "jax", "brainstate", "brainpy",
                                           "brainpy_autograd") if k in env),
              f"- command: `python benchmarks/run.py{' --quick' if results['quick'] else ''}`",
              ""]
    lines += ["Targets (evaluated on this run):", ""]
    lines += [f"- {t}" for t in evaluate(results)]
    lines += ["", "| case | kind | mode | implementation | median | spread | / brainstate "
              "| / jax |", "|---|---|---|---|---:|---:|---:|---:|"]
    lines += ["| " + " | ".join(cells) + " |"
              for group in table_rows(results) for cells in group]
    lines += ["", "Compiled programs, `brainstate.transform.jit(brainpy_autograd.grad(f))` vs "
              "`jax.jit(jax.grad(pure_f))` (lowered StableHLO, names and locations "
              "stripped):", ""]
    lines += [f"- {name}: {describe(p, short=False)}" for name, p in results["programs"].items()]
    if "device_peak_bytes" in results:
        lines.append(f"- device peak memory over the run: "
                     f"{results['device_peak_bytes'] / 2**20:.1f} MiB")
    return "\n".join(lines) + "\n"


def save(results: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(results, indent=1, default=str))


def load(path: Path) -> dict[str, Any]:
    results: dict[str, Any] = json.loads(path.read_text())
    return results
