"""The migration tool behind ``brainpy-autograd-migrate`` (entry: :mod:`brainpy_autograd.migrate`).

Its rooms, what flows between them, and why nothing here imports JAX, brainstate
or (before it is used) libcst: ``ARCHITECTURE.md`` in this folder.

>>> from brainpy_autograd._migrate import migrate_source
>>> migrate_source("import numpy\\n").changes
0
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._context import Finding
    from ._pass import Outcome, migrate_source, worth_parsing

__all__ = ["Finding", "Outcome", "migrate_source", "worth_parsing"]

#: where each public name lives; imported on first use (PEP 562), so that the command
#: line (:mod:`._cli`) is imported without libcst and can say how to install it
_WHERE = {"Finding": "._context", "Outcome": "._pass", "migrate_source": "._pass",
          "worth_parsing": "._pass"}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name], __name__), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
