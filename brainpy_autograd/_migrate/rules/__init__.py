"""The rewrite rules, one module each, named after its
:class:`~brainpy_autograd._migrate._registry.Rule`; importing this package registers them
all (``ARCHITECTURE.md`` says what a new rule needs).

>>> from brainpy_autograd._migrate import rules
>>> rules.ALL[0].__name__.rsplit(".", 1)[-1]
'aliases'
"""

from __future__ import annotations

import importlib

from .._registry import Rule

__all__ = ["ALL"]

#: every rule's module, in the order of ``Rule`` (importing one registers its callbacks)
ALL = tuple(importlib.import_module(f".{rule.value}", __name__) for rule in Rule)
