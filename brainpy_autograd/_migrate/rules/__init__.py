"""The rewrite rules, one module each, named after its
:class:`~brainpy_autograd._migrate._registry.Rule`; importing this package registers them
all (``ARCHITECTURE.md`` says what a new rule needs).

>>> from brainpy_autograd._migrate import rules
>>> rules.ALL[0].__name__.rsplit(".", 1)[-1]
'aliases'
"""

from __future__ import annotations

from . import (
    aliases,
    alignment,
    from_imports,
    grad_vars,
    import_placement,
    legacy_keywords,
    positional,
    references,
)

__all__ = ["ALL"]

#: every rule's module, in the order of ``Rule``
ALL = (aliases, from_imports, references, alignment, legacy_keywords, positional, grad_vars,
       import_placement)
