"""The list of flows, and the one place that builds the Router from it.

To add a flow: write `handlers/<flow>.py` with `register(router)` (its commands, `steps`
tables of buttons, states and menu entry (plain words: handlers/intents.py); its texts in
handlers/texts.py, its
in-progress data a FlowData model, its diagram in `handlers/<flow>.mmd` if it has states),
then add the module to FLOWS. A name claimed twice stops `build_router()` with an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from handlers import (
    announcements,
    approvals,
    calendar,
    consent,
    console_login,
    consultation,
    faq,
    inquiries,
    intents,
    meetings,
    menu,
    my_comments,
    my_data,
    news,
    quiz,
    roles,
    search,
    share,
    subscriptions,
)
from handlers.router import Router

FLOWS: tuple[ModuleType, ...] = (
    menu, consent, search, news, consultation, my_comments, subscriptions, faq, quiz,
    calendar, my_data, roles, announcements, approvals, console_login,
    inquiries, meetings, share, intents,
)


def build_router(flows: Iterable[ModuleType] | None = None) -> Router:
    """A Router with the steps of `flows` (default: FLOWS); refused if some event would
    have no answer or two steps claim one name."""
    router = Router()
    for flow in FLOWS if flows is None else flows:
        flow.register(router)
    router.check()
    return router
