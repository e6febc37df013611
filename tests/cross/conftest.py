"""Security tests share one bot server per module and backend (see tests.cross.school.Stack)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import BACKENDS
from tests.cross.school import Stack, start_stack, stop_stack
from tests.support.people import NOW, SIGNING_SECRET


@pytest.fixture(scope="module", params=BACKENDS)
def stack(request: pytest.FixtureRequest, _databases: Any) -> Iterator[Stack]:
    """The bot over HTTP with its emulator, on each backend in turn, for a whole module."""
    made = _databases.get(request.param)
    started = start_stack(made.db, made.url, NOW, SIGNING_SECRET)
    yield started
    stop_stack(started)


@pytest.fixture
def fresh(stack: Stack) -> Iterator[Stack]:
    """The module's stack, emptied: no rows, no calls, the clock at NOW. Checks Slack accepted every block."""
    stack.fresh(NOW)
    yield stack
    stack.settle()
    assert stack.emulator.block_errors == [], f"Slack would have rejected: {stack.emulator.block_errors}"
