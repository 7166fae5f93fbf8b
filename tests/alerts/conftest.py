"""Fixtures of the alert tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.alerts.support import Receiver, outbox_engine


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = outbox_engine(tmp_path / "alerts.db")
    yield engine
    engine.dispose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()
