"""/dangnhap: a one-time link to the staff console, for a resident who holds a leader, staff
or admin role in chat. No states: one command, one answer.

The link is made by db.login_links (bot/ sits above handlers and is not imported here); the
account it opens follows the resident's chat role at every request.
"""

from __future__ import annotations

from db.login_links import Refusal, login_link_for_resident
from handlers import texts
from handlers.router import Router, Turn

REFUSALS = {Refusal.NO_ROLE: texts.DN_NO_ROLE, Refusal.NO_ADDRESS: texts.DN_NO_ADDRESS,
            Refusal.DISABLED: texts.DN_DISABLED}


async def sign_in_link(turn: Turn) -> None:
    public_url = getattr(turn.settings, "public_url", None)
    offer = await login_link_for_resident(turn.session, user_id=turn.user.id,
                                          public_url=public_url, now=turn.now)
    turn.say(texts.DN_LINK.format(url=offer.url) if offer.url or offer.refused is None
             else REFUSALS[offer.refused])


def register(router: Router) -> None:
    router.command("dangnhap", step=sign_in_link)
    router.button("dn", sign_in_link)  # the button /vaitro shows to those with a role
