"""`loaso drafts import` and `loaso comments template|import`: documents and meeting comments."""

from __future__ import annotations

import typer

from bot.cli_comments import comments_app  # noqa: F401  (commands register on this group)

drafts_app = typer.Typer(help="Dự thảo văn kiện trong gói nội dung.", no_args_is_help=True)
