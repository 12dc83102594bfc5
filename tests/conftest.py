"""Test configuration: float64 support, the hypothesis profiles, the installed-copy guard.

Profiles (choose with ``BRAINPY_AUTOGRAD_PROFILE``, default ``ci``):

- ``ci``: derandomized, no example database, no deadline, few examples, so the
  whole suite is fast and reproducible on a 2-core CI machine;
- ``ci-matrix``: ``ci`` with at most ``helpers.MATRIX_EXAMPLES`` examples per test, for
  CI's environments other than py311-latest (set by ``noxfile.py``);
- ``dev``: a quick loop while you edit: at most ``helpers.DEV_EXAMPLES`` examples per
  test, random seeds, and hypothesis's example database (``.hypothesis/``), so that a
  failure it found is tried first in the next run;
- ``thorough``: many more examples, random seeds, for local runs.

CI runs ``ci`` (``.ci/run`` sets it) and ``ci-matrix``; ``dev`` and ``thorough`` are for
your own runs.

With ``BRAINPY_AUTOGRAD_EXPECT_INSTALLED=1`` (CI's run against the built wheel) the
run stops before collecting anything unless ``brainpy_autograd`` was imported from
site-packages, outside the tree these tests are in: a source tree on ``sys.path``
would otherwise hide a module or data file that the wheel lacks.
"""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import pytest
import xla_codegen
from hypothesis import HealthCheck, settings
from hypothesis.errors import InvalidArgument

# cheap XLA code generation, chosen before JAX starts its backend (tests/xla_codegen.py)
xla_codegen.use_cheap_codegen()
import jax  # noqa: E402

# Generated functions use float32 and float64 inputs. (brainstate 0.5.x resets
# this flag when it is imported; brainpy_autograd's import keeps it, see
# brainpy_autograd/_x64_guard.py and tests/package/test_compat.py.)
jax.config.update("jax_enable_x64", True)
import brainpy_autograd  # noqa: E402, I001  (first: imports brainstate after the flag)
import helpers  # noqa: E402, I001  (imports brainstate too, so after brainpy_autograd)

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=helpers.CI_EXAMPLES,
    suppress_health_check=_SLOW_OK,
    print_blob=True,
)
settings.register_profile(
    "ci-matrix",
    parent=settings.get_profile("ci"),
    max_examples=helpers.MATRIX_EXAMPLES,
)
settings.register_profile(
    "dev",
    deadline=None,
    max_examples=helpers.DEV_EXAMPLES,
    suppress_health_check=_SLOW_OK,
    print_blob=True,
)
settings.register_profile(
    "thorough",
    deadline=None,
    max_examples=400,
    suppress_health_check=_SLOW_OK,
    print_blob=True,
)


def pytest_configure(config: pytest.Config) -> None:
    try:
        settings.load_profile(helpers.PROFILE)
    except InvalidArgument:
        raise pytest.UsageError(
            f"BRAINPY_AUTOGRAD_PROFILE={helpers.PROFILE!r} is not a hypothesis profile of "
            f"this suite: use one of ci, ci-matrix, dev, thorough (or leave it unset: ci)"
        ) from None


def pytest_report_header(config: pytest.Config) -> str:
    return f"XLA code generation: {xla_codegen.chosen}"


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get(helpers.EXPECT_INSTALLED) != "1":
        return
    site_dirs = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    problem = helpers.not_an_installed_copy(
        brainpy_autograd.__file__, Path(__file__).resolve().parents[1], site_dirs)
    if problem is not None:
        pytest.exit(problem, returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.fixture
def compile_at_second_call():
    """See :func:`helpers.compile_at_second_call`."""
    with helpers.compile_at_second_call():
        yield
