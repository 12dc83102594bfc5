"""The suite's cheap XLA code generation (tests/xla_codegen.py): only flags XLA knows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import xla_codegen

#: The child pytest runs from here: from the checkout's root, python -m would put the
#: source tree on sys.path, which CI's run against the wheel refuses.
TESTS = Path(__file__).resolve().parents[1]

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


@pytest.mark.parametrize("value", ["default", "Default", " DEFAULT "])
def test_the_switch_keeps_xlas_default_code_generation(unchosen, monkeypatch, value):
    monkeypatch.setenv(xla_codegen.SWITCH, value)
    xla_codegen.use_cheap_codegen()
    assert os.environ["XLA_FLAGS"] == DEVICES
    assert "defaults" in xla_codegen.chosen


@pytest.mark.parametrize("value", ["off", "0", "none"])
def test_another_value_of_the_switch_is_refused_naming_the_one_it_takes(unchosen, monkeypatch,
                                                                        value):
    monkeypatch.setenv(xla_codegen.SWITCH, value)
    with pytest.raises(ValueError, match=f"BRAINPY_AUTOGRAD_TEST_XLA='{value}': use "
                                         f"BRAINPY_AUTOGRAD_TEST_XLA=default"):
        xla_codegen.use_cheap_codegen()
    assert os.environ["XLA_FLAGS"] == DEVICES


def test_a_flag_you_set_yourself_keeps_your_value(unchosen, monkeypatch):
    # XLA takes a flag's last value: adding ours after yours would override it
    yours = "--xla_backend_optimization_level=3"
    monkeypatch.setenv("XLA_FLAGS", yours)
    xla_codegen.use_cheap_codegen()
    flags = os.environ["XLA_FLAGS"].split()
    assert flags[0] == yours
    assert [f for f in flags if f.startswith("--xla_backend_optimization_level")] == [yours]
    assert "--xla_cpu_parallel_codegen_split_count=1" in flags  # the others still added


def test_the_runs_header_says_which_flags_were_added():
    env = {k: v for k, v in os.environ.items()
           if k not in (xla_codegen._CHOSEN, xla_codegen.SWITCH, "XLA_FLAGS", "PYTEST_ADDOPTS",
                        "PYTEST_XDIST_WORKER")}
    out = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p",
                          "no:xdist", "--collect-only", "package/test_xla_codegen.py",
                          "-o", "addopts="], cwd=TESTS, env=env, capture_output=True,
                         text=True, timeout=300, check=False)
    known = xla_codegen.known_flags(xla_codegen.FLAGS)
    assert f"XLA code generation: cheap, added to XLA_FLAGS: {' '.join(known)}" in out.stdout, (
        out.stdout + out.stderr)


def test_this_run_compiles_with_the_cheap_flags_unless_switched_off():
    flags = os.environ.get("XLA_FLAGS", "").split()
    if xla_codegen.switched_off():
        assert not set(xla_codegen.FLAGS) & set(flags)
    else:
        assert "--xla_backend_optimization_level=0" in flags
