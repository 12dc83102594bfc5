"""The "calls" benchmark: cumulative time over k = 1..K un-jitted calls, and memory.

Usage (from the repository root)::

    python benchmarks/calls.py              # full run; writes calls.png and RESULTS.md's section
    python benchmarks/calls.py --busy 1     # the same beside 1 CPU-bound process (section "busy")
    python benchmarks/calls.py --quick      # smoke run used by CI: the MLP only, small sizes,
                                            # one round, 8 calls, 6 shapes for memory

For each workload (the BrainPy-style rate RNN with a Python loop over 100 time
steps, and the 8-layer MLP) it runs, each in a fresh process so that no JAX
cache is shared between them:

- ``brainpy_autograd``: the default (replayed, then compiled at the call the
  schedule gives);
- ``brainstate``: ``brainstate.transform.grad`` called directly;
- ``jax.jit``: ``jax.jit(jax.grad(pure))``.

and records the duration of each of the K calls (default 200), and at which call
ours first ran compiled. Rounds alternate the order of the implementations; the
median over rounds of each cumulative time is reported. The targets (issue 22;
issues 10 and 17 had 1.25 and 1.5) are checked and printed, never asserted:

- after k calls, for every k: brainpy_autograd's total <= 1.05x brainstate's
  (``CUMULATIVE_TARGET``);
- steady state <= 1.2x ``jax.jit``'s (``STEADY_TARGET``): in one more fresh process
  per round, a compiled call of ours and a ``jax.jit`` call interleaved, 200 each
  (``first_call.steady_ratio``); the median over rounds of the ratio of their medians.
  (Until 2026-12-05 it was the ratio of two 20-call medians taken at the end of the
  timed runs, in different processes: from run to run that swung between 0.63 and
  1.73 on a loaded machine, since a whole process's speed is compared, not the calls.)

(``compiled=False`` is brainstate's own call plus about 20 us of dispatch;
``run.py`` measures it side by side, so it is left out of these long runs.)

The memory workload: a small ``grad`` with one ParamState called twice at each
of 150 input shapes; the peak resident memory's growth over it, per
implementation (here ``brainpy_autograd[interp]``, ``compiled=False``, too), each
in a fresh process. Target: <= 1.5x ``jax.jit``'s growth.

``--busy N`` runs N CPU-bound processes beside every measurement, to measure
what the deterministic schedule costs on a loaded machine (it switches at the
same call whatever the load, so a slower compilation costs more there).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
IMPLS = ("brainpy_autograd", "brainstate", "jax.jit")
MEMORY_IMPLS = ("brainpy_autograd", "brainpy_autograd[interp]", "brainstate", "jax.jit")
#: issue 22: ours' cumulative time over brainstate's at every k, and steady over jax.jit
CUMULATIVE_TARGET, STEADY_TARGET = 1.05, 1.2
SECTION_START, SECTION_END = "<!-- calls:start -->", "<!-- calls:end -->"


# ---------------------------------------------------------------- one process


def _workload(name: str, quick: bool) -> Any:
    """``first_call.build_workload``: the same two models in both benchmarks."""
    sys.path.insert(0, str(HERE))
    from first_call import build_workload

    return build_workload(name, quick)


def _time_calls(impl: str, workload: str, k: int, quick: bool) -> dict[str, Any]:
    import brainstate
    import jax

    import brainpy_autograd as bpa

    built = _workload(workload, quick)
    t: Any = None
    if impl == "jax.jit":
        g = jax.jit(jax.grad(built.pure))

        def call() -> Any:
            return g({n: s.value for n, s in built.params.items()}, *built.args)
    else:
        if impl == "brainstate":
            t = brainstate.transform.grad(built.loss, grad_states=built.params)
        else:
            t = bpa.grad(built.loss, grad_vars=built.params,
                         compiled=impl == "brainpy_autograd")

        def call() -> Any:
            return t(*built.args)

    times, first_compiled = [], None
    for n in range(1, k + 1):
        start = time.perf_counter()
        jax.block_until_ready(call())
        times.append(time.perf_counter() - start)
        if impl == "brainpy_autograd" and first_compiled is None and t.call_stats().compiled:
            first_compiled = n
    return {"times": times, "first_compiled": first_compiled}


def _steady_ratio(workload: str, quick: bool) -> float:
    """Ours compiled against ``jax.jit``, interleaved in this process (see the docstring)."""
    from first_call import steady_ratio

    return steady_ratio(_workload(workload, quick), 20 if quick else 200)


def _memory_growth(impl: str, shapes: int) -> float:
    """Peak RSS growth (MB) over ``shapes`` input shapes, two calls each."""
    import resource

    import brainstate
    import jax
    import jax.numpy as jnp

    import brainpy_autograd as bpa

    w = brainstate.ParamState(jnp.float32(1.5))

    def loss(x: Any) -> Any:
        return jnp.sum(jnp.tanh(w.value * x) ** 2)

    def pure(wv: Any, x: Any) -> Any:
        return jnp.sum(jnp.tanh(wv * x) ** 2)

    if impl == "jax.jit":
        jg = jax.jit(jax.grad(pure))

        def f(x: Any) -> Any:
            return jg(w.value, x)
    elif impl == "brainstate":
        f = brainstate.transform.grad(loss, grad_states=w)
    else:
        f = bpa.grad(loss, grad_vars=w, compiled=impl == "brainpy_autograd")
    for _ in range(2):  # warm-up: imports, the first trace
        jax.block_until_ready(f(jnp.ones(1, jnp.float32)))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for n in range(2, shapes + 2):
        x = jnp.ones(n, jnp.float32)
        jax.block_until_ready(f(x))
        jax.block_until_ready(f(x))
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024


def _child(argv: list[str]) -> None:
    kind, impl, workload, k, quick = argv[0], argv[1], argv[2], int(argv[3]), argv[4] == "1"
    if kind == "calls":
        print(json.dumps(_time_calls(impl, workload, k, quick)))
    elif kind == "steady":
        print(json.dumps(_steady_ratio(workload, quick)))
    else:
        print(json.dumps(_memory_growth(impl, k)))


def _run_child(*args: Any) -> Any:
    # no persistent compilation cache in a child either (see cases.py): each child's
    # first calls compile, as a fresh process of a user's does
    env = dict(os.environ, PYTHONHASHSEED="0", JAX_ENABLE_COMPILATION_CACHE="false")
    out = subprocess.run([sys.executable, __file__, "--child", *map(str, args)],
                         capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child {args} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ the runs


def cumulative(times: list[float]) -> list[float]:
    total, out = 0.0, []
    for t in times:
        total += t
        out.append(total)
    return out


def measure_calls(workload: str, k: int, rounds: int, quick: bool) -> dict[str, list[float]]:
    """Per implementation: the cumulative times (median over rounds) and each call's time
    (``impl:calls``); the steady state's ratio, ours / ``jax.jit`` (``steady``, one per
    round); and the call at which ours first ran compiled in each round
    (``first_compiled``)."""
    runs: dict[str, list[list[float]]] = {impl: [] for impl in IMPLS}
    steady: list[float] = []
    first: list[float] = []
    for r in range(rounds):
        order = IMPLS if r % 2 == 0 else tuple(reversed(IMPLS))
        for impl in order:
            got = _run_child("calls", impl, workload, k, int(quick))
            runs[impl].append(got["times"])
            if impl == "brainpy_autograd":
                first.append(got["first_compiled"] or 0)
        steady.append(_run_child("steady", "-", workload, 0, int(quick)))
    out = {impl: [statistics.median(c[i] for c in map(cumulative, rs)) for i in range(k)]
           for impl, rs in runs.items()}
    out |= {f"{impl}:calls": [statistics.median(r[i] for r in rs) for i in range(k)]
            for impl, rs in runs.items()}
    out["steady"] = steady
    out["first_compiled"] = first
    return out


def check_calls(workload: str, res: dict[str, list[float]]) -> dict[str, Any]:
    ours, bs = res["brainpy_autograd"], res["brainstate"]
    ratios = [a / b for a, b in zip(ours, bs)]
    worst = max(range(len(ratios)), key=ratios.__getitem__)
    steady = statistics.median(res["steady"])
    return {
        "workload": workload,
        "worst_k": worst + 1,
        "worst_ratio_vs_brainstate": ratios[worst],
        "final_ratio_vs_brainstate": ratios[-1],
        "steady_ratio_vs_jax_jit": steady,
        "first_compiled": res["first_compiled"],
        "pays_off_by": next((i + 1 for i, r in enumerate(ratios) if r < 1.0
                             and all(x < 1.0 for x in ratios[i:])), None),
        "cumulative_ok": ratios[worst] <= CUMULATIVE_TARGET,
        "steady_ok": steady <= STEADY_TARGET,
    }


def plot(results: dict[str, dict[str, list[float]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    titles = {"rnn": "rate RNN, 100 steps in a Python loop", "mlp": "8-layer MLP, batch 32"}
    fig, axes = plt.subplots(1, len(results), figsize=(6 * len(results), 4.2))
    for ax, (workload, res) in zip(list(axes), results.items()):
        for impl, style in zip(IMPLS, ("-", ":", "-.")):
            ks = range(1, len(res[impl]) + 1)
            ax.plot(ks, res[impl], style, label=impl, linewidth=2)
        switch = statistics.median(res["first_compiled"])
        ax.axvline(switch, color="grey", linewidth=1, linestyle="--")
        ax.annotate(f" ours compiled from call {switch:g}", (switch, 0), xycoords=("data",
                    "axes fraction"), xytext=(2, 6), textcoords="offset points", fontsize=8)
        ax.set_title(titles.get(workload, workload))
        ax.set_xlabel("calls (k)")
        ax.set_ylabel("cumulative time (s)")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle("Un-jitted grad calls: total time after k calls (lower is better)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown(checks: list[dict[str, Any]], memory: dict[str, float], meta: dict[str, Any],
             tag: str = "", picture: str | None = None) -> str:
    start, end = _markers(tag)
    busy = f", beside {meta['busy']} CPU-bound process(es) it started" if meta.get("busy") \
        else ", no load added by the benchmark"
    if meta.get("load"):  # what else ran is not known: the load average says how busy it was
        busy += f" (1-minute load average {meta['load'][0]:.1f} at the start, " \
                f"{meta['load'][1]:.1f} at the end)"
    lines = [
        start,
        f"Measured {meta['date']} on {meta['machine']}{busy}, jax {meta['jax']}, "
        f"brainstate {meta['brainstate']} (`{meta['command']}`; {meta['calls']} calls, "
        f"{meta['rounds']} rounds, medians).",
        "",
    ]
    if picture:
        lines += [f"![cumulative time over k calls]({picture})", ""]
    lines += [
        "| workload | ours compiled from call | worst k | ours / brainstate at that k "
        f"(target <= {CUMULATIVE_TARGET}) | ours below brainstate from k "
        "| ours / brainstate after all k "
        f"| steady: ours / jax.jit (target <= {STEADY_TARGET}) |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in checks:
        first = "/".join(str(f) for f in sorted(set(c["first_compiled"])))
        lines.append(
            f"| {c['workload']} | {first} | {c['worst_k']} | {c['worst_ratio_vs_brainstate']:.2f}"
            f" | {c['pays_off_by'] or 'never'} | {c['final_ratio_vs_brainstate']:.2f} | "
            f"{c['steady_ratio_vs_jax_jit']:.2f} |")
    jit = memory["jax.jit"]
    lines += [
        "",
        "Peak memory growth, a small `grad` called twice at each of 150 input shapes "
        "(target: brainpy_autograd <= 1.5x jax.jit):",
        "",
        "| implementation | growth (MB) | vs jax.jit |",
        "|---|---|---|",
    ]
    for impl, mb in memory.items():
        lines.append(f"| {impl} | {mb:.0f} | {mb / jit:.2f}x |")
    lines.append(end)
    return "\n".join(lines)


def _markers(tag: str) -> tuple[str, str]:
    if not tag:
        return SECTION_START, SECTION_END
    return f"<!-- calls:start {tag} -->", f"<!-- calls:end {tag} -->"


def write_section(path: Path, text: str, tag: str = "") -> None:
    """Replace this environment's section of ``path`` (``tag`` names it), or append it."""
    start, end = _markers(tag)
    old = path.read_text() if path.exists() else ""
    if start in old and end in old:
        head, rest = old.split(start, 1)
        _, tail = rest.split(end, 1)
        path.write_text(head + text + tail)
    else:
        title = f"Calls over time, and memory ({tag})" if tag else \
            "Calls over time, and memory"
        path.write_text(old.rstrip() + f"\n\n## {title}\n\n" + text + "\n")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        _child(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run (CI): the MLP only, small sizes, one round")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--calls", type=int, default=None, help="K (default 200; quick 8)")
    parser.add_argument("--busy", type=int, default=0,
                        help="run N CPU-bound processes beside the measurements")
    parser.add_argument("--json", type=Path, default=None, help="write all results here")
    parser.add_argument("--no-write", action="store_true",
                        help="do not write calls.png and RESULTS.md")
    parser.add_argument("--tag", default="",
                        help="name of this environment's section and plot (calls-TAG.png), "
                             "for a second environment")
    args = parser.parse_args(argv)
    quick = args.quick
    k = args.calls or (8 if quick else 200)
    rounds = args.rounds or (1 if quick else 3)

    import platform

    import brainstate
    import jax

    load_start = os.getloadavg()[0]
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
               for _ in range(args.busy)]
    try:
        # quick: each child is a fresh process (imports, a trace, a compile), so a smoke
        # run keeps their number down: one workload, and few shapes for memory
        workloads = ("mlp",) if quick else ("rnn", "mlp")
        results = {w: measure_calls(w, k, rounds, quick) for w in workloads}
        memory = {impl: _run_child("memory", impl, "-", 6 if quick else 150, int(quick))
                  for impl in MEMORY_IMPLS}
    finally:
        for p in burners:
            p.kill()
    checks = [check_calls(w, r) for w, r in results.items()]
    mem_ratio = memory["brainpy_autograd"] / memory["jax.jit"]
    for c in checks:
        print(f"{c['workload']:>4}: compiled from call {c['first_compiled']}; "
              f"worst ours/brainstate {c['worst_ratio_vs_brainstate']:.2f} "
              f"at k={c['worst_k']} ({'ok' if c['cumulative_ok'] else 'MISSED'}, "
              f"target {CUMULATIVE_TARGET}); "
              f"after {k} calls {c['final_ratio_vs_brainstate']:.2f}; steady ours/jax.jit "
              f"{c['steady_ratio_vs_jax_jit']:.2f} ({'ok' if c['steady_ok'] else 'MISSED'}, "
              f"target {STEADY_TARGET})")
    print("memory growth (MB): " + ", ".join(f"{i} {m:.0f}" for i, m in memory.items())
          + f"; ours/jax.jit {mem_ratio:.2f} ({'ok' if mem_ratio <= 1.5 else 'MISSED'}, "
          "target 1.5)")
    command = "python benchmarks/calls.py" + (f" --busy {args.busy}" if args.busy else "") \
        + (f" --tag {args.tag}" if args.tag else "")
    meta = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, "
            f"{os.cpu_count()} cores", "jax": jax.__version__,
            "brainstate": brainstate.__version__, "rounds": rounds, "calls": k,
            "busy": args.busy, "command": command,
            "load": [load_start, os.getloadavg()[0]]}
    if args.json:
        args.json.write_text(json.dumps({"results": results, "checks": checks,
                                         "memory": memory, "meta": meta}, indent=1))
    if not quick and not args.no_write:
        picture = f"calls-{args.tag}.png" if args.tag else "calls.png"
        plot(results, HERE / picture)
        write_section(HERE / "RESULTS.md", markdown(checks, memory, meta, args.tag, picture),
                      args.tag)
        print(f"wrote {HERE / picture} and the calls section of {HERE / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
