"""The campaign's content, edited by staff: a pack file's new text saved as a version in the
database (the overlay, db/content_edits.py), checked first by the same code as
`loaso content check`; placeholders `[[CẦN BỔ SUNG: …]]` filled one at a time; the phase pin
(`loaso phase set|clear`); the overlay written back to pack files (`loaso content
export-overlay`).

What changes reaches running processes the way `loaso content reload` does: see
`signal_reload`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import runfiles
from bot.actions import ActionRefused
from content.loader import PackFiles, Report, load_pack
from content.pack import Pack
from content.phases import Period, pinned_period
from db import audit, content_edits
from db import campaign as campaign_queries
from db.audit import Who
from db.console_models import ContentEdit

STALE = ("Không lưu: đã có người sửa trước ({by}, lúc {at}). Bản của bạn được giữ trong ô dưới "
         "đây; hãy xem bản mới nhất rồi sửa lại.")
PLACEHOLDER = re.compile(r"\[\[CẦN BỔ SUNG:\s*(.*?)\s*\]\]", re.S)
MAX_TEXT = 500_000  # characters in one pack file: far above any article or draft
FOLDERS = {"articles": ".md", "drafts": ".yaml", "quiz": ".yaml"}
TOP_FILES = {"campaign.yaml", "faq.yaml", "slogans.yaml", "bulletins.yaml", "sources.yaml"}


def clean_path(raw: str) -> str:
    """A pack-relative path staff may edit: a top-level file or one file in articles/,
    drafts/ or quiz/ with the right ending; nothing else (no `..`, no other folders)."""
    path = PurePosixPath((raw or "").strip())
    parts = path.parts
    good = (len(parts) == 1 and parts[0] in TOP_FILES) or (
        len(parts) == 2 and parts[0] in FOLDERS and path.suffix == FOLDERS[parts[0]]
        and re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", path.stem) is not None)
    if not good:
        raise ActionRefused(f"Không sửa được tệp '{raw}' của gói nội dung.")
    return str(path)


def disk_sha256(directory: Path, path: str) -> str | None:
    file = Path(directory) / path
    return hashlib.sha256(file.read_bytes()).hexdigest() if file.is_file() else None


@dataclass(frozen=True)
class PackText:
    """A pack file as staff see it: its live text and the version an edit must start from."""

    path: str
    text: str
    version: int  # 0: the file on disk is live, never edited in the console
    edit: ContentEdit | None
    disk_changed: bool  # the file on disk changed after the console's last edit of it


async def read_text(session: AsyncSession, directory: Path, path: str) -> PackText:
    path = clean_path(path)
    edit = (await content_edits.newest(session)).get(path)
    if edit is None:
        file = Path(directory) / path
        text = file.read_text(encoding="utf-8") if file.is_file() else ""
        return PackText(path, text, 0, None, False)
    return PackText(path, edit.text, edit.version, edit,
                    disk_sha256(directory, path) != edit.base_sha256)


def check_with(directory: Path, overlay: dict[str, str], path: str, text: str
               ) -> tuple[Pack | None, Report]:
    """The whole pack as it would be with `text` in `path`: `loaso content check`'s checks."""
    return load_pack(Path(directory), {**overlay, path: text})


def refusal(report: Report, path: str) -> str:
    """The problems of a refused edit, those of the edited file first, each with its line."""
    mine = [problem for problem in report.errors if problem.file == path]
    others = [problem for problem in report.errors if problem.file != path]
    lines = [f"Dòng {problem.line}: {problem.message}" for problem in mine]
    lines += [str(problem) for problem in others]
    return ("Không lưu: nội dung mới không qua được kiểm tra của gói nội dung (nội dung cũ vẫn "
            "đang dùng).\n" + "\n".join(lines[:20]))


async def save_text(session: AsyncSession, directory: Path, *, path: str, text: str,
                    base_version: int, who: Who, now: datetime, note: str) -> ContentEdit:
    """Save `text` as the next version of `path`, if nobody saved one since `base_version`
    and the pack with it passes every check; otherwise ActionRefused and nothing written."""
    path = clean_path(path)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    if not text.strip():
        raise ActionRefused("Không lưu: nội dung trống.")
    if len(text) > MAX_TEXT:
        raise ActionRefused(f"Không lưu: nội dung quá dài (tối đa {MAX_TEXT:,} ký tự).")
    newest = await content_edits.newest(session)
    current = newest.get(path)
    if current is None and base_version != 0:  # a version of a file never edited: stale too
        raise ActionRefused(STALE.format(by="một cán bộ khác", at="vừa xong"))
    if current is not None and current.version != base_version:
        raise ActionRefused(STALE.format(by=current.edited_by, at=_moment(current.edited_at)))
    pack, report = check_with(directory, {p: e.text for p, e in newest.items()}, path, text)
    if pack is None:
        raise ActionRefused(refusal(report, path))
    edit = ContentEdit(path=path, version=base_version + 1, text=text,
                       base_sha256=disk_sha256(directory, path), note=note[:200],
                       edited_by=who.name[:100], account_id=who.account_id, edited_at=now)
    session.add(edit)
    try:
        await session.flush()
    except IntegrityError:  # another save of the same version won the race
        raise ActionRefused(STALE.format(by="một cán bộ khác", at="vừa xong")) from None
    await audit.record(session, who, "content.edit", now=now, target=path,
                       details={"version": edit.version, "note": note[:200]})
    return edit


