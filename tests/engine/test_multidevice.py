"""Beyond one device: JAX's own sharding engine, 8 host CPU devices, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# slow: a subprocess with 8 devices compiles every case (left out by default, -m slow)
pytestmark = [pytest.mark.multidevice, pytest.mark.slow]


@pytest.fixture(scope="module")
def findings():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8",
               JAX_PLATFORMS="cpu")
    script = Path(__file__).with_name("multidevice_check.py")
    out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_eight_devices_and_a_sharded_batch(findings):
    assert findings["devices"] == 8
    assert findings["input_sharded_over"] == 8


def test_data_parallel_grad_matches_one_device(findings):
    assert findings["data_parallel_matches"]


def test_compiled_program_reduces_across_devices(findings):
    assert findings["all_reduce_in_program"]


def test_psum_inside_shard_map_matches(findings):
    """jax.lax.psum in the loss, the documented replacement for reduce_axes."""
    assert findings["shard_map_psum_matches"]
    assert findings["shard_map_psum_jit_matches"]


def test_training_on_sharded_data_matches_one_device(findings):
    assert findings["training_matches"]
