"""After an erasure, walk every table and column: nothing kept may still lead to the person.

The walk is generic on purpose: a table added later that can hold a person is checked too.
What may still name them is listed in KEPT, each entry with the reason (README, "Xóa dữ liệu").
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from db.base import Base
from db.console_models import StaffAccount
from db.erasure import erase_resident
from db.models import Comment, Invite, RoleGrant, User
from tests.db.test_erasure import NOW, seed_resident

NAME = "Nguyễn Văn Tư"
ADDRESS = "resident-zx81"

# (table, column): why it may still point at the person after erasure.
KEPT = {
    ("users", "id"): "the chat address row: how the bot answers at all",
    ("users", "address"): "the chat address row: how the bot answers at all",
    ("conversation_states", "user_id"): "reset to nothing; the bot writes it on every message",
    ("outbox", "user_id"): "delivery records to them, their text already emptied",
    ("outbox", "recipient"): "delivery records to them, their text already emptied",
}


def _links(value, *, user_id: int) -> bool:
    if value is None:
        return False
    if isinstance(value, int) and not isinstance(value, bool):
        return value == user_id
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
    return (NAME in text or ADDRESS in text or text.startswith(f"{user_id}:")
            or NAME.split()[-1] == text)


def _person_columns(table) -> list:
    """Columns that can hold a person: references to users, and every text or JSON value."""
    return [column for column in table.columns
            if any(fk.column.table.name == "users" for fk in column.foreign_keys)
            or (table.name == "users" and column.primary_key)
            or column.type.python_type in (str, dict, list)]


async def test_no_column_of_any_table_links_a_kept_row_to_the_erased_person(database):
    user_id = await seed_resident(database, address=ADDRESS, name=NAME, comments=2)
    async with database.transaction() as session:
        invite = Invite(code_hash="h" * 64, role="leader", groups=["mttq"], areas=["thon-1"],
                        note=f"Mời {NAME}, trưởng ban công tác mặt trận thôn 1",
                        created_by="Cán bộ A", created_at=NOW - timedelta(days=9),
                        expires_at=NOW, used_at=NOW - timedelta(days=8), used_by=user_id)
        session.add(invite)
        await session.flush()
        session.add(RoleGrant(user_id=user_id, role="staff", invite_id=invite.id,
                              granted_at=NOW - timedelta(days=8), revoked_at=NOW,
                              revoked_by="Cán bộ A"))
        session.add(StaffAccount(username="tu", name="Cán bộ trực", role="leader",
                                 user_id=user_id, created_by="Cán bộ A"))
        # The chat flow's key: "<user id>:<preview>", as handlers/consultation.py writes it.
        for number, comment in enumerate((await session.execute(
                select(Comment).where(Comment.user_id == user_id))).scalars()):
            comment.submission_key = f"{user_id}:preview-{number}"
    async with database.transaction() as session:
        await erase_resident(session, user_id, now=datetime(2025, 10, 2, tzinfo=UTC), via="cli")

    found = []
    async with database.read() as session:
        for table in Base.metadata.sorted_tables:
            columns = _person_columns(table)
            if not columns:
                continue
            for row in (await session.execute(select(*columns))).all():
                for column, value in zip(columns, row, strict=True):
                    if (table.name, column.name) not in KEPT and _links(value, user_id=user_id):
                        found.append(f"{table.name}.{column.name} = {value!r}")
        comments = (await session.execute(select(Comment))).scalars().all()
        assert len(comments) == 2 and all(c.text for c in comments)  # the consultation keeps them
        assert (await session.get(User, user_id)).address == ADDRESS
    assert found == []
