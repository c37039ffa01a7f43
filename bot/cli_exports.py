"""`loaso comments export|report`: files for staff and the standing committee."""

from __future__ import annotations

from bot.cli_comments import comments_app  # noqa: F401  (commands register on this group)
