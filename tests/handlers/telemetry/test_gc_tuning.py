from __future__ import annotations

import gc

import pytest

from handlers.telemetry import gc_tuning


@pytest.fixture
def freezes(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append(1))
    return calls


def test_the_init_heap_is_frozen_inside_lambda(monkeypatch, freezes):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "f")
    assert gc_tuning.freeze_init_heap() is True
    assert freezes == [1]


def test_nothing_is_frozen_outside_lambda(freezes):
    assert gc_tuning.freeze_init_heap() is False
    assert freezes == []


def test_freezing_can_be_switched_off(monkeypatch, freezes):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "f")
    monkeypatch.setenv("TELEMETRY_GC_FREEZE", "off")
    assert gc_tuning.freeze_init_heap() is False
    assert freezes == []


def test_sdk_imports_run_with_the_collector_paused_and_are_frozen_after(monkeypatch, freezes):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "f")
    assert gc.isenabled()
    with gc_tuning.quiet_imports():
        assert not gc.isenabled() and freezes == [1]
    assert gc.isenabled() and freezes == [1, 1]


def test_the_collector_comes_back_even_when_an_import_fails(monkeypatch, freezes):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "f")
    with pytest.raises(ImportError):
        with gc_tuning.quiet_imports():
            raise ImportError("missing")
    assert gc.isenabled()


def test_a_collector_disabled_by_the_host_stays_disabled(monkeypatch, freezes):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "f")
    gc.disable()
    try:
        with gc_tuning.quiet_imports():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_outside_lambda_the_collector_is_left_alone(freezes):
    with gc_tuning.quiet_imports():
        assert gc.isenabled()
    assert freezes == []
