"""Compiled evaluation of un-jitted calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class CompiledCalls:
    def __init__(self, owner: Any) -> None:
        self.owner = owner

    def call(
        self, resolved: Any, backend: Callable[..., Any], args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        return backend(*args, **kwargs)
