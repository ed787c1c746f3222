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
