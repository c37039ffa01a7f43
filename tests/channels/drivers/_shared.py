"""What the channel drivers' fixtures share: a fake platform served on loopback, settings
that point at it, and captured events made new. Not a driver (its name starts with `_`)."""

from __future__ import annotations

import copy
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from bot.settings import Settings
from tests.conftest import fixture
from tests.fakes.telegram_api import running

F = TypeVar("F")
_ids = itertools.count(1)


@asynccontextmanager
async def served(fake: F) -> AsyncIterator[F]:
    """The fake platform on a loopback port, its `base_url` set for the settings."""
    async with running(fake) as base_url:
        fake.base_url = base_url
        yield fake


def settings_builder(make_settings: Callable[..., Settings],
                     **values: Any) -> Callable[..., Settings]:
    """What a `<channel>_settings` fixture gives: settings pointing at the fake, with each
    test's overrides on top."""
    return lambda **overrides: make_settings(**{**values, **overrides})


def fresh(name: str, id_key: str) -> dict:
    """A captured event (tests/channels/fixtures/<name>.json) with a new message id in
    `message[id_key]`, so it is never taken for a redelivery."""
    event = copy.deepcopy(fixture(f"{name}.json"))
    event["message"][id_key] = f"{next(_ids):020x}"
    return event
