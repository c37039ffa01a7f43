"""`loaso staff add|list|disable|reset-password`, as an operator runs them."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from bot.console import sessions
from bot.console.passwords import verify_password
from db.console_models import AuditEntry, StaffAccount, StaffSession
from db.engine import Database
from tests.bot.test_cli import run
from tests.conftest import MINI_PACK

PASSWORD = "lua-chin-dong-xanh"


@pytest.fixture
def env(database_url):
    return {"LOASO_DATABASE_URL": database_url, "LOASO_CONTENT_DIR": str(MINI_PACK),
            "LOASO_PUBLIC_URL": "https://xa.example.vn"}


def read(database_url, query):
    async def go():
        database = Database(database_url)
        try:
            async with database.read() as session:
                return list((await session.execute(query)).scalars())
        finally:
            await database.dispose()
    return asyncio.run(go())


def accounts(database_url) -> list[StaffAccount]:
    return read(database_url, select(StaffAccount).order_by(StaffAccount.id))


def open_session(database_url, account: StaffAccount) -> None:
    async def go():
        database = Database(database_url)
        try:
            await sessions.start(database, account, address="127.0.0.1",
                                 now=dt.datetime.now(dt.UTC), previous=None)
        finally:
            await database.dispose()
    asyncio.run(go())


def test_add_reads_the_password_from_stdin_and_stores_only_its_argon2id_hash(env, database_url):
    done = run(["staff", "add", "Nguyen.Van.A", "--role", "admin", "--name", "Nguyễn  Văn A"],
               env=env, stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert "Đã tạo tài khoản nguyen.van.a" in done.stdout
    assert "https://xa.example.vn/admin/login" in done.stdout and PASSWORD not in done.stdout
    [account] = accounts(database_url)
    assert (account.username, account.name, account.role) == ("nguyen.van.a", "Nguyễn Văn A",
                                                              "admin")
    assert account.password_hash.startswith("$argon2id$") and PASSWORD not in account.password_hash
    assert verify_password(account.password_hash, PASSWORD)
    [entry] = read(database_url, select(AuditEntry))
    assert (entry.action, entry.target, entry.address) == ("account.add", "nguyen.van.a", "cli")
    assert entry.actor.startswith("Máy chủ (")
    listed = run(["staff", "list"], env=env)
    assert listed.returncode == 0 and "nguyen.van.a\tNguyễn Văn A\tQuản trị" in listed.stdout


def test_a_leader_is_tied_to_groups_and_hamlets_of_the_pack(env, database_url):
    done = run(["staff", "add", "bi.thu", "--role", "leader", "--name", "Bí thư thôn 1",
                "--area", "thon-1", "--group", "mttq", "--by", "Cán bộ D"], env=env,
               stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    [account] = accounts(database_url)
    assert (account.areas, account.groups) == (["thon-1"], ["mttq"])
    [entry] = read(database_url, select(AuditEntry))
    assert entry.actor == "Cán bộ D"
    assert "mttq, thon-1" in run(["staff", "list"], env=env).stdout


@pytest.mark.parametrize("args, stdin, words", [
    (["a", "--role", "staff", "--name", "A"], PASSWORD, "không hợp lệ: 3–40 ký tự"),
    (["can bo", "--role", "staff", "--name", "A"], PASSWORD, "không hợp lệ"),
    (["can.bo", "--role", "boss", "--name", "A"], PASSWORD, "Vai trò 'boss' không hợp lệ"),
    (["can.bo", "--role", "staff", "--name", "  "], PASSWORD, "Cần ghi họ tên"),
    (["can.bo", "--role", "leader", "--name", "A"], PASSWORD, "ít nhất một nhóm"),
    (["can.bo", "--role", "leader", "--name", "A", "--area", "thon-9"], PASSWORD,
     "Không có thôn mã thon-9"),
    (["can.bo", "--role", "staff", "--name", "A", "--area", "thon-1"], PASSWORD,
     "Chỉ tài khoản người phụ trách"),
    (["can.bo", "--role", "staff", "--name", "A"], "ngan", "ít nhất 10 ký tự"),
    (["can.bo", "--role", "staff", "--name", "A"], "can.bo", "ít nhất 10 ký tự"),
    (["can.bo.xa.1", "--role", "staff", "--name", "A"], "can.bo.xa.1", "trùng tên đăng nhập"),
    (["can.bo", "--role", "staff", "--name", "A"], "", "đầu vào chuẩn trống"),
    (["can.bo", "--role", "staff", "--name", "A", "--by", " "], PASSWORD, "--by"),
])
def test_bad_input_is_refused_and_nothing_is_written(env, database_url, args, stdin, words):
    done = run(["staff", "add", *args], env=env, stdin=stdin + "\n" if stdin else "")
    assert done.returncode == 2 and words in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert accounts(database_url) == []


def test_an_existing_username_is_refused(env, database_url):
    assert run(["staff", "add", "can.bo", "--role", "staff", "--name", "A"], env=env,
               stdin=PASSWORD).returncode == 0
    again = run(["staff", "add", "Can.Bo", "--role", "admin", "--name", "B"], env=env,
                stdin=PASSWORD)
    assert again.returncode == 2 and "Đã có tài khoản 'can.bo'" in again.stderr
    [account] = accounts(database_url)
    assert account.role == "staff"


def test_disable_ends_the_open_sessions(env, database_url):
    run(["staff", "add", "can.bo", "--role", "staff", "--name", "A"], env=env, stdin=PASSWORD)
    [account] = accounts(database_url)
    open_session(database_url, account)
    done = run(["staff", "disable", "can.bo"], env=env)
    assert done.returncode == 0 and "Đã khóa tài khoản can.bo" in done.stdout
    [account] = accounts(database_url)
    assert account.disabled_at is not None
    assert read(database_url, select(StaffSession)) == []
    assert "đã khóa" in run(["staff", "list"], env=env).stdout
    missing = run(["staff", "disable", "khong.co"], env=env)
    assert missing.returncode == 2 and "Không có tài khoản 'khong.co'" in missing.stderr


def test_reset_password_replaces_it_and_ends_the_sessions(env, database_url):
    run(["staff", "add", "can.bo", "--role", "staff", "--name", "A"], env=env, stdin=PASSWORD)
    [account] = accounts(database_url)
    open_session(database_url, account)
    refused = run(["staff", "reset-password", "can.bo"], env=env, stdin="ngan\n")
    assert refused.returncode == 2 and len(read(database_url, select(StaffSession))) == 1
    done = run(["staff", "reset-password", "can.bo"], env=env, stdin="mat-khau-moi-2026\n")
    assert done.returncode == 0 and "Đã đặt mật khẩu mới cho can.bo" in done.stdout
    [account] = accounts(database_url)
    assert verify_password(account.password_hash, "mat-khau-moi-2026")
    assert not verify_password(account.password_hash, PASSWORD)
    assert read(database_url, select(StaffSession)) == []
    missing = run(["staff", "reset-password", "khong.co"], env=env, stdin="mat-khau-moi-2026\n")
    assert missing.returncode == 2 and "Không có tài khoản" in missing.stderr
