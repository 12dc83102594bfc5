"""The suite's hypothesis profiles, as README's Development section names them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]


def _pytest(profile: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS",
                                                            "PYTEST_XDIST_WORKER")}
    env["BRAINPY_AUTOGRAD_PROFILE"] = profile
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                           "-p", "no:xdist", *args], cwd=TESTS.parent, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_an_unknown_profile_stops_the_run_naming_the_variable_and_the_profiles():
    out = _pytest("thorugh", "--collect-only", "-q", "tests/package/test_profiles.py")
    assert out.returncode == pytest.ExitCode.USAGE_ERROR, out.stdout + out.stderr
    assert ("BRAINPY_AUTOGRAD_PROFILE='thorugh' is not a hypothesis profile of this suite: "
            "use one of ci, ci-matrix, dev, thorough") in out.stderr


@pytest.mark.parametrize("profile,examples", [("ci", 30), ("ci-matrix", 6), ("dev", 5)])
def test_each_profile_caps_a_propertys_examples_as_documented(monkeypatch, profile, examples):
    # a property asking for 30 (helpers.ci_settings): ci gives 30, ci-matrix at most
    # MATRIX_EXAMPLES (6), dev at most DEV_EXAMPLES (5); thorough its own 400
    import helpers

    monkeypatch.setattr(helpers, "PROFILE", profile)
    assert helpers.ci_settings(30).max_examples == examples
    assert helpers.ci_settings(3).max_examples == 3


def test_the_profile_variable_set_but_empty_means_ci():
    out = subprocess.run([sys.executable, "-c", "import helpers; print(helpers.PROFILE)"],
                         cwd=TESTS, env={**os.environ, "BRAINPY_AUTOGRAD_PROFILE": ""},
                         capture_output=True, text=True, timeout=300, check=False)
    assert out.stdout.split()[-1:] == ["ci"], out.stdout + out.stderr
