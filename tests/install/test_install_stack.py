"""install() is a stack of open installations, not a flag (issue 23).

Blocks are entered and left in any order, from any thread; a block sees our transforms
while it is open; when the last installation closes, every name is back exactly as it
was, a third party's own replacement included. These tests run without BrainPy: a
stand-in ``brainpy.math`` (and its two submodules) with distinct functions is put in
``sys.modules`` for each test.
"""

from __future__ import annotations

import sys
import threading
import types

import pytest

import brainpy_autograd as bpa
from brainpy_autograd import _install
from brainpy_autograd._install import MODULES, REPLACEMENTS


def _brainpys_own(name):
    def transform(*args, **kwargs):
        return f"brainpy's {name}"

    return transform


@pytest.fixture
def brainpy_math(monkeypatch):
    """The stand-in ``brainpy.math``; every module's names are checked against what they
    were when the test began, after it."""
    monkeypatch.setattr(_install, "_open", [], raising=False)  # (none before issue 23)
    monkeypatch.setattr(_install, "_originals", {})
    modules = {}
    for name in ("brainpy", *MODULES):
        module = types.ModuleType(name)
        monkeypatch.setitem(sys.modules, name, module)
        modules[name] = module
    for name in MODULES:
        for attr in REPLACEMENTS:
            setattr(modules[name], attr, _brainpys_own(attr))
    yield modules["brainpy.math"]


def snapshot():
    return {(m, n): getattr(sys.modules[m], n) for m in MODULES for n in REPLACEMENTS}


def ours_everywhere():
    return all(getattr(sys.modules[m], n) is REPLACEMENTS[n] for m in MODULES
               for n in REPLACEMENTS)


def test_blocks_of_two_threads_that_overlap(brainpy_math):
    """Thread A enters, then B; A leaves while B is inside: B still runs our grad, and
    when B leaves BrainPy's names are back (what main did wrong: bm.grad ours after both,
    and BrainPy's inside B)."""
    before = snapshot()
    a_in, b_in, a_out, b_checked = (threading.Event() for _ in range(4))
    seen: dict[str, object] = {}
    errors: list[BaseException] = []

    def thread_a():
        try:
            with bpa.install():
                a_in.set()
                assert b_in.wait(10)
            a_out.set()
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    def thread_b():
        try:
            assert a_in.wait(10)
            with bpa.install():
                b_in.set()
                assert a_out.wait(10)
                seen["grad in B after A left"] = brainpy_math.grad
                seen["everywhere"] = ours_everywhere()
                b_checked.set()
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=thread_a), threading.Thread(target=thread_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not errors and b_checked.is_set()
    assert seen == {"grad in B after A left": bpa.grad, "everywhere": True}
    assert snapshot() == before and not bpa.is_installed()


def test_handles_closed_out_of_order_in_one_thread(brainpy_math):
    before = snapshot()
    first, second = bpa.install(), bpa.install()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the outer one first
    assert ours_everywhere() and bpa.is_installed() and second.open and not first.open
    second.__exit__(None, None, None)
    assert snapshot() == before and not bpa.is_installed()
    first.__exit__(None, None, None)  # closing again changes nothing
    assert snapshot() == before


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 0, 1), (1, 2, 0)])
def test_many_threads_leaving_in_any_order(brainpy_math, order):
    before = snapshot()
    inside = threading.Barrier(3)
    turn = [threading.Event() for _ in order]
    views: list[bool] = []
    errors: list[BaseException] = []

    def worker(index):
        try:
            with bpa.install():
                inside.wait(10)
                assert turn[index].wait(10)
                views.append(ours_everywhere())  # this block is still open
            rank = order.index(index)
            if rank + 1 < len(order):
                turn[order[rank + 1]].set()
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    turn[order[0]].set()
    for thread in threads:
        thread.join(20)
    assert not errors and views == [True, True, True]
    assert snapshot() == before and not bpa.is_installed()


def test_a_third_partys_replacement_is_what_comes_back(brainpy_math):
    def theirs(*args, **kwargs):
        return "theirs"

    brainpy_math.grad = theirs  # before install: it is the original to give back
    with bpa.install():
        assert brainpy_math.grad is bpa.grad
    assert brainpy_math.grad is theirs
    with bpa.install():
        brainpy_math.hessian = theirs  # during: left as they set it
    assert brainpy_math.hessian is theirs and not bpa.is_installed()


