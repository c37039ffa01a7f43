"""Conversation flows. They see only neutral types (handlers.types) and the database."""

from handlers import calendar, consent, faq, menu, news, search  # noqa: F401  (registers flows)
from handlers.router import Router, Turn, router

__all__ = ["Router", "Turn", "router"]