def _moment(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M %d/%m/%Y")


# --- articles -------------------------------------------------------------------------------

_ID_LINE = re.compile(r"^id:\s*[\"']?([a-z0-9-]+)", re.M)


def article_paths(directory: Path, overlay: dict[str, str], folder: str = "articles",
                  ) -> dict[str, str]:
    """Article (or draft, folder="drafts") id → its pack file (the name need not be the id)."""
    files = PackFiles(Path(directory), overlay)
    found: dict[str, str] = {}
    for file in files.glob(folder, FOLDERS[folder]):
        match = _ID_LINE.search(files.read(file))
        if match:
            found.setdefault(match.group(1), files.name(file))
    return found


def new_article(*, article_id: str, title: str, phase: str, topic: str, day: str,
                summary: str, body: str) -> tuple[str, str]:
    """(path, text) of a new article from the console's form; the pack's checks judge it."""
    import json

    article_id = (article_id or "").strip()
    if re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", article_id) is None:
        raise ActionRefused(f"Mã bài viết '{article_id}' không hợp lệ: chữ thường a-z không dấu, "
                            "số và dấu -, tối đa 40 ký tự (ví dụ: dot2-hoi-nghi-xa).")

    def quoted(value: str) -> str:
        return json.dumps(" ".join(unicodedata.normalize("NFC", value or "").split()),
                          ensure_ascii=False)

    text = (f"---\nid: {article_id}\ntitle: {quoted(title)}\nphases: [{phase.strip()}]\n"
            f"topic: {topic.strip()}\nsummary: {quoted(summary)}\nfrom: {day.strip()}\n---\n"
            f"{unicodedata.normalize('NFC', body or '').strip()}\n")
    return f"articles/{article_id}.md", text


# --- placeholders ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Placeholder:
    path: str
    line: int
    index: int  # which placeholder of the file, from 0
    asks: str  # what the commune must supply, as the pack says it


def placeholders_in(path: str, text: str) -> list[Placeholder]:
    return [Placeholder(path, text.count("\n", 0, match.start()) + 1, index,
                        " ".join(match.group(1).split()))
            for index, match in enumerate(PLACEHOLDER.finditer(text))]


def all_placeholders(directory: Path, overlay: dict[str, str]) -> list[Placeholder]:
    """Every placeholder left in the pack (with the console's edits), file by file."""
    files = PackFiles(Path(directory), overlay)
    paths = [Path(directory) / name for name in sorted(TOP_FILES)]
    paths += [path for folder, suffix in FOLDERS.items() for path in files.glob(folder, suffix)]
    found = []
    for file in paths:
        if files.is_file(file):
            found += placeholders_in(files.name(file), files.read(file))
    return found


def fill(text: str, index: int, value: str) -> str:
    """`text` with its placeholder number `index` replaced by `value`."""
    value = " ".join(unicodedata.normalize("NFC", value).split())
    if not value:
        raise ActionRefused("Cần ghi nội dung để điền vào chỗ trống.")
    if "[[" in value or "]]" in value:
        raise ActionRefused("Nội dung điền vào không được chứa [[ hoặc ]].")
    matches = list(PLACEHOLDER.finditer(text))
    if not 0 <= index < len(matches):
        raise ActionRefused("Chỗ cần bổ sung này không còn (có thể đã có người điền).")
    match = matches[index]
    return text[:match.start()] + value + text[match.end():]


# --- phase pin ------------------------------------------------------------------------------

async def pin_phase(session: AsyncSession, pack: Pack, *, phase: str, stage: str | None,
                    who: Who, now: datetime) -> Period:
    """Pin the campaign to a phase (and stage), whatever the date (`loaso phase set`)."""
    period = pinned_period(pack, phase, stage)
    if period is None:
        known = ", ".join(f"{w.id} ({', '.join(s.id for s in w.stages) or 'không có giai đoạn'})"
                          for w in pack.windows)
        raise ActionRefused(f"Không có đợt/giai đoạn '{phase}{'/' + stage if stage else ''}'. "
                            f"Có: {known}")
    await campaign_queries.set_override(session, phase_id=phase, stage_id=stage, by=who.name,
                                        now=now)
    await audit.record(session, who, "phase.pin", now=now, target=f"{phase}/{stage or '-'}")
    return period


async def unpin_phase(session: AsyncSession, *, who: Who, now: datetime) -> int:
    """Clear the pin: the phase follows the dates again (`loaso phase clear`)."""
    cleared = await campaign_queries.clear_override(session, by=who.name, now=now)
    if cleared:
        await audit.record(session, who, "phase.unpin", now=now)
    return cleared


# --- reaching running processes; back to files ----------------------------------------------

def signal_reload(run_dir: Path, *, skip: int | None = None) -> list[int]:
    """Ask every running process (but `skip`, which reloads itself) to reload its content,
    as `loaso content reload` does."""
    return runfiles.signal_all(run_dir, skip=skip)


def export_overlay(directory: Path, overlay: dict[str, str], out: Path) -> list[Path]:
    """Write the pack with the console's edits to `out` as files (a full pack folder): the
    files on disk, each replaced or joined by its newest console version."""
    import shutil

    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ActionRefused(f"Thư mục {out} đã có tệp; hãy chọn một thư mục trống.")
    shutil.copytree(Path(directory), out, dirs_exist_ok=True)
    written = []
    for path, text in sorted(overlay.items()):
        target = out / clean_path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written
