"""brainpy_autograd.install(): brainpy.math's autodiff names resolve to ours, reversibly."""

from __future__ import annotations

import importlib
import sys
import warnings

import jax.numpy as jnp
import numpy as np
import pytest
from oracle import assert_tree_close

import brainpy_autograd as bpa
from brainpy_autograd._install import MODULES, REPLACEMENTS

brainpy = pytest.importorskip("brainpy")
bm = pytest.importorskip("brainpy.math")
pytestmark = pytest.mark.brainpy


def module_names(module):
    return {k: v for k, v in vars(module).items() if not k.startswith("__")}


@pytest.fixture
def clean():
    bpa.uninstall()
    yield
    bpa.uninstall()


def test_install_replaces_the_seven_names_and_nothing_else(clean):
    modules = [importlib.import_module(m) for m in MODULES]
    before = [module_names(m) for m in modules]
    handle = bpa.install()
    assert bpa.is_installed() and "installed" in repr(handle)
    for module, old in zip(modules, before):
        new = module_names(module)
        assert set(new) == set(old)
        changed = {k for k in new if new[k] is not old[k]}
        assert changed == set(REPLACEMENTS) & set(old)
        for name in changed:
            assert new[name] is REPLACEMENTS[name]
    assert bm.grad is bpa.grad and bm.jacobian is bpa.jacrev
    assert bm.functional_vector_grad is bpa.vector_grad
    bpa.uninstall()
    assert not bpa.is_installed()
    for module, old in zip(modules, before):
        new = module_names(module)
        assert all(new[k] is old[k] for k in old)


def test_install_twice_then_uninstall_restores_brainpy(clean):
    original = bm.grad
    bpa.install()
    bpa.install()
    assert bm.grad is bpa.grad
    bpa.uninstall()
    assert bm.grad is original
    bpa.uninstall()  # a no-op now
    assert bm.grad is original


def test_context_manager(clean):
    original = bm.hessian
    with bpa.install():
        assert bm.hessian is bpa.hessian
        assert brainpy.math.object_transform.autograd.jacfwd is bpa.jacfwd
    assert bm.hessian is original


def test_leaving_a_nested_block_keeps_what_was_installed_before_it(clean):
    """A library's ``with install():`` inside a script that installed at start-up
    (review of issue 19): the script's installation outlives the block."""
    original = bm.grad
    bpa.install()
    with bpa.install():
        assert bm.grad is bpa.grad
    assert bpa.is_installed() and bm.grad is bpa.grad
    with bpa.install():
        with bpa.install():
            pass
        assert bpa.is_installed()  # the outer block is still open
    assert bpa.is_installed()  # the script's install() still holds
    bpa.uninstall()
    assert bm.grad is original and not bpa.is_installed()
    with bpa.install():
        with bpa.install():
            pass
        assert bpa.is_installed()
    assert bm.grad is original  # the outermost block began uninstalled


def test_a_block_inside_an_installed_script_keeps_it_installed(clean):
    """Installations are a stack (issue 23): a name someone replaced while installed is
    what comes back once the last installation closes, and uninstall() inside a block
    leaves the block's installation open until the block ends."""
    original_grad, original_jacrev = bm.grad, bm.jacrev
    bpa.install()

    def mine(*args, **kwargs):
        return None

    bm.grad = mine  # the user's own, over the installed one
    with bpa.install():
        assert bm.grad is bpa.grad
    assert bm.grad is bpa.grad and bm.jacrev is bpa.jacrev  # the script's still holds
    bpa.uninstall()
    assert bm.grad is mine and bm.jacrev is original_jacrev
    bm.grad = original_grad
    bpa.install()
    with bpa.install():
        bpa.uninstall()  # inside the block: the block still sees ours
        assert bpa.is_installed() and bm.jacrev is bpa.jacrev
    assert bm.grad is original_grad and bm.jacrev is original_jacrev


def test_uninstall_leaves_a_name_someone_else_replaced(clean):
    original = bm.vector_grad
    bpa.install()
    sentinel = object()
    bm.vector_grad = sentinel
    try:
        bpa.uninstall()
        assert bm.vector_grad is sentinel
        assert brainpy.math.object_transform.vector_grad is original  # restored there
    finally:
        bm.vector_grad = original


def expected_reference_results():
    """The values the reference documents print for their examples (and JAX's)."""
    a = jnp.arange(5.0)
    b = jnp.arange(5.0) / 10
    jac = np.array([[10.0, 0.0, 0.0], [0.0, 0.0, 25.0], [0.0, 16.0, -2.0],
                    [1.6209068, 0.0, 0.84147096]])
    vec = np.array([10.0, 75.0, 10.0, 2.5244129])
    return {
        "grad_f1": 2.0,
        "grad_f2": (2.0, 1.0),
        "grad_mean": [0.5, 0.5],
        "list_vars": [[2.0], [2.0]],
        "dyn_vars": [2.0],
        "f2_a_after": [2.0],
        "f3_argnums0": (([2.0], [2.0]), 3.0),
        "f3_argnums01": (([2.0], [2.0]), (3.0, 10.0)),
        "return_value": ([2.0], 12.0),
        "has_aux": ([1.0], ([1.0], [2.0])),
        "reduce_axes": 2.0,
        "child_objs": [2.0],
        "vector_grad": np.sin(b),
        "vector_grad_01": (np.sin(b), np.cos(b) * a),
        "functional_vector_grad": np.cos(b) * a,
        "jacobian_pure": (jac, vec, 10.0),
        "jacobian_class": ((jac, np.array([[1.0, 0.0], [0.0, 15.0], [0.0, 0.0], [0.0, 0.0]])),
                           vec, (10.0, 2.5244129)),
        "jacfwd_class": (jac, (10.0, 2.5244129)),
        "hessian": np.diag([6.0, 12.0, 18.0]),
    }


def as_numpy(tree):
    import jax

    return jax.tree.map(lambda x: np.asarray(x, dtype=np.float64), tree,
                        is_leaf=lambda x: isinstance(x, bm.Array))


def test_brainpy_2x_reference_code_runs_unchanged_after_install(clean):
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parents[1] / "brainpy_style"))
    try:
        import reference_examples
    finally:
        sys.path.pop(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with bpa.install():
            results = reference_examples.run()
    legacy = [w for w in caught if issubclass(w.category, bpa.LegacyArgumentWarning)]
    assert len(legacy) == 4  # dyn_vars=, the 2.2 positional form, reduce_axes=(), child_objs=
    assert all(w.filename == reference_examples.__file__ for w in legacy)
    for name, want in expected_reference_results().items():
        got = as_numpy(results[name])
        np.testing.assert_allclose(np.concatenate([np.ravel(x) for x in
                                                   __import__("jax").tree.leaves(got)]),
                                   np.concatenate([np.ravel(np.asarray(x, np.float64)) for x in
                                                   __import__("jax").tree.leaves(want)]),
                                   rtol=1e-5, err_msg=name)
    for name in ("train_vars", "positional_dyn_vars"):
        assert type(results[name]) is dict and len(results[name]) == 2
        assert_tree_close(as_numpy(list(results[name].values())), [np.array([2.0])] * 2)


def test_the_same_code_fails_on_brainpy_29_without_install(clean):
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parents[1] / "brainpy_style"))
    try:
        import reference_examples
    finally:
        sys.path.pop(0)
    with pytest.raises(TypeError, match="dyn_vars"):
        reference_examples.run()
