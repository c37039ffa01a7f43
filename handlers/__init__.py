"""Conversation flows. They see only neutral types (handlers.types) and the database."""

from handlers import consent, menu  # noqa: F401  (importing registers the flows)
from handlers.router import Router, Turn, router

__all__ = ["Router", "Turn", "router"]
