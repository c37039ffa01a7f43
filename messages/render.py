"""Turn a neutral Reply into the payloads a channel sends, by capability, in one place.

Payloads are plain JSON (they live in the outbox): {"type": "message", "text": str,
"buttons": [[label, payload], ...]}, {"type": "edit", "message_ref": str, "text": str,
"buttons": [...]} (redraw a message sent before), {"type": "button_ack", "handle": str} or
{"type": "document", "path": str, "file_name": str, "caption": str}.
"""

from __future__ import annotations

from typing import Any

from messages.types import Capabilities, Reply


def split_text(text: str, limit: int) -> list[str]:
    """Split at paragraph boundaries, then lines, then spaces; hard-cut only as a last resort."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            position = window.rfind(separator)
            if position > limit // 4:
                cut = position
                break
        if cut == -1:
            chunks.append(window)
            rest = rest[limit:]
        else:
            chunks.append(rest[:cut].rstrip())
            rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return [chunk for chunk in chunks if chunk]


def numbered_options(reply: Reply) -> str:
    lines = [f"{index}. {option.label}" for index, option in enumerate(reply.options, start=1)]
    return "\n".join(lines + ["(Gõ số để chọn)"])


def render_reply(reply: Reply, capabilities: Capabilities,
                 pressed: str | None = None) -> list[dict[str, Any]]:
    """One payload per platform message: long texts split, options as buttons or a list.

    A reply that changes the screen just pressed (`reply.change`, `pressed` = the platform's
    id of that message) edits it where the channel can; where it cannot, a channel with
    buttons sends the change with the buttons, one without sends the change alone."""
    text = reply.text
    buttons: list[list[str]] = []
    fits = (reply.options and capabilities.buttons
            and len(reply.options) <= capabilities.max_buttons)
    if reply.change is not None:
        if fits and capabilities.edits_messages and pressed:
            payload: dict[str, Any] = {"type": "edit", "message_ref": pressed,
                                       "text": text[:capabilities.max_text_length]}
            payload["buttons"] = _buttons(reply, capabilities)
            return [payload]
        if not fits:
            return [{"type": "message", "text": chunk}
                    for chunk in split_text(reply.change, capabilities.max_text_length)]
        text = reply.change
    if fits:
        buttons = _buttons(reply, capabilities)
    elif reply.options:
        text = f"{text}\n\n{numbered_options(reply)}"
    chunks = split_text(text, capabilities.max_text_length)
    payloads: list[dict[str, Any]] = [{"type": "message", "text": chunk} for chunk in chunks]
    if buttons:
        payloads[-1]["buttons"] = buttons
    return payloads


def _buttons(reply: Reply, capabilities: Capabilities) -> list[list[str]]:
    buttons = [[option.label, option.payload] for option in reply.options]
    limit = capabilities.max_button_payload_bytes
    for _, payload in buttons:
        if len(payload.encode("utf-8")) > limit:
            raise ValueError(f"button payload {payload!r} is over {limit} bytes")
    return buttons


def button_ack(handle: str) -> dict[str, Any]:
    return {"type": "button_ack", "handle": handle}


def render_document(path: str, file_name: str, caption: str, link: str,
                    capabilities: Capabilities) -> list[dict[str, Any]]:
    """A file (a report kept on the server) as a document where the channel sends files;
    elsewhere the caption with `link`, where staff download it."""
    if capabilities.files:
        return [{"type": "document", "path": path, "file_name": file_name,
                 "caption": caption[:1024]}]  # Telegram's caption limit
    return [{"type": "message", "text": chunk}
            for chunk in split_text(f"{caption}\n{link}", capabilities.max_text_length)]
