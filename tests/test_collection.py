"""The garbage collector paused during evaluations (runtime/inputs/collection.py)."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest

from runtime.inputs.collection import collect_young, collector_paused


@pytest.fixture(autouse=True)
def _collector_on() -> object:
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_paused_inside_and_back_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_blocks_keep_it_paused_until_the_outermost_ends() -> None:
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_restored_after_an_exception_and_as_a_decorator() -> None:
    @collector_paused()
    def fails() -> None:
        assert not gc.isenabled()
        raise ValueError("boom")

    with pytest.raises(ValueError):
        fails()
    assert gc.isenabled()


def test_overlapping_blocks_in_threads() -> None:
    inside = threading.Barrier(2)
    leave = threading.Event()

    def worker() -> None:
        with collector_paused():
            inside.wait()
            leave.wait()

    thread = threading.Thread(target=worker)
    thread.start()
    with collector_paused():
        inside.wait()
    assert not gc.isenabled()  # the worker's block is still open
    leave.set()
    thread.join()
    assert gc.isenabled()


class _Node:
    def __init__(self) -> None:
        self.me = self


def test_collect_young_frees_cycles_made_in_the_block() -> None:
    with collector_paused():
        node = _Node()
        alive = weakref.ref(node)
        del node
        assert alive() is not None  # a cycle: reference counting alone keeps it
        collect_young()
        assert alive() is None
