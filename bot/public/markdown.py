"""Article Markdown as safe HTML for the public pages (markdown-it-py, CommonMark).

The pack's articles are short paragraphs, "- " lists, a bold line standing as a sub-heading,
now and then a `[text](https://…)` link, and `[[CẦN BỔ SUNG: …]]` placeholders (see
docs/content-pack.md). What the chat renderer (handlers/news.plain_text) turns into plain text
becomes HTML here, and nothing a pack author types can become markup:

- raw HTML is off, so `<script>` is shown as those characters;
- links keep only http(s) addresses and open in a new tab (`rel="noopener noreferrer"`,
  `target="_blank"`); any other scheme (`javascript:`, `data:`) leaves the text unlinked;
- an image shows as its description (nothing fetched from another site, nothing heavy on 3G);
- a paragraph that is only bold text, and every heading, becomes a heading one level below
  the page's own (`h2` under the article's `h1`), so headings stay in order for screen readers;
- placeholders read "(nội dung đang được cập nhật)", as in the chat.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

from content.models import PLACEHOLDER_PATTERN
from handlers.news import plain_text
from handlers.texts import PLACEHOLDER_SHOWN

_PLACEHOLDER = re.compile(PLACEHOLDER_PATTERN)
_WEB = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)


def is_web_address(url: object) -> bool:
    return isinstance(url, str) and bool(_WEB.match(url.strip()))


def _bold_lines_to_headings(state: StateCore) -> None:
    """`**Ở xã mình**` alone in its paragraph is a sub-heading: mark it up as one."""
    tokens = state.tokens
    for number in range(len(tokens) - 2):
        opening, inline, closing = tokens[number:number + 3]
        if opening.type != "paragraph_open" or opening.hidden or opening.level != 0:
            continue
        children = [child for child in inline.children or ()
                    if child.type != "text" or child.content.strip()]
        if len(children) < 3:
            continue
        if (children[0].type != "strong_open" or children[-1].type != "strong_close"
                or any(child.type == "strong_open" for child in children[1:-1])):
            continue
        inline.children = children[1:-1]
        for token, kind in ((opening, "heading_open"), (closing, "heading_close")):
            token.type, token.tag = kind, "h1"  # shifted below like any heading


def _shift_headings(state: StateCore) -> None:
    shift = state.env.get("heading_shift", 1)
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"


def _image_as_words(self: RendererHTML, tokens: Sequence[Token], index: int,
                    options: OptionsDict, env: EnvType) -> str:
    """An image shows its description only: nothing is fetched from another site."""
    return escapeHtml(self.renderInlineAsText(tokens[index].children or [], options, env))


def _links_open_elsewhere(self: RendererHTML, tokens: Sequence[Token], index: int,
                          options: OptionsDict, env: EnvType) -> str:
    tokens[index].attrSet("target", "_blank")
    tokens[index].attrSet("rel", "noopener noreferrer")
    return self.renderToken(tokens, index, options, env)


class _WebLinksOnly(MarkdownIt):
    """Links and images only to web addresses (no javascript:, data:, relative paths)."""

    def validateLink(self, url: str) -> bool:
        return is_web_address(url)


@cache
def _parser() -> MarkdownIt:
    parser = _WebLinksOnly("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.disable(["html_block", "html_inline"])
    parser.core.ruler.push("bold_lines_to_headings", _bold_lines_to_headings)
    parser.core.ruler.push("shift_headings", _shift_headings)
    parser.add_render_rule("link_open", _links_open_elsewhere)
    parser.add_render_rule("image", _image_as_words)
    return parser


def _filled(text: str) -> str:
    return _PLACEHOLDER.sub(PLACEHOLDER_SHOWN, text)


@lru_cache(maxsize=1024)  # a pack's bodies: rendered once, not per page view or feed pull
def _rendered(markdown: str, heading_shift: int) -> str:
    html: str = _parser().render(_filled(markdown), {"heading_shift": heading_shift})
    return html


def to_html(markdown: str, *, heading_shift: int = 1) -> Markup:
    """An article's body as HTML; its top headings become `h{1 + heading_shift}`."""
    return Markup(_rendered(markdown, heading_shift))


def inline_html(markdown: str) -> Markup:
    """One line (a summary) with its emphasis and links, no block markup."""
    html: str = _parser().renderInline(_filled(markdown))
    return Markup(html)


def plain(markdown: str) -> str:
    """The text without markup, for Open Graph descriptions and the feed's summaries."""
    return " ".join(plain_text(markdown).split())
