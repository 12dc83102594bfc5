"""Side-by-side benchmark of brainpy_autograd, brainstate, brainpy.math and plain JAX.

Usage (from the repository root)::

    python benchmarks/run.py            # full run: table on stdout, JSON in benchmarks/
    python benchmarks/run.py --quick    # smoke run (small sizes, 2 rounds), used by CI

Every case (``benchmarks/cases.py``) is run for ``grad`` and a Jacobian or
Hessian transform, by every importable implementation, in one process:

- ``brainpy_autograd``: the default (repeated un-jitted calls run compiled);
- ``brainpy_autograd[interp]``: ``compiled=False``, the adapter alone over brainstate;
- ``brainstate``: ``brainstate.transform.<kind>`` called directly;
- ``brainpy.math``: BrainPy 2.9's ``bm.<kind>``, when BrainPy is installed;
- ``jax``: ``jax.<kind>`` of the equivalent pure function.

Modes: ``first`` (a fresh transform's first un-jitted call: trace, and for
brainpy_autograd nothing compiled yet), ``first-jit`` (first call under
``brainstate.transform.jit`` / ``jax.jit``: trace + compile), ``eager`` (steady
un-jitted call) and ``jit`` (steady call under ``brainstate.transform.jit`` /
``jax.jit``). Implementations are interleaved within each round so that drift
of a shared machine hits them alike; the table shows the median over rounds,
the spread (interquartile range / median) and ratios against brainstate and
JAX taken from this same run. Nothing is asserted: the targets are reported.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import brainstate
import jax
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import CASES, Built  # noqa: E402

import brainpy_autograd as bpa  # noqa: E402

BPA, BPA_INTERP, BST, BPM, JAX = (
    "brainpy_autograd", "brainpy_autograd[interp]", "brainstate", "brainpy.math", "jax")
MODES = ("first", "first-jit", "eager", "jit")


def implementations() -> list[str]:
    impls = [BPA, BPA_INTERP, BST]
    if importlib.util.find_spec("brainpy") is not None:
        impls.append(BPM)
    return impls + [JAX]


def transform_for(impl: str, kind: str, built: Built) -> Callable[..., Any]:
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
    if jit:
        t = brainstate.transform.jit(t)
    return lambda: t(*built.args)


def applies(impl: str, mode: str) -> bool:
    # brainpy_autograd[interp] differs from the default only in steady eager calls.
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


def measure(case: Any, kind: str, mode: str, impls: list[str], rounds: int,
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
            for impl in order[r % len(order):] + order[:r % len(order)]:
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
            # Ours compiles once that has paid for itself (README, "Speed"): call on
            # until then (at most 40 calls or 30 s), and let the compilation land.
            start = time.perf_counter()
            for _ in range(40):
                if time.perf_counter() - start > 30:
                    break
                jax.block_until_ready(fn())
            bpa.wait_for_compilations(300)
            jax.block_until_ready(fn())
        single = time_per_call(fn, 1)
        calls[impl] = (fn, max(1, min(2000, int(budget / max(single, 1e-7)))))
    for r in range(rounds):
        for impl in order[r % len(order):] + order[:r % len(order)]:
            fn, n = calls[impl]
            samples[impl].append(time_per_call(fn, n))
    return samples


def summarise(samples: list[float]) -> dict[str, float]:
    med = statistics.median(samples)
    q = np.percentile(samples, [25, 75]) if len(samples) > 1 else (med, med)
    return {"median_s": med, "spread": float((q[1] - q[0]) / med) if med else 0.0,
            "rounds": len(samples)}


# ---------------------------------------------------------------- programs


_NOISE = [
    (re.compile(r"loc\([^()]*(\([^()]*\))*[^()]*\)"), ""),
    (re.compile(r"#loc\d*( = .*)?"), ""),
    (re.compile(r'jax\.result_info = "[^"]*"'), ""),
    (re.compile(r'(mhlo|jax)\.[a-z_]+ = [^,}]+'), ""),
    (re.compile(r"@[\w.$<>-]+"), "@f"),
]


def normalise(text: str) -> list[str]:
    """StableHLO text without names, source locations and result annotations."""
    out = []
    for line in text.splitlines():
        for pattern, repl in _NOISE:
            line = pattern.sub(repl, line)
        line = re.sub(r"\s+", " ", line).strip()
        if line and not line.startswith("module"):
            out.append(line)
    return out


def compare_programs(case: Any, quick: bool) -> dict[str, Any]:
    """brainstate.jit(brainpy_autograd.grad) against jax.jit(jax.grad): lowered text."""
    built = case.build("grad", quick)
    ours = brainstate.transform.jit(transform_for(BPA, "grad", built))
    # brainstate passes the State values in the order the function first reads
    # them (here: insertion order); give JAX the parameters in that order too.
    keys = list(built.params)
    values = [built.params[k].value for k in keys]

    def pure_in_state_order(vals, *args):
        return built.pure(dict(zip(keys, vals)), *args)

    def grads_by_key(vals, *args):
        return dict(zip(keys, jax.grad(pure_in_state_order)(vals, *args)))

    theirs = jax.jit(grads_by_key)
    a = normalise(ours.lower(*built.args).as_text())
    b = normalise(theirs.lower(values, *built.args).as_text())
    ops = lambda lines: sorted(m.group(1) for line in lines  # noqa: E731
                               for m in [re.search(r"(stablehlo\.\w+)", line)] if m)
    def n_results(lines):  # results of the main function: its signature's "-> (...)"
        return lines[0].split("->", 1)[1].count("tensor<") if lines and "->" in lines[0] else 0

    result = {"equal": a == b, "ours_lines": len(a), "jax_lines": len(b),
              "same_ops": ops(a) == ops(b),
              # the States the stateful function writes (hidden states) are returned too
              "extra_outputs": n_results(a) - n_results(b)}
    if a != b:
        import difflib

        result["diff"] = list(difflib.unified_diff(b, a, "jax", "brainpy_autograd",
                                                   lineterm="", n=0))[:40]
    for name, fn, args in (("ours", ours, built.args), ("jax", theirs, (values, *built.args))):  # noqa: B007
        try:
            stats = fn.lower(*args).compile().memory_analysis()
            result[f"{name}_memory_bytes"] = int(stats.temp_size_in_bytes
                                                 + stats.argument_size_in_bytes
                                                 + stats.output_size_in_bytes)
        except Exception:  # noqa: BLE001 - not every backend reports it
            pass
    return result


# ------------------------------------------------------------------- report


def fmt_time(s: float) -> str:
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.1f} us"


def table_rows(results: dict[str, Any], impls: list[str]) -> Iterator[list[tuple[str, ...]]]:
    """Per measured row, the table cells of each implementation in it: case, kind,
    mode, implementation, median, spread, ratio to brainstate, ratio to JAX."""
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


def report(results: dict[str, Any], impls: list[str]) -> list[str]:
    lines = []
    header = (f"{'case':<16} {'kind':<8} {'mode':<9} {'implementation':<25} {'median':>10} "
              f"{'spread':>7} {'/brainstate':>11} {'/jax':>8}")
    lines += [header, "-" * len(header)]
    for group in table_rows(results, impls):
        for case, kind, mode, impl, med, spread, r_bs, r_jax in group:
            lines.append(f"{case:<16} {kind:<8} {mode:<9} {impl:<25} {med:>10} {spread:>7} "
                         f"{r_bs:>11} {r_jax:>8}")
        lines.append("")
    return lines


def targets(results: dict[str, Any]) -> list[str]:
    """The issue's targets, evaluated on this run (reported, never asserted)."""
    out = []
    by = {(r["case"], r["kind"], r["mode"]): r["stats"] for r in results["rows"]}

    def med(case, kind, mode, impl):
        return by.get((case, kind, mode), {}).get(impl, {}).get("median_s")

    # 1. adapter overhead over brainstate, per mode
    for mode in MODES:
        ours = BPA_INTERP if mode == "eager" else BPA
        rows = [(s[ours]["median_s"] / s[BST]["median_s"], c, k, s[ours]["spread"],
                 s[BST]["spread"]) for (c, k, m_), s in by.items()
                if m_ == mode and ours in s and BST in s]
        if not rows:
            continue
        ratios = sorted(r[0] for r in rows)
        above = [f"{c} {k} {100 * (r - 1):+.1f}% (spreads {100 * a:.0f}%/{100 * b:.0f}%)"
                 for r, c, k, a, b in rows if r > 1.03]
        label = f"{ours} vs brainstate, {mode}"
        out.append(f"{label}: median {100 * (statistics.median(ratios) - 1):+.1f}%, max "
                   f"{100 * (ratios[-1] - 1):+.1f}% -> target <= +3% "
                   + ("met in every case" if not above else "above it: " + "; ".join(above)))
    # 2. jitted steady state against plain JAX
    for (case, kind, mode), stats in by.items():
        if mode != "jit" or BPA not in stats or JAX not in stats:
            continue
        ours, jax_t = stats[BPA]["median_s"], stats[JAX]["median_s"]
        bst = stats.get(BST, {}).get("median_s")
        same = f", brainstate.jit(brainstate) {bst / jax_t:.3f}x" if bst else ""
        out.append(f"jit {case} {kind}: ours {ours / jax_t:.3f}x jax.jit "
                   f"({1e6 * (ours - jax_t):+.0f} us per call{same}) -> target <= 1.02x "
                   f"{'met' if ours / jax_t <= 1.02 else 'missed'}")
    # 3. compiled un-jitted calls
    for (case, kind, mode), stats in by.items():
        if mode == "eager" and BPA in stats and (case, kind, "jit") in by \
                and JAX in by[(case, kind, "jit")]:
            jax_jit = by[(case, kind, "jit")][JAX]["median_s"]
            ours_s = stats[BPA]["median_s"]
            out.append(f"un-jitted {case} {kind}: ours (compiled) {ours_s / jax_jit:.2f}x "
                       f"jax.jit, {stats[BST]['median_s'] / ours_s:.0f}x faster than "
                       f"brainstate's un-jitted call")
    ours, bpm = med("mlp", "grad", "eager", BPA), med("mlp", "grad", "eager", BPM)
    bst = med("mlp", "grad", "eager", BST)
    jit = med("mlp", "grad", "jit", JAX)
    if ours and jit:
        slower = bpm if bpm else bst
        label = "brainpy.math.grad" if bpm else "brainstate.transform.grad (BrainPy absent)"
        out.append(f"MLP un-jitted grad: {slower / ours:.0f}x faster than {label} "
                   f"(target >= 50x: {'met' if slower / ours >= 50 else 'MISSED'}); "
                   f"{ours / jit:.2f}x jax.jit(jax.grad) "
                   f"(target <= 1.5x: {'met' if ours / jit <= 1.5 else 'MISSED'})")
    return out


