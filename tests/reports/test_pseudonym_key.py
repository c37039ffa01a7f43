"""The pseudonym key can live outside the database, so a copy of the database alone cannot
tell which resident an "ND-…" label in an export stands for."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from bot.reports.export import export_comments
from bot.settings import SettingsError
from db import comments as comment_queries
from db.comments import CommentFilter
from db.models import AppSecret
from tests.db.test_erasure import seed_resident
from tests.reports.test_export import pack, read_csv  # noqa: F401  (pack is a fixture)


@pytest.fixture
def outside_key():
    key = secrets.token_bytes(32)
    comment_queries.use_pseudonym_key(key)
    yield key
    comment_queries.use_pseudonym_key(None)


async def test_exports_use_the_key_from_outside_and_the_database_keeps_none(
        database, pack, tmp_path, outside_key):
    user_id = await seed_resident(database, comments=0, anonymous=1)
    await export_comments(database, pack, out=tmp_path / "out.csv", kind="csv",
                          where=CommentFilter(), actor="Cán bộ A")
    (row,) = read_csv(tmp_path / "out.csv")
    assert row["Người góp ý"] == comment_queries.pseudonym(outside_key, user_id)
    async with database.read() as session:
        assert (await session.execute(select(AppSecret).where(
            AppSecret.name == comment_queries.PSEUDONYM_KEY))).first() is None


def test_the_key_comes_from_the_setting_or_its_file_and_a_bad_one_is_refused(make_settings,
                                                                             tmp_path):
    key = secrets.token_hex(32)
    assert make_settings(pseudonym_key=key).external_pseudonym_key() == bytes.fromhex(key)
    path = tmp_path / "pseudonym.key"
    path.write_text(key + "\n")
    assert make_settings(pseudonym_key_file=path).external_pseudonym_key() == bytes.fromhex(key)
    assert make_settings().external_pseudonym_key() is None
    path.write_text("ngắn quá")
    with pytest.raises(SettingsError, match="openssl rand -hex 32"):
        make_settings(pseudonym_key_file=path).external_pseudonym_key()
    with pytest.raises(SettingsError, match="không đọc được"):
        make_settings(pseudonym_key_file=tmp_path / "missing.key").external_pseudonym_key()
    with pytest.raises((SettingsError, ValueError), match="LOASO_PSEUDONYM_KEY"):
        make_settings(pseudonym_key="abcd")
