"""The transforms' docstrings, filled in from fragments written once.

In the manner of scipy's ``_lib/doccer.py``: a docstring holds ``%(name)s``
fields, and :func:`filldoc` replaces each with its fragment, indented as the
field is (a field alone on its line may be a paragraph of several lines).
:func:`transform_doc` gives each public transform its whole docstring:

- ``%(parameters)s``: the Parameters section, one entry per parameter of the
  transform's signature, in its order, each the ``doc`` of its option-table entry
  (:mod:`._option_table`) filled with the transform's own words (:data:`WORDS`:
  "gradient" or "Jacobian block", what ``func`` must return...);
- ``%(raises)s``: the Raises section, written once, with what differs between
  the transforms derived from their :class:`~._options.TransformSpec`.

``help(brainpy_autograd.grad)`` and the API page show the filled text: every
parameter in full.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Mapping

from ._option_table import BY_NAME, signature_of
from ._options import SPECS

__all__ = ["WORDS", "filldoc", "transform_doc"]

_FIELD = re.compile(r"%\((\w+)\)s")

_SCALAR = "It must return a scalar (shape ``()``), or a pair ``(scalar, aux_data)`` with " \
          "``has_aux=True``."
_ANY = "It may return an array of any shape or any pytree of arrays{}, or a pair " \
       "``(output, aux_data)`` with ``has_aux=True``."
_UNITS = "``unit(output) / unit(input)``"

#: Each transform's words for the ``%(word)s`` fields of the option table's docs.
WORDS: Mapping[str, Mapping[str, str]] = {
    "grad": dict(
        output=_SCALAR, twice="", layout="the gradients come back in the same layout",
        block="gradient", blocks="a tuple of them", value="the scalar, e.g. the loss",
        results="gradients", value_note="", complex="complex inputs and a complex output",
        int_result="gradient is", int_jax="grad", int_note="",
        units=f"each gradient carries the unit {_UNITS}", result="gradient",
    ),
    "vector_grad": dict(
        output=_ANY.format(" (the gradient is that of the sum of all their elements)"),
        twice="", layout="the gradients come back in the same layout", block="gradient",
        blocks="a tuple of them", value="its whole output, not the sum", results="gradients",
        value_note="", int_result="gradient is",
        int_jax="grad", int_note=" (BrainPy's ``vector_grad`` has no such option)",
        units=f"each gradient carries the unit {_UNITS}", result="gradient",
    ),
    "jacrev": dict(
        output=_ANY.format(""), twice="", layout="the Jacobian blocks come back in the same "
        "layout", block="Jacobian block", blocks="a tuple of them", value="its output",
        results="Jacobian", value_note="", complex="complex inputs and outputs",
        int_result="Jacobian blocks are", int_jax="jacrev", int_note="",
        units=f"each block carries the unit {_UNITS}", result="Jacobian",
    ),
    "jacfwd": dict(
        output=_ANY.format(""), twice="", layout="the Jacobian blocks come back in the same "
        "layout", block="Jacobian block", blocks="a tuple of them", value="its output",
        results="Jacobian", value_note="", complex="complex inputs and outputs",
        units=f"each block carries the unit {_UNITS}", result="Jacobian",
    ),
    "hessian": dict(
        output=_SCALAR, twice=", twice", layout="the Hessian has that layout nested in itself "
        "(see above)", block="Hessian block",
        blocks="the nested tuples of blocks that ``jax.hessian`` gives",
        value="the scalar, e.g. the loss", results="Hessian",
        value_note=" Keyword-only here, unlike in the other transforms.",
        complex="complex inputs and a complex output",
        units="each block carries the unit ``unit(output) / (unit(a) * unit(b))`` of its two "
              "inputs ``a`` and ``b``", result="Hessian",
    ),
}

_RAISES = """\
Raises
------
TypeError
    When the transform is created: ``func`` not callable, a ``grad_vars`` leaf that
    is not a State, ``argnums`` that is not an int or a sequence of ints, a flag
    that is not a bool, an unknown keyword (the message suggests the closest one),
    ``dyn_vars`` or ``child_objs`` holding something they cannot hold (a number, a
    string, ``None``). When it is called: %(call_errors)s, an argument that is not an
    array, a number or a container of them.%(any_shape)s
ValueError
    ``argnums`` repeated or empty, or out of range for the call; axis names in
    ``reduce_axes``; ``debug_nan=True`` with ``compiled=True``, or with a brainstate
    that does not support it."""


def filldoc(doc: str, fragments: Mapping[str, str]) -> str:
    """``doc`` with each ``%(name)s`` field replaced by ``fragments[name]``.

    A field alone on its line takes that line's indentation for every line of
    its fragment; a field inside a line is replaced as it is.

    Examples
    --------
    >>> print(filldoc("Notes\\n    %(note)s\\nEnd", {"note": "one\\ntwo"}))
    Notes
        one
        two
    End
    """
    lines = []
    for line in doc.splitlines():
        field = _FIELD.fullmatch(line.strip())
        if field is not None:
            indent = line[: len(line) - len(line.lstrip())]
            lines += [indent + part if part else "" for part in
                      fragments[field.group(1)].splitlines()]
        else:
            lines.append(_FIELD.sub(lambda m: fragments[m.group(1)], line))
    return "\n".join(lines)


def _rewrap(section: str, width: int = 88) -> str:
    """``section`` (a NumPy-style section: unindented headings, each over its
    description indented by four spaces) with each description wrapped to ``width``,
    once the fields are filled in."""
    out: list[str] = []
    for line in section.splitlines():
        if line.startswith("    ") and out and out[-1].startswith("    "):
            out[-1] += " " + line.strip()
        else:
            out.append(line)
    return "\n".join(textwrap.fill(line.strip(), width, initial_indent="    ",
                                   subsequent_indent="    ", break_long_words=False,
                                   break_on_hyphens=False) if line.startswith("    ")
                     else line for line in out)


def _raises(name: str) -> str:
    spec = SPECS[name]
    errors = ["a non-scalar output"] if spec.scalar_output else []
    errors.append("``has_aux=True`` without a pair")
    errors.append("an integer input without ``allow_int``" if spec.supports_allow_int
                  else "any integer input (there is no ``allow_int``)")
    return _rewrap(filldoc(_RAISES, {"call_errors": ", ".join(errors),
                                     "any_shape": "" if spec.scalar_output
                                     else " Any output shape is accepted."}))


def transform_doc(name: str, doc: str) -> str:
    """The whole docstring of transform ``name``: ``doc`` with its ``%(parameters)s`` and
    ``%(raises)s`` fields filled."""
    words = {"name": name, **WORDS[name]}
    entries = [filldoc(inspect.cleandoc(BY_NAME[p].doc), words)
               for p in signature_of(name).parameters]
    parameters = "Parameters\n----------\n" + _rewrap("\n".join(entries))
    return filldoc(inspect.cleandoc(doc), {"parameters": parameters, "raises": _raises(name)})
