"""`loaso zalo …`. Texts are Vietnamese: staff run these.

`oa-auth` is the one-time OAuth v4 grant an OA administrator does in a browser
(docs/platforms.md, Zalo OA tokens): we print the permission URL with a PKCE challenge, the
administrator approves and pastes back the code (or the whole address Zalo redirected to),
and the tokens go straight into the token store, where the service rotates them from then on.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import parse_qs, urlencode, urlparse

import typer

from bot.cli.common import MIGRATE_HINT, fail, settings_or_exit
from bot.settings import Settings

zalo_app = typer.Typer(help="Kênh Zalo: cấp quyền cho Official Account.", no_args_is_help=True)


def pkce_pair() -> tuple[str, str]:
    """code_verifier and its S256 challenge (base64url without padding)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def permission_url(settings: Settings, *, redirect_uri: str, challenge: str, state: str) -> str:
    query = urlencode({"app_id": settings.zalo_oa_app_id, "redirect_uri": redirect_uri,
                       "code_challenge": challenge, "state": state})
    return f"{settings.zalo_oa_oauth_base}/v4/oa/permission?{query}"


def code_from(answer: str, state: str) -> str:
    """The code typed alone, or taken from the address Zalo redirected to (state checked)."""
    answer = answer.strip()
    if "code=" not in answer:
        return answer
    query = parse_qs(urlparse(answer).query or answer)
    if query.get("state", [state])[0] != state:
        fail("Địa chỉ dán vào không khớp lần cấp quyền này (state khác). Hãy chạy lại lệnh.")
    return query.get("code", [""])[0]


@zalo_app.command("oa-auth")
def oa_auth(redirect_uri: Annotated[str | None, typer.Option(
        help="Callback URL đã khai báo trong ứng dụng Zalo (mặc định: LOASO_PUBLIC_URL/zalo/callback).")
        ] = None) -> None:
    """Cấp quyền lần đầu cho Zalo OA: mở đường dẫn, đồng ý, dán mã code vào đây."""
    settings = settings_or_exit(require_channels=True)
    if settings.zalo_oa_app_id is None:
        fail("Chưa đặt LOASO_ZALO_OA_APP_ID, LOASO_ZALO_OA_APP_SECRET và LOASO_ZALO_OA_SECRET_KEY.")
    redirect = redirect_uri or (f"{settings.public_url}/zalo/callback" if settings.public_url
                                else None)
    if redirect is None:
        fail("Cần --redirect-uri (địa chỉ callback đã khai báo trong ứng dụng Zalo) "
             "hoặc LOASO_PUBLIC_URL.")
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(12)
    typer.echo("1. Người quản trị OA mở đường dẫn sau trong trình duyệt và bấm đồng ý:\n")
    typer.echo(permission_url(settings, redirect_uri=redirect, challenge=challenge, state=state))
    typer.echo("\n2. Zalo chuyển sang địa chỉ callback kèm ?code=… (mã có hiệu lực khoảng 10 phút).")
    answer = typer.prompt("3. Dán mã code (hoặc cả địa chỉ trên thanh trình duyệt)")
    code = code_from(answer, state)
    if not code:
        fail("Không thấy mã code trong nội dung vừa dán.")
    expires = asyncio.run(_exchange_and_store(settings, code, verifier))
    typer.echo(f"Đã lưu token Zalo OA vào cơ sở dữ liệu (access token hết hạn lúc {expires}). "
               "Từ nay Loa Số tự làm mới token.")


async def _exchange_and_store(settings: Settings, code: str, verifier: str) -> str:
    from bot.channels.json_http import JsonHttp
    from bot.channels.zalo_oa import NAME, TokenUnavailable, exchange
    from db import channel_tokens, migrations
    from db.engine import Database

    database = Database(settings.database_url)
    try:
        if not await migrations.is_up_to_date(database):
            fail(MIGRATE_HINT)
        http = JsonHttp(pool_size=1, timeout=15.0)
        try:
            grant = await exchange(http, settings.zalo_oa_oauth_base,
                                   app_id=settings.zalo_oa_app_id,
                                   app_secret=settings.zalo_oa_app_secret.get_secret_value(),
                                   form={"code": code, "grant_type": "authorization_code",
                                         "code_verifier": verifier})
        except TokenUnavailable as error:
            fail(f"Không đổi được mã code lấy token: {error.reason.split(';')[0]}")
        finally:
            await http.close()
        stored = await channel_tokens.save_grant(database, NAME, grant, now=datetime.now(UTC))
        assert stored.access_expires_at is not None  # a grant's tokens always have an expiry
        return stored.access_expires_at.astimezone(settings.zone).strftime("%H:%M ngày %d/%m/%Y")
    finally:
        await database.dispose()
