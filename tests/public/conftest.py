"""The public pages under test: the real app on the suite's database with the shipped pack
(or a copy of a pack a test changes) and a clock the test sets."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager

from bot.app import create_app
from bot.service import Service
from tests.conftest import MINI_PACK, SHIPPED_PACK

ZONE = dt.timezone(dt.timedelta(hours=7))
HTML = {"Accept": "text/html"}


class Clock:
    """The service's clock: the campaign day a test looks at."""

    def __init__(self) -> None:
        self.moment = dt.datetime(2025, 8, 10, 9, 0, tzinfo=ZONE)

    def __call__(self) -> dt.datetime:
        return self.moment

    def set(self, day: str, time: str = "09:00") -> None:
        self.moment = dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=ZONE)


@dataclass
class Site:
    client: httpx.AsyncClient
    service: Service
    clock: Clock

    @property
    def pack(self):
        return self.service.content.current.pack

    async def get(self, path: str, **options) -> httpx.Response:
        return await self.client.get(path, **options)


@asynccontextmanager
async def serving(settings, clock: Clock):
    service = Service(settings, clock=clock)
    app = create_app(service, run_sender=False)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://loaso.test") as client:
            yield Site(client, service, clock)


@pytest_asyncio.fixture
async def site(make_settings):
    """The shipped pack on 10/8/2025, with LOASO_PUBLIC_URL set."""
    async with serving(make_settings(content_dir=SHIPPED_PACK,
                                     public_url="https://loaso.xa.example"), Clock()) as served:
        yield served


@pytest.fixture
def pack_copy(tmp_path):
    """A copy of the small test pack that a test may change before serving it."""
    def copy(source=MINI_PACK):
        target = tmp_path / "pack"
        shutil.copytree(source, target)
        return target
    return copy


def article_ids(html: str) -> set[str]:
    """Ids of the articles a page links to."""
    return set(re.findall(r'href="(?:/admin/xem-truoc)?/tin/([a-z0-9-]+)[?"]', html))


def meta(html: str, prop: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)">', html)
    return found.group(1) if found else None


@pytest.fixture
def clock_site():
    """serving() for tests that build their own settings (another pack, no public URL)."""
    return lambda settings: serving(settings, Clock())
