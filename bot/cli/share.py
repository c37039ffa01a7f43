"""`loaso share TEXT|ARTICLE`: copy-ready text for hamlet Zalo groups (issue 19); the same
text leaders get in chat with /chiase (handlers/share.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import fail, pack_or_exit, settings_or_exit


def share(what: Annotated[str, typer.Argument(
        help="Mã bài viết (ví dụ dot2-y-nghia-dai-hoi-xiv) hoặc nội dung cần chia sẻ.")]) -> None:
    """In nội dung sẵn để dán vào nhóm Zalo của thôn: chữ thường, không Markdown, tối đa
    2.000 ký tự, kèm đường dẫn tới trang bài viết."""
    from handlers.share import share_article, share_text

    settings = settings_or_exit()
    pack = pack_or_exit(settings)
    given = what.strip()
    if not given:
        fail("Cần mã bài viết hoặc nội dung cần chia sẻ.")
    organisation = pack.campaign.organisation.name
    article = pack.article_by_id.get(given)
    if article is None:
        typer.echo(share_text(given, organisation=organisation))
        return
    if not settings.public_url:
        typer.echo("Chưa đặt LOASO_PUBLIC_URL nên nội dung chưa kèm đường dẫn tới trang bài "
                   "viết.", err=True)
    typer.echo(share_article(article, organisation=organisation, public_url=settings.public_url))
