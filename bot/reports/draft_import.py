"""Turn a Word draft (.docx) into a pack draft, `drafts/<id>.yaml` (docs/content-pack.md).

Congress drafts reach the commune as Word files. Their structure shows in one of two ways,
often both: heading styles (Heading 1/2/3, or a localised or custom style built on them) or
words at the start of a paragraph ("PHẦN THỨ NHẤT", "Chương II", "Mục 3", "Điều 5.").
Either becomes a tree of sections with stable ASCII ids that comments refer to; the text
before the first heading becomes the draft's summary. Nothing is written unless the whole
pack still validates with the new file in it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from content.loader import Report, load_pack
from content.models import ID_PATTERN
from content.text import fold

KINDS = ("Phần", "Chương", "Mục", "Điều")
KIND_SLUG = {"Phần": "phan", "Chương": "chuong", "Mục": "muc", "Điều": "dieu"}
_CANON = {kind: rank for rank, kind in enumerate(KINDS, start=1)}  # Phần above … above Điều
_KIND_BY_KEY = {"phan": "Phần", "chuong": "Chương", "muc": "Mục", "dieu": "Điều"}
MAX_HEADING_CHARS = 300  # a longer paragraph is body text even if it starts with "Điều 1"
EMPTY_SECTION_TEXT = "(Đề mục này không có nội dung chữ trong tệp gốc; xin xem văn bản gốc.)"
_ID = re.compile(ID_PATTERN)

_ORDINALS = {"nhat": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "sau": 6, "bay": 7,
             "tam": 8, "chin": 9, "muoi": 10}
_NUMBER = r"(?P<num>thu\s+(?:" + "|".join(_ORDINALS) + r")|[ivxlc]+|\d+)"
# On the folded key of a paragraph (see _key): the keyword, its number, then the end, a
# separator, or more text (checked in _keyword: only upper-case text counts as a title there).
_KEYWORD = re.compile(r"^(?P<kind>phan|chuong|muc|dieu)\s+" + _NUMBER + r"(?=$|[\s.:\-–—)])")
# Headings that name rather than number the part: "MỞ ĐẦU", "PHẦN KẾT LUẬN".
_NAMED_PARTS = {"mo dau": "mở đầu", "phan mo dau": "mở đầu", "ket luan": "kết luận",
                "phan ket luan": "kết luận"}
# "I. TÌNH HÌNH", "1.2. Kinh tế", "a) …" at the start of a styled heading without a keyword.
_ENUMERATOR = re.compile(r"^(?P<num>[ivxlc]+|\d+(?:\.\d+)*|[a-zđ])\s*[.)]\s*", re.IGNORECASE)
_SEPARATORS = " .:-–—)"
# Heading style names, folded: English built-ins and what a Vietnamese Word may call them.
_HEADING_STYLE = re.compile(r"^(?:heading|tieu de|dau de|de muc)\s*([1-9])$")
MAX_STYLE_LEVEL = 3  # Heading 4 and below stay body text: residents navigate three levels
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


class DraftImportError(Exception):
    """A problem the operator must fix; the message is Vietnamese and names the fix."""


# ----------------------------------------------------------------------------- reading

@dataclass(frozen=True)
class Block:
    """A paragraph (or a whole table) of the document body, in document order."""

    text: str
    style_level: int | None = None  # 1-3 when the paragraph's style is a heading style
    is_table: bool = False


@dataclass(frozen=True)
class WordFile:
    blocks: list[Block]
    tracked_changes: bool  # insertions/deletions not yet accepted: read as if accepted


def read_document(path: Path) -> WordFile:
    """The non-empty paragraphs and tables of a .docx, or a DraftImportError saying why not."""
    path = Path(path)
    if not path.is_file():
        raise DraftImportError(f"Không tìm thấy tệp: {path}")
    if path.suffix.lower() == ".doc":
        raise DraftImportError(
            f"Tệp {path.name} là định dạng Word cũ (.doc). Hãy mở bằng Word, chọn "
            "Lưu thành (Save As) kiểu “Word Document (*.docx)”, rồi nhập tệp .docx.")
    # python-docx (15 MB of imports) loads when a draft is read, not in every `serve`
    import docx

    try:
        document = docx.Document(str(path))
    except Exception:  # zip, XML or package errors all mean the same thing to the operator
        raise DraftImportError(
            f"Tệp {path.name} không phải tệp Word .docx hợp lệ (hoặc đã bị hỏng). "
            "Hãy mở bằng Word và lưu lại kiểu “Word Document (*.docx)”.") from None
    body = document.element.body
    tracked = bool(body.xpath(".//w:ins | .//w:del | .//w:moveFrom | .//w:moveTo"))
    # document._body is the container python-docx itself gives its paragraphs: their
    # styles resolve through it
    return WordFile(list(_blocks(body, document._body)), tracked)


def read_blocks(path: Path) -> list[Block]:
    return read_document(path).blocks


def _blocks(element, container) -> Iterator[Block]:
    """Body paragraphs and tables in order, including those inside content controls
    (w:sdt), which commune templates use and python-docx's own iteration skips."""
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in element.iterchildren():
        tag = child.tag
        if tag == qn("w:p"):
            text = clean(_paragraph_text(child))
            if text:
                yield Block(text, _style_level(Paragraph(child, container)))
        elif tag == qn("w:tbl"):
            rows = [_row_text(row) for row in Table(child, container).rows]
            text = "\n".join(row for row in rows if row)
            if text:
                yield Block(text, is_table=True)
        elif tag == qn("w:sdt"):
            for content in child.iterchildren(qn("w:sdtContent")):
                yield from _blocks(content, container)