def test_a_third_partys_replacement_while_installed_is_recorded_when_taken_again(
        brainpy_math):
    def theirs(*args, **kwargs):
        return "theirs"

    handle = bpa.install()
    brainpy_math.grad = theirs
    with bpa.install():  # takes grad again: theirs is what comes back at the end
        assert brainpy_math.grad is bpa.grad
    assert brainpy_math.grad is bpa.grad  # the first installation is still open
    handle.close()
    assert brainpy_math.grad is theirs


def test_uninstall_closes_plain_installs_but_not_open_blocks(brainpy_math):
    before = snapshot()
    bpa.install()
    bpa.install()
    with bpa.install():
        bpa.uninstall()
        assert ours_everywhere()  # the block is still open
    assert snapshot() == before
    bpa.install()
    bpa.uninstall()
    assert snapshot() == before and not bpa.is_installed()
    bpa.uninstall()  # nothing open: a no-op
    assert snapshot() == before


def test_uninstall_gives_back_a_third_partys_replacement_made_before_install(brainpy_math):
    """The issue-25 mutation: install() must record what was there (theirs), not
    BrainPy's, in every module; uninstall() (not only a block's end) gives it back."""
    def theirs(*args, **kwargs):
        return "theirs"

    for name in MODULES:
        setattr(sys.modules[name], "grad", theirs)
    before = snapshot()
    bpa.install()
    assert ours_everywhere()
    bpa.install()  # a second install while open records nothing new
    bpa.uninstall()
    assert snapshot() == before and brainpy_math.grad is theirs


def test_a_name_a_module_lacks_is_not_added(brainpy_math):
    """'and nothing else': a BrainPy module without one of the names gets none, during
    or after."""
    autograd = sys.modules["brainpy.math.object_transform.autograd"]
    del autograd.functional_vector_grad
    with bpa.install():
        assert not hasattr(autograd, "functional_vector_grad")
        assert brainpy_math.functional_vector_grad is REPLACEMENTS["functional_vector_grad"]
    assert not hasattr(autograd, "functional_vector_grad")


def test_a_name_set_to_ours_by_hand_after_uninstall_is_left_alone(brainpy_math):
    """What a closed installation recorded is forgotten: a later installation gives back
    only what it replaced itself, so a name the user set to ours by hand stays ours."""
    with bpa.install():
        pass
    brainpy_math.grad = bpa.grad  # by hand, not through install()
    with bpa.install():
        pass
    assert brainpy_math.grad is bpa.grad
    assert brainpy_math.hessian is not REPLACEMENTS["hessian"]  # the others came back


def test_a_block_is_installed_even_if_its_handle_closed_before_it_began(brainpy_math):
    # another thread's uninstall() between install() and __enter__, or by hand
    before = snapshot()
    handle = bpa.install()
    bpa.uninstall()
    assert not handle.open and snapshot() == before
    with handle:
        assert ours_everywhere() and handle.open
    assert snapshot() == before and not handle.open
    handle.close()  # closed already: nothing
    with handle:
        assert ours_everywhere()
    assert snapshot() == before


def test_a_handle_entered_twice_stays_installed_until_the_outer_block_ends(brainpy_math):
    before = snapshot()
    handle = bpa.install()
    with handle:
        with handle:
            assert ours_everywhere()
        assert ours_everywhere()  # the outer block is still open
        bpa.uninstall()
        assert ours_everywhere()
    assert snapshot() == before and not bpa.is_installed()


def test_uninstall_from_another_thread_never_reaches_a_with_install_block(brainpy_math):
    before = snapshot()
    done = threading.Event()
    bad: list[int] = []

    def blocks():
        for i in range(2000):
            with bpa.install():
                if not ours_everywhere():
                    bad.append(i)
        done.set()

    def uninstalls():
        while not done.is_set():
            bpa.uninstall()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=blocks), threading.Thread(target=uninstalls)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert not bad
    bpa.uninstall()
    assert snapshot() == before
