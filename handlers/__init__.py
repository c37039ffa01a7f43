"""Conversation flows. They see only neutral types (messages.types) and the database."""

from handlers import (  # noqa: F401  (importing registers the flows)
    announcements,
    approvals,
    calendar,
    consent,
    consultation,
    faq,
    menu,
    my_comments,
    my_data,
    news,
    quiz,
    roles,
    search,
    subscriptions,
)
from handlers.router import Router, Turn, router

__all__ = ["Router", "Turn", "router"]
