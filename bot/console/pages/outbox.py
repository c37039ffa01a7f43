"""/admin/outbox: delivery health. What `loaso outbox status` shows (the same query,
db.outbox.status_report), per channel, the commonest reasons messages did not go out, in
Vietnamese (delivery.error_labels), and the state of Zalo OA's rotating token."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from bot.console.auth import Signed, now, service
from bot.console.page import Nav, Page
from bot.console.render import render
from db.channel_tokens import token_state
from db.models import Role
from db.outbox import status_report
from delivery.error_labels import STATUS_NAMES, channel_name, error_label

page = Page("outbox", role=Role.STAFF, nav=Nav("Tình hình gửi tin", "/admin/outbox", order=60))
ZALO_OA = "zalo-oa"
COMMONEST = 10


def _per_channel(counts: list[tuple[str, str, str, int]]) -> list[dict[str, object]]:
    """One table per channel: each state with replies and bulk, like the command's table."""
    channels: dict[str, dict[str, dict[str, int]]] = {}
    for channel, state, kind, count in counts:
        states = channels.setdefault(channel, {name: {"reply": 0, "bulk": 0}
                                               for name in STATUS_NAMES})
        states.setdefault(state, {"reply": 0, "bulk": 0})[kind] += count
    return [{"label": channel_name(channel), "channel": channel,
             "rows": [{"label": STATUS_NAMES.get(state, state), **kinds}
                      for state, kinds in states.items()]}
            for channel, states in sorted(channels.items())]


def _commonest(errors: list[tuple[str, str | None, str | None, int]]) -> list[dict[str, object]]:
    """The reasons summed by their Vietnamese wording per channel, commonest first, with
    one of the platform's own texts as an example (the first one met)."""
    counted: dict[tuple[str, str], int] = {}
    examples: dict[tuple[str, str], str | None] = {}
    for channel, error_class, error, count in errors:
        key = (channel, error_label(channel, error_class, error))
        counted[key] = counted.get(key, 0) + count
        examples.setdefault(key, error)
    commonest = sorted(counted.items(), key=lambda item: -item[1])[:COMMONEST]
    return [{"channel": channel_name(channel), "label": label, "count": count,
             "example": examples[channel, label]} for (channel, label), count in commonest]


@page.get("/admin/outbox")
async def health(request: Request, who: Signed) -> HTMLResponse:
    running = service(request)
    async with running.database.read() as session:
        report = await status_report(session)
        token = await token_state(session, ZALO_OA)
    moment = now()
    waiting = (max(0, int((moment - report.oldest_due).total_seconds() // 60))
               if report.oldest_due is not None else None)
    return render(request, "outbox.html", {
        "title": "Tình hình gửi tin", "channels": _per_channel(report.counts),
        "waiting_minutes": waiting, "errors": _commonest(report.errors),
        "zalo_oa": ZALO_OA in running.channels, "token": token,
        "token_valid": bool(token and token.access_expires_at
                            and token.access_expires_at > moment)})
