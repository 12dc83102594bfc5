"""The compiled program of ``brainstate.jit(brainpy_autograd.grad(f))`` against JAX's.

:func:`compare_programs` lowers both to StableHLO, strips names, source
locations and result annotations (:func:`normalise`), and compares the text,
the operations and, where the backend reports it, the compiled memory.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

import brainstate
import jax
from cases import Case
from harness import BPA, transform_for

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


def _operations(lines: list[str]) -> list[str]:
    return sorted(m.group(1) for line in lines
                  for m in [re.search(r"(stablehlo\.\w+)", line)] if m)


def _n_results(lines: list[str]) -> int:
    """Results of the main function: its signature's ``-> (...)``."""
    return lines[0].split("->", 1)[1].count("tensor<") if lines and "->" in lines[0] else 0


def compare_programs(case: Case, quick: bool) -> dict[str, Any]:
    """brainstate.jit(brainpy_autograd.grad) against jax.jit(jax.grad): lowered text."""
    built = case.build("grad", quick)
    ours = brainstate.transform.jit(transform_for(BPA, "grad", built))
    # brainstate passes the State values in the order the function first reads
    # them (here: insertion order); give JAX the parameters in that order too.
    keys = list(built.params)
    values = [built.params[k].value for k in keys]

    def pure_in_state_order(vals: list[Any], *args: Any) -> Any:
        return built.pure(dict(zip(keys, vals)), *args)

    def grads_by_key(vals: list[Any], *args: Any) -> Any:
        return dict(zip(keys, jax.grad(pure_in_state_order)(vals, *args)))

    theirs = jax.jit(grads_by_key)
    a = normalise(ours.lower(*built.args).as_text())
    b = normalise(theirs.lower(values, *built.args).as_text())
    result: dict[str, Any] = {
        "equal": a == b, "ours_lines": len(a), "jax_lines": len(b),
        "same_ops": _operations(a) == _operations(b),
        # the States the stateful function writes (hidden states) are returned too
        "extra_outputs": _n_results(a) - _n_results(b)}
    if a != b:
        result["diff"] = list(difflib.unified_diff(b, a, "jax", "brainpy_autograd",
                                                   lineterm="", n=0))[:40]
    for name, fn, args in (("ours", ours, built.args), ("jax", theirs, (values, *built.args))):
        try:
            stats = fn.lower(*args).compile().memory_analysis()
            result[f"{name}_memory_bytes"] = int(stats.temp_size_in_bytes
                                                 + stats.argument_size_in_bytes
                                                 + stats.output_size_in_bytes)
        except Exception:  # noqa: BLE001 - not every backend reports it
            pass
    return result


def describe(program: dict[str, Any], *, short: bool) -> str:
    """How one comparison reads: in the console table (``short``) or in RESULTS.md."""
    if program["equal"]:
        state = "identical lowered text" if short else "identical"
    elif program["same_ops"]:
        state = "same ops, different text" if short else "same operations, different text"
    else:
        state = "different ops" if short else "different operations"
    extra = program.get("extra_outputs")
    if extra:
        state += (f", +{extra} written State outputs" if short else
                  f" (ours also returns the {extra} State(s) the model writes, for "
                  f"brainstate to write back)")
    if "ours_memory_bytes" in program:
        state += (f"{',' if short else ';'} {'memory' if short else 'compiled memory'} "
                  f"{program['ours_memory_bytes'] / 2**20:.2f} MiB vs "
                  f"{program['jax_memory_bytes'] / 2**20:.2f} MiB")
    return state
