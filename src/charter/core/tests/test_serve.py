"""`charter serve`'s web server under load: waitress's queue warnings, one line a minute."""

from __future__ import annotations

import logging

import pytest
from waitress.server import create_server
from waitress.task import ThreadedTaskDispatcher

from charter.core.management.commands.serve import QueueDepthSummary, waitress_adjustments


class _Request:
    def service(self) -> None:  # never runs: the dispatcher has no threads
        raise AssertionError("not served")


@pytest.fixture
def clock() -> list[float]:
    return [1000.0]


@pytest.fixture
def summary(clock: list[float]):
    summary = QueueDepthSummary(every=60, clock=lambda: clock[0])
    logger = logging.getLogger("waitress.queue")
    logger.addFilter(summary)
    yield summary
    logger.removeFilter(summary)


def test_a_busy_server_says_its_queue_is_deep_once_a_minute(
    summary: QueueDepthSummary, clock: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    # A dispatcher with every thread busy (here: none at all) warns for every request queued.
    dispatcher = ThreadedTaskDispatcher()
    caplog.set_level(logging.WARNING, logger="waitress.queue")

    for _ in range(500):
        dispatcher.add_task(_Request())
    first = [r.getMessage() for r in caplog.records]
    clock[0] += 61
    dispatcher.add_task(_Request())
    second = [r.getMessage() for r in caplog.records][len(first) :]

    assert first == ["Task queue depth is 1 (all web threads busy)"]
    assert second == [
        "Task queue depth is 501 (all web threads busy); 499 similar warnings in the last 60 s"
    ]


def test_the_server_holds_more_connections_as_it_gets_more_threads() -> None:
    def app(environ, start_response):
        raise AssertionError("not called")

    small = create_server(app, host="127.0.0.1", port=0, **waitress_adjustments(threads=2))
    big = create_server(app, host="127.0.0.1", port=0, **waitress_adjustments(threads=32))
    try:
        assert small.adj.connection_limit >= 100
        assert big.adj.connection_limit >= 16 * 32
        assert big.adj.connection_limit > small.adj.connection_limit
    finally:
        small.close()
        big.close()