def markdown(results: dict[str, Any], impls: list[str]) -> str:
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
    lines += [f"- {t}" for t in targets(results)]
    lines += ["", "| case | kind | mode | implementation | median | spread | / brainstate "
              "| / jax |", "|---|---|---|---|---:|---:|---:|---:|"]
    lines += ["| " + " | ".join(cells) + " |"
              for group in table_rows(results, impls) for cells in group]
    lines += ["", "Compiled programs, `brainstate.transform.jit(brainpy_autograd.grad(f))` vs "
              "`jax.jit(jax.grad(pure_f))` (lowered StableHLO, names and locations "
              "stripped):", ""]
    for name, p in results["programs"].items():
        state = "identical" if p["equal"] else (
            "same operations, different text" if p["same_ops"] else "different operations")
        if p.get("extra_outputs"):
            state += (f" (ours also returns the {p['extra_outputs']} State(s) the model "
                      f"writes, for brainstate to write back)")
        mem = ""
        if "ours_memory_bytes" in p:
            mem = (f"; compiled memory {p['ours_memory_bytes'] / 2**20:.2f} MiB vs "
                   f"{p['jax_memory_bytes'] / 2**20:.2f} MiB")
        lines.append(f"- {name}: {state}{mem}")
    if "device_peak_bytes" in results:
        lines.append(f"- device peak memory over the run: "
                     f"{results['device_peak_bytes'] / 2**20:.1f} MiB")
    return "\n".join(lines) + "\n"


