"""The suite's cheap XLA code generation (tests/xla_codegen.py): only flags XLA knows."""

from __future__ import annotations

import os

import pytest
import xla_codegen

DEVICES = "--xla_force_host_platform_device_count=2"


def test_a_flag_this_xla_does_not_know_is_dropped_and_the_others_kept():
    made_up = "--xla_brainpy_autograd_made_up_flag=1"
    kept = xla_codegen.known_flags((made_up, "--xla_backend_optimization_level=0"), DEVICES)
    # XLA names the made-up flag as unknown; the optimisation level it knows
    assert kept == ("--xla_backend_optimization_level=0",)


def test_a_probe_that_fails_for_another_reason_keeps_xlas_defaults():
    # a malformed value of a known flag: XLA refuses it, but not as an unknown flag
    assert xla_codegen.known_flags(xla_codegen.FLAGS,
                                   "--xla_force_host_platform_device_count=many") == ()


@pytest.fixture
def unchosen(monkeypatch):
    """A process that has not chosen its flags yet, with ``XLA_FLAGS`` set by its user."""
    monkeypatch.delenv(xla_codegen._CHOSEN, raising=False)
    monkeypatch.delenv(xla_codegen.SWITCH, raising=False)
    monkeypatch.setenv("XLA_FLAGS", DEVICES)


def test_the_users_flags_stay_first_and_the_known_cheap_ones_follow(unchosen):
    xla_codegen.use_cheap_codegen()
    known = xla_codegen.known_flags(xla_codegen.FLAGS, DEVICES)
    assert "--xla_backend_optimization_level=0" in known
    assert os.environ["XLA_FLAGS"] == " ".join([DEVICES, *known])
    assert os.environ[xla_codegen._CHOSEN] == "1"


def test_the_switch_keeps_xlas_default_code_generation(unchosen, monkeypatch):
    monkeypatch.setenv(xla_codegen.SWITCH, "default")
    xla_codegen.use_cheap_codegen()
    assert os.environ["XLA_FLAGS"] == DEVICES


def test_this_run_compiles_with_the_cheap_flags_unless_switched_off():
    flags = os.environ.get("XLA_FLAGS", "").split()
    if os.environ.get(xla_codegen.SWITCH) == "default":
        assert not set(xla_codegen.FLAGS) & set(flags)
    else:
        assert "--xla_backend_optimization_level=0" in flags
