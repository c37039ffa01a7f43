"""`loaso comments …`: staff review of the consultation (list, review, answer)."""

from __future__ import annotations

import typer

comments_app = typer.Typer(help="Góp ý vào dự thảo văn kiện: xem, duyệt, trả lời, xuất.",
                           no_args_is_help=True)
