"""The compiled-call engine: running repeated un-jitted calls as XLA programs.

Read ``README.md`` in this folder for the pieces and how a call flows through them.
"""

from ._call import CallStats as CallStats
from ._call import CompiledCalls as CompiledCalls
from ._serial import serialised as serialised
from ._settings import compiled_calls as compiled_calls
from ._settings import compiled_calls_enabled as compiled_calls_enabled
from ._settings import set_compiled_calls as set_compiled_calls
from ._settings import wait_for_compilations as wait_for_compilations

__all__ = [
    "CallStats",
    "CompiledCalls",
    "compiled_calls",
    "compiled_calls_enabled",
    "serialised",
    "set_compiled_calls",
    "wait_for_compilations",
]