# Runs as Word shows them with every tracked change accepted: inserted text in, deleted
# text out. python-docx's Paragraph.text reads only direct runs, so it would silently drop
# text inside w:ins, inline content controls and fields. Text boxes are left out (their
# text is stored twice, and they hold captions, not the draft).
_RUNS = (".//w:r[not(ancestor::w:del) and not(ancestor::w:moveFrom)"
         " and not(ancestor::w:txbxContent)]")


def _paragraph_text(p) -> str:
    return "".join(run.text for run in p.xpath(_RUNS))


def _row_text(row) -> str:
    cells: list[str] = []
    for cell in row.cells:
        text = clean(" ".join(_paragraph_text(p._p) for p in cell.paragraphs))
        if text and (not cells or cells[-1] != text):  # merged cells repeat their text
            cells.append(text)
    return " | ".join(cells)


def clean(text: str) -> str:
    """NFC, no invisible characters, single spaces, no blank lines."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    lines = (" ".join(line.replace("\xa0", " ").split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _style_level(paragraph) -> int | None:
    """Heading level from the paragraph's own outline level or its style (and the styles it
    is based on): a commune's "Tiêu đề 1" built on Heading 1 is still a heading."""
    level = _outline_level(paragraph._p)
    style, seen = paragraph.style, set()
    while level is None and style is not None and style.style_id not in seen:
        seen.add(style.style_id)
        match = _HEADING_STYLE.match(fold(style.name or ""))
        level = int(match.group(1)) if match else _outline_level(style.element)
        style = style.base_style
    return level if level is not None and level <= MAX_STYLE_LEVEL else None


def _outline_level(element) -> int | None:
    values = element.xpath("./w:pPr/w:outlineLvl/@w:val")
    if values and values[0].isdigit() and int(values[0]) < 9:  # 9 means "body text"
        return int(values[0]) + 1
    return None


# ------------------------------------------------------------------------ recognising

@dataclass
class Node:
    """A heading found in the document, and what follows it up to the next heading."""

    kind: str
    number: str  # as shown: "I", "thứ nhất", "5", "mở đầu"; "" until numbered by position
    slug: str  # the number for the id: "1", "mo-dau"
    title: str
    keyword: bool  # named by "Phần/Chương/Mục/Điều" (not only by its style)
    style_level: int | None
    wants_title: bool = False  # "PHẦN THỨ NHẤT" alone: its name is on the next line
    id: str = ""
    paragraphs: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    @property
    def heading(self) -> str:  # the same as content.models.Section.heading
        label = f"{self.kind} {self.number}".strip()
        return f"{label}. {self.title}" if self.title else label

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    folded = fold(char)
    if len(folded) == 1:
        return folded
    return " " if char.isspace() else (char.lower()[:1] or char)