def _cpu_model() -> str:
    import os

    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def environment() -> dict[str, Any]:
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


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, 2 rounds (CI)")
    parser.add_argument("--rounds", type=int,
                        help="rounds of steady-state calls (default 7, quick 2)")
    parser.add_argument("--first-rounds", type=int,
                        help="rounds of first calls, each a fresh trace/compile "
                             "(default 3, quick 1)")
    parser.add_argument("--cases", nargs="*", help="only these cases")
    parser.add_argument("--modes", nargs="*", choices=MODES, help="only these modes")
    parser.add_argument("--json", type=Path, help="where to write the JSON results")
    parser.add_argument("--markdown", type=Path,
                        help="also write the results as a markdown section (RESULTS.md)")
    parser.add_argument("--from-json", type=Path,
                        help="do not run: report (and --markdown) an earlier run's JSON")
    args = parser.parse_args(argv)
    if args.from_json:
        results = json.loads(args.from_json.read_text())
        impls = [i for i in (BPA, BPA_INTERP, BST, BPM, JAX)
                 if any(i in r["stats"] for r in results["rows"])]
        print("\n".join(report(results, impls)))
        print("\n".join(targets(results)))
        if args.markdown:
            args.markdown.write_text(markdown(results, impls))
        return results
    rounds = args.rounds or (2 if args.quick else 7)
    first_rounds = args.first_rounds or (1 if args.quick else 3)
    budget = 0.01 if args.quick else 0.25  # seconds of calls per round and implementation
    impls = implementations()
    cases = [c for c in CASES if not args.cases or c.name in args.cases]
    modes = args.modes or MODES
    env = environment()
    print("brainpy_autograd benchmark  " + "  ".join(f"{k}={v}" for k, v in env.items()))
    results: dict[str, Any] = {"environment": env, "quick": args.quick, "rows": [],
                               "programs": {}}
    start = time.perf_counter()
    for case in cases:
        for kind in case.kinds:
            for mode in modes:
                samples = measure(case, kind, mode, impls, rounds, first_rounds, budget,
                                  args.quick)
                results["rows"].append({"case": case.name, "kind": kind, "mode": mode,
                                        "stats": {i: summarise(s) for i, s in samples.items()}})
                print(f"  {case.name} {kind} {mode}: done ({time.perf_counter() - start:.0f} s)",
                      file=sys.stderr)
        results["programs"][case.name] = compare_programs(case, args.quick)
    stats = jax.devices()[0].memory_stats()
    if stats and "peak_bytes_in_use" in stats:
        results["device_peak_bytes"] = int(stats["peak_bytes_in_use"])
    print()
    print("\n".join(report(results, impls)))
    print("Compiled programs, brainstate.jit(brainpy_autograd.grad) vs jax.jit(jax.grad):")
    for name, p in results["programs"].items():
        mem = ""
        if "ours_memory_bytes" in p:
            mem = (f", memory {p['ours_memory_bytes'] / 2**20:.2f} MiB vs "
                   f"{p['jax_memory_bytes'] / 2**20:.2f} MiB")
        state = "identical lowered text" if p["equal"] else (
            "same ops, different text" if p["same_ops"] else "different ops")
        if p.get("extra_outputs"):
            state += f", +{p['extra_outputs']} written State outputs"
        print(f"  {name:<16} {state}{mem}")
    if "device_peak_bytes" in results:
        peak = results["device_peak_bytes"] / 2**20
        print(f"Device peak memory over the whole run: {peak:.1f} MiB")
    print("\nTargets:")
    for line in targets(results):
        print("  " + line)
    print(f"\nTotal time {time.perf_counter() - start:.0f} s")
    path = args.json or Path(__file__).resolve().parent / (
        f"results-{env['backend']}{'-quick' if args.quick else ''}.json")
    path.write_text(json.dumps(results, indent=1, default=str))
    print(f"JSON written to {path}")
    if args.markdown:
        args.markdown.write_text(markdown(results, impls))
        print(f"Markdown written to {args.markdown}")
    return results


if __name__ == "__main__":
    main()
