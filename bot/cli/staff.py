"""`loaso staff …`: accounts of the staff console (/admin).

The password is read from standard input when it is not a terminal (one line, for scripts:
`printf '%s\\n' "$MAT_KHAU" | loaso staff add …`), and asked twice otherwise; it never
appears on the command line, where other users of the server could see it.

The contract of these commands has no --by: who acted is the operating-system account that
ran them (bot.cli.common.server_operator), unless --by names someone (then the --by rule).
"""

from __future__ import annotations

import asyncio
import getpass
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import (
    actor,
    fail,
    in_transaction,
    pack_or_exit,
    run_action,
    server_operator,
    settings_or_exit,
)

if TYPE_CHECKING:
    from db.audit import Who

staff_app = typer.Typer(help="Tài khoản trang quản trị (/admin): thêm, liệt kê, khóa, đặt lại "
                             "mật khẩu.", no_args_is_help=True)

By = Annotated[str | None, typer.Option(
    "--by", help="Họ tên người thực hiện, ghi vào nhật ký (mặc định: tài khoản máy chủ).",
    show_default=False)]


def _who(by: str | None) -> Who:
    from db.audit import Who

    return Who(actor(by) if by is not None else server_operator())


def _password(username: str) -> str:
    """From stdin (not a terminal: its first line) or typed twice; checked, never echoed."""
    from bot.console.passwords import password_problem

    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("Không đọc được mật khẩu: đầu vào chuẩn trống (gửi mật khẩu trên một dòng).")
    else:
        password = getpass.getpass("Mật khẩu mới: ")
        if password_problem(password, username) is None and \
                getpass.getpass("Nhập lại mật khẩu: ") != password:
            fail("Hai lần nhập mật khẩu không khớp; chưa lưu gì. Hãy chạy lại lệnh.")
    problem = password_problem(password, username)
    if problem:
        fail(problem + " Chưa lưu gì.")
    return password


@staff_app.command("add")
def add(username: Annotated[str, typer.Argument(help="Tên đăng nhập, ví dụ nguyen.van.a.")],
        role: Annotated[str, typer.Option("--role", help="admin, staff hoặc leader.")],
        name: Annotated[str, typer.Option("--name", help="Họ tên người dùng tài khoản.")],
        group: Annotated[list[str], typer.Option(
            "--group", help="leader: nhóm phụ trách (mã trong gói nội dung; lặp lại được).")] = [],  # noqa: B006 (typer reads it, never mutates it)
        area: Annotated[list[str], typer.Option(
            "--area", help="leader: thôn phụ trách (mã; lặp lại được).")] = [],  # noqa: B006
        by: By = None) -> None:
    """Tạo tài khoản trang quản trị; mật khẩu đọc từ đầu vào chuẩn hoặc gõ hai lần."""
    from bot.actions import ActionRefused
    from bot.actions.accounts import add_account, check_scope, clean_name, clean_username
    from bot.console.passwords import hash_password

    settings = settings_or_exit()
    pack = pack_or_exit(settings)
    who = _who(by)
    try:  # the commonest mistakes, before a password is asked for
        username = clean_username(username)
        name = clean_name(name)
        check_scope(pack, role, group, area)
    except ActionRefused as refused:
        fail(str(refused))
    hashed = hash_password(_password(username))
    account = run_action(settings, lambda session, now: add_account(
        session, pack, username=username, name=name, role=role, groups=group, areas=area,
        password_hash=hashed, who=who, now=now))
    where = f"{settings.public_url}/admin/login" if settings.public_url else "/admin/login"
    typer.echo(f"Đã tạo tài khoản {account.username} ({name}, vai trò {role}). "
               f"Đăng nhập tại {where}.")


@staff_app.command("list")
def list_() -> None:
    """Liệt kê các tài khoản trang quản trị."""
    from db.accounts import list_accounts
    from db.login_links import ROLE_LABELS
    from db.models import Role

    settings = settings_or_exit()
    accounts = asyncio.run(in_transaction(settings, list_accounts))
    if not accounts:
        typer.echo("Chưa có tài khoản nào. Tạo bằng: loaso staff add TÊN --role admin "
                   "--name \"Họ tên\"")
        return
    zone = settings.zone
    for account in accounts:
        scope = ", ".join([*account.groups, *account.areas])
        state = (f"đã khóa {account.disabled_at.astimezone(zone):%d/%m/%Y}"
                 if account.disabled_at else "đang dùng")
        kind = "theo vai trò trong Loa Số (/dangnhap)" if account.user_id else ""
        typer.echo("\t".join(part for part in (
            account.username, account.name, ROLE_LABELS.get(Role(account.role), account.role),
            scope or "—", state, kind) if part))


@staff_app.command("disable")
def disable(username: Annotated[str, typer.Argument(help="Tên đăng nhập.")], by: By = None) -> None:
    """Khóa tài khoản: không đăng nhập được nữa, các phiên đang mở chấm dứt ngay."""
    from bot.actions.accounts import disable_account

    settings = settings_or_exit()
    who = _who(by)
    account = run_action(settings, lambda session, now: disable_account(session, username, who=who,
                                                                   now=now))
    typer.echo(f"Đã khóa tài khoản {account.username}; các phiên đăng nhập của tài khoản này "
               "đã chấm dứt.")


@staff_app.command("reset-password")
def reset(username: Annotated[str, typer.Argument(help="Tên đăng nhập.")], by: By = None) -> None:
    """Đặt mật khẩu mới; các phiên đang mở của tài khoản chấm dứt."""
    from bot.actions import ActionRefused
    from bot.actions.accounts import clean_username, reset_password
    from bot.console.passwords import hash_password
    from db.accounts import find_account

    settings = settings_or_exit()
    who = _who(by)
    try:
        username = clean_username(username)
    except ActionRefused as refused:
        fail(str(refused))
    if asyncio.run(in_transaction(settings, lambda session: find_account(session, username))) is None:
        fail(f"Không có tài khoản '{username}'. Xem danh sách: loaso staff list")
    hashed = hash_password(_password(username))
    account = run_action(settings, lambda session, now: reset_password(
        session, username, password_hash=hashed, who=who, now=now))
    typer.echo(f"Đã đặt mật khẩu mới cho {account.username}; các phiên đăng nhập cũ đã chấm dứt.")