def _key(text: str) -> str:
    """Folded like search keys, but one character per character of `text`, so a match on
    the key cuts the original text at the same place."""
    return "".join(_fold_char(char) for char in text)


def _is_upper(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    return bool(letters) and all(char.isupper() for char in letters)


def _roman(text: str) -> int | None:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
    total, previous = 0, 0
    for char in reversed(text.lower()):
        value = values[char]
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total if total > 0 and _to_roman(total) == text.lower() else None


def _to_roman(number: int) -> str:
    parts = ((100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"),
             (4, "iv"), (1, "i"))
    out = ""
    for value, letters in parts:
        while number >= value:
            out, number = out + letters, number - value
    return out


def _keyword(block: Block) -> Node | None:
    """A paragraph that starts with Phần/Chương/Mục/Điều and a number, or names a part."""
    text = block.text.replace("\n", " ")
    if block.is_table or (len(text) > MAX_HEADING_CHARS and block.style_level is None):
        return None
    key = _key(text)
    named = _NAMED_PARTS.get(" ".join(key.split()).strip(" .:"))
    if named is not None and (block.style_level is not None or _is_upper(text)):
        return Node("Phần", named, _slug(named), "", True, block.style_level)
    match = _KEYWORD.match(key)
    if match is None:
        return None
    rest = text[match.end():]
    after = rest.lstrip()
    # "Điều 5 Luật Đất đai quy định…" is a sentence, not a heading: after the number a
    # heading has nothing, a separator, or (in documents that type headings in capitals)
    # an upper-case title.
    if after and after[0] not in _SEPARATORS and not _is_upper(after):
        return None
    kind = _KIND_BY_KEY[match.group("kind")]
    raw = text[match.start("num"):match.end("num")]
    number, slug = _number(raw, match.group("num"))
    if slug is None:
        return None
    title = rest.strip(_SEPARATORS + "\t")
    return Node(kind, number, slug, title, True, block.style_level, wants_title=not title)


def _number(raw: str, key: str) -> tuple[str, str | None]:
    """How a number is shown and its id form: "thứ nhất" → 1, "IV" → 4, "12" → 12."""
    if key.startswith("thu"):
        return " ".join(raw.lower().split()), str(_ORDINALS[key.split()[-1]])
    if key.isdigit():
        return raw, str(int(key))
    value = _roman(key)
    return raw.upper(), (str(value) if value is not None else None)


def _styled(block: Block) -> Node | None:
    """A heading known only by its style: "I. TÌNH HÌNH" → Mục I; "Kinh tế" → Mục (n)."""
    text = block.text.replace("\n", " ")
    match = _ENUMERATOR.match(text)
    if match is None:
        return Node("Mục", "", "", text, False, block.style_level)
    raw = match.group("num")
    value = _roman(raw) if raw.isupper() else None  # "I." is a numeral, "a)" a letter
    if value is not None:
        number, slug = raw, str(value)
    else:
        number, slug = raw, _slug(raw.replace(".", " "))
    title = text[match.end():].strip()
    if not title:  # "1." alone: keep it as the title rather than lose the heading
        return Node("Mục", "", "", text, False, block.style_level)
    return Node("Mục", number, slug, title, False, block.style_level)


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", fold(text)))


def _candidate(block: Block) -> Node | None:
    if block.is_table:
        return None
    node = _keyword(block)
    if node is None and block.style_level is not None:
        node = _styled(block)
    return node


def _title_line(block: Block, heading: Node) -> bool:
    """Whether `block` is the name of a heading that had only its number ("PHẦN THỨ NHẤT"
    then "ĐÁNH GIÁ …" on its own line, as Vietnamese reports are typeset)."""
    if block.is_table or len(block.text) > MAX_HEADING_CHARS or _keyword(block) is not None:
        return False
    if block.style_level is not None:
        return block.style_level == heading.style_level and _ENUMERATOR.match(block.text) is None
    return _is_upper(block.text)


# ---------------------------------------------------------------------------- the tree

@dataclass
class Outline:
    summary: str
    sections: list[Node]

    def walk(self) -> Iterator[tuple[int, Node]]:
        def visit(nodes: list[Node], depth: int) -> Iterator[tuple[int, Node]]:
            for node in nodes:
                yield depth, node
                yield from visit(node.children, depth + 1)
        return visit(self.sections, 0)

    def counts(self) -> Counter:
        return Counter(node.kind for _, node in self.walk())

    def empty(self) -> list[Node]:
        """Sections with neither text nor subsections (a heading over a picture, say)."""
        return [node for _, node in self.walk() if not node.paragraphs and not node.children]


def outline(blocks: list[Block]) -> Outline:
    """The section tree of a document. Raises DraftImportError when there is none."""
    items: list[Node | str] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        node = _candidate(block)
        index += 1
        if node is None:
            items.append(block.text)
            continue
        if node.wants_title and index < len(blocks) and _title_line(blocks[index], node):
            node.title = blocks[index].text.replace("\n", " ")
            index += 1
        items.append(node)
    headings = [item for item in items if isinstance(item, Node)]
    if not headings:
        raise DraftImportError(
            "Không nhận ra cấu trúc Phần/Chương/Mục/Điều hay kiểu Heading trong tệp. Hãy đặt "
            "kiểu Heading 1/2/3 cho các đề mục trong Word, hoặc để mỗi đề mục bắt đầu bằng "
            "“Phần I”, “Chương 1”, “Mục 1”, “Điều 1.” trên một dòng riêng.")
    levels = _kind_levels(headings)
    summary: list[str] = []
    roots: list[Node] = []
    stack: list[tuple[float, Node]] = []
    for item in items:
        if isinstance(item, str):
            (stack[-1][1].paragraphs if stack else summary).append(item)
            continue
        level = float(item.style_level) if item.style_level else levels[item.kind]
        while stack and stack[-1][0] >= level:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(item)
        stack.append((level, item))
    _assign_ids(roots, "", set())
    return Outline("\n\n".join(summary), roots)


def _kind_levels(headings: list[Node]) -> dict[str, float]:
    """The depth of headings that have a keyword but no heading style.

    A kind that is styled somewhere in the document (say every "Chương" is Heading 1)
    takes that style's level everywhere. A kind never styled slots in just below the
    nearest styled kind above it in Phần > Chương > Mục > Điều (or just above the nearest
    below), so "Điều 3." typed as plain text still lands under its styled "Chương I".
    """
    seen: dict[str, Counter] = {}
    for node in headings:
        if node.keyword and node.style_level is not None:
            seen.setdefault(node.kind, Counter())[node.style_level] += 1
    styled = {kind: float(min(levels.most_common(),  # the usual level; ties → shallower
                              key=lambda pair: (-pair[1], pair[0]))[0])
              for kind, levels in seen.items()}
    levels: dict[str, float] = {}
    for kind, rank in _CANON.items():
        above = [other for other in styled if _CANON[other] < rank]
        below = [other for other in styled if _CANON[other] > rank]
        if kind in styled:
            levels[kind] = styled[kind]
        elif above:
            nearest = max(above, key=lambda other: _CANON[other])
            levels[kind] = styled[nearest] + 0.1 * (rank - _CANON[nearest])
        elif below:
            nearest = min(below, key=lambda other: _CANON[other])
            levels[kind] = styled[nearest] - 0.1 * (_CANON[nearest] - rank)
        else:
            levels[kind] = float(rank)
    return levels


def _assign_ids(nodes: list[Node], parent_id: str, used: set[str]) -> None:
    """Ids like phan-1, phan-1-chuong-2, dieu-5: a kind and number under its parent's id,
    except Điều, numbered through the whole document as in legal texts. Unnumbered headings
    take their position among their siblings."""
    for position, node in enumerate(nodes, start=1):
        if not node.slug:
            node.number, node.slug = str(position), str(position)
        own = f"{KIND_SLUG[node.kind]}-{node.slug}"
        base = own if node.kind == "Điều" or not parent_id else f"{parent_id}-{own}"
        if len(base) > 40:
            base = own
        node.id = _unique(base[:40].rstrip("-"), used)
        _assign_ids(node.children, node.id, used)


def _unique(base: str, used: set[str]) -> str:
    candidate, suffix = base, 2
    while candidate in used:
        tail = f"-{suffix}"
        candidate = base[:40 - len(tail)].rstrip("-") + tail
        suffix += 1
    used.add(candidate)
    return candidate


# ---------------------------------------------------------------------------- writing

def draft_data(found: Outline, *, draft_id: str, title: str, level: str, version: str,
               opens: dt.datetime, closes: dt.datetime) -> dict:
    """The draft as the YAML mapping of docs/content-pack.md, keys in the documented order."""
    data: dict = {"id": draft_id, "title": title, "level": level, "version": version,
                  "opens": f"{opens:%Y-%m-%d %H:%M}", "closes": f"{closes:%Y-%m-%d %H:%M}"}
    if found.summary:
        data["summary"] = found.summary
    data["sections"] = [_section(node) for node in found.sections]
    return _nfc(data)


def _section(node: Node) -> dict:
    data: dict = {"id": node.id, "kind": node.kind, "number": node.number}
    if node.title:
        data["title"] = node.title
    text = node.text or ("" if node.children else EMPTY_SECTION_TEXT)
    if text:
        data["text"] = text
    if node.children:
        data["sections"] = [_section(child) for child in node.children]
    return data


def _nfc(value):
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    if isinstance(value, dict):
        return {key: _nfc(item) for key, item in value.items()}
    return value


class _Dumper(yaml.SafeDumper):
    """safe_dump, but laid out like the hand-written drafts (lists indented under their key,
    multi-line text as `|` blocks) so staff can read and edit the file."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def to_yaml(data: dict, source_name: str, today: dt.date) -> str:
    source_name = " ".join(source_name.split())  # a line break would end the comment
    header = (f"# Nhập từ tệp {source_name} bằng `loaso drafts import` ngày {today:%d/%m/%Y}.\n"
              "# Có thể sửa trực tiếp (giữ nguyên các mã id mà góp ý đã dùng), rồi chạy\n"
              "# `loaso content check` và `loaso content reload`.\n")
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return unicodedata.normalize("NFC", header + body)


def valid_id(draft_id: str) -> bool:
    return _ID.match(draft_id) is not None


@dataclass
class Saved:
    path: Path
    report: Report  # the pack's report with the new file in it (warnings only when ok)
    ok: bool


def save_draft(pack_dir: Path, draft_id: str, content: str, *, force: bool) -> Saved:
    """Write drafts/<id>.yaml, then validate the whole pack; if the pack no longer loads,
    put back what was there (nothing, or the old file) so no half-done import remains."""
    drafts = Path(pack_dir) / "drafts"
    target = drafts / f"{draft_id}.yaml"
    if target.exists() and not force:
        raise DraftImportError(f"Đã có tệp {target}. Thêm --force nếu muốn ghi đè dự thảo cũ.")
    previous = target.read_bytes() if target.exists() else None
    made_dir = not drafts.exists()
    drafts.mkdir(parents=True, exist_ok=True)
    _atomic_write(target, content.encode("utf-8"))
    pack, report = load_pack(Path(pack_dir))
    if pack is not None:
        return Saved(target, report, True)
    if previous is None:
        target.unlink(missing_ok=True)
        if made_dir and not any(drafts.iterdir()):
            drafts.rmdir()
    else:
        _atomic_write(target, previous)
    return Saved(target, report, False)


def _atomic_write(target: Path, data: bytes) -> None:
    # a dot file without .yaml: the loader's drafts/*.yaml glob never sees it half-written
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)
