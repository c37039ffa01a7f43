"""`loaso drafts import`: a draft document from Word into the content pack."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.actions import ActionRefused
from bot.actions.drafts import check_id, choose_level, parse_moment, word_draft
from bot.cli.common import fail, settings_or_exit
from content.loader import load_pack

if TYPE_CHECKING:
    from bot.reports.draft_import import Outline
    from content.pack import Pack

drafts_app = typer.Typer(help="Dự thảo văn kiện trong gói nội dung.", no_args_is_help=True)

_KIND_NAMES = {"Phần": "phần", "Chương": "chương", "Mục": "mục", "Điều": "điều"}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _pack_at(directory: Path) -> Pack:
    pack, report = load_pack(directory)
    if pack is None:
        typer.echo(report.render(), err=True)
        fail(f"Gói nội dung {directory} đang có lỗi (xem trên); sửa trước rồi chạy lại. "
             "Kiểm tra bằng: loaso content check")
    return pack


def _moment(text: str, option: str, *, end_of_day: bool) -> dt.datetime:
    try:
        return parse_moment(text, option, end_of_day=end_of_day)
    except ActionRefused as error:
        fail(str(error))
        raise


def _level(text: str | None, default: str) -> str:
    try:
        return choose_level(text, default)
    except ActionRefused as error:
        fail(str(error))
        raise


# The packs shipped in the repository are git-tracked: a draft written there is lost or
# conflicts at the next `git pull`. A commune keeps its own pack outside the checkout
# (docs/deploy.md) and points LOASO_CONTENT_DIR at it; writing into the shipped one takes an
# explicit --pack.
SHIPPED_PACKS = Path(__file__).resolve().parents[2] / "content" / "packs"
SHIPPED_PACK_REFUSED = (
    "LOASO_CONTENT_DIR đang là gói mẫu đi kèm mã nguồn ({pack}); Loa Số không ghi dự thảo vào "
    "đó vì lần cập nhật sau (git pull) sẽ xóa hoặc xung đột. Sao chép gói một lần ra ngoài thư "
    "mục mã nguồn, ví dụ: cp -r {pack} /var/lib/loaso/pack, đặt "
    "LOASO_CONTENT_DIR=/var/lib/loaso/pack trong tệp .env, khởi động lại dịch vụ, rồi chạy lại "
    "lệnh này. (Muốn ghi thẳng vào gói mẫu để thử thì chỉ rõ: --pack {pack})")


def shipped_pack(directory: Path) -> bool:
    return directory.resolve().is_relative_to(SHIPPED_PACKS)


@drafts_app.command("import")
def drafts_import(
        file: Annotated[Path, typer.Argument(help="Tệp Word (.docx) của dự thảo.")],
        draft_id: Annotated[str, typer.Option(
            "--id", help="Mã dự thảo: chữ thường a-z, số và dấu -, tối đa 40 ký tự.")],
        title: Annotated[str, typer.Option("--title", help="Tên dự thảo hiển thị cho bà con.")],
        level: Annotated[str | None, typer.Option(
            "--level", help="Cấp: xã, thành phố hoặc trung ương (mặc định: cấp của gói).")] = None,
        version: Annotated[str, typer.Option("--version", help="Phiên bản dự thảo.")] = "1",
        opens: Annotated[str | None, typer.Option(
            "--opens", help="Bắt đầu góp ý, 'YYYY-MM-DD HH:MM' (mặc định: bây giờ).")] = None,
        closes: Annotated[str | None, typer.Option(
            "--closes", help="Hết hạn góp ý, 'YYYY-MM-DD HH:MM' (mặc định: sau 30 ngày).")] = None,
        pack_dir: Annotated[Path | None, typer.Option(
            "--pack", help="Thư mục gói nội dung (mặc định: LOASO_CONTENT_DIR).")] = None,
        force: Annotated[bool, typer.Option(
            "--force", help="Ghi đè tệp dự thảo cùng mã đã có.")] = False,
) -> None:
    """Nhập dự thảo từ tệp Word: chia theo Phần/Chương/Mục/Điều hoặc kiểu Heading."""
    from bot.reports import draft_import as di

    settings = settings_or_exit()
    draft_id, title, version = draft_id.strip(), " ".join(_nfc(title).split()), version.strip()
    try:
        check_id(draft_id)
    except ActionRefused as error:
        fail(str(error))
    if not title:
        fail("Cần tên dự thảo (--title).")
    if not 1 <= len(version) <= 20:
        fail("Phiên bản (--version) cần từ 1 đến 20 ký tự.")
    if pack_dir is None and shipped_pack(settings.content_path):
        fail(SHIPPED_PACK_REFUSED.format(pack=settings.content_path.resolve()))
    directory = pack_dir or settings.content_path
    pack = _pack_at(directory)
    chosen_level = _level(level, pack.campaign.organisation.level)
    now = dt.datetime.now(pack.zone).replace(second=0, microsecond=0, tzinfo=None)
    start = _moment(opens, "--opens", end_of_day=False) if opens else now
    end = (_moment(closes, "--closes", end_of_day=True) if closes
           else dt.datetime.combine(start.date() + dt.timedelta(days=30), dt.time(23, 59)))
    if end <= start:
        fail(f"Hết hạn góp ý (--closes {end:%Y-%m-%d %H:%M}) phải sau lúc bắt đầu "
             f"(--opens {start:%Y-%m-%d %H:%M}).")
    target = Path(directory) / "drafts" / f"{draft_id}.yaml"
    if target.exists() and not force:
        fail(f"Đã có tệp {target}. Thêm --force nếu muốn ghi đè dự thảo cũ.")
    if draft_id in pack.drafts and not target.exists():
        fail(f"Mã dự thảo '{draft_id}' đã dùng cho một dự thảo khác trong {directory}/drafts; "
             "hãy chọn mã khác.")
    try:
        word = word_draft(file, source_name=Path(file).name, draft_id=draft_id, title=title,
                          level=chosen_level, version=version, opens=start, closes=end,
                          today=now.date())
    except ActionRefused as error:
        fail(str(error))
    _print_outline(file, word.outline)
    if word.tracked_changes:
        typer.echo("Lưu ý: tệp còn thay đổi được theo dõi (Track Changes) chưa chấp nhận; đã lấy "
                   "văn bản như khi chấp nhận tất cả thay đổi. Hãy kiểm tra lại nội dung.")
    content = word.text
    try:
        saved = di.save_draft(Path(directory), draft_id, content, force=force)
    except di.DraftImportError as error:
        fail(str(error))
    if not saved.ok:
        typer.echo(saved.report.render(), err=True)
        fail("Gói nội dung không hợp lệ với dự thảo này (xem trên); đã không ghi tệp nào.",
             code=1)
    typer.echo(f"Đã ghi {saved.path}")
    typer.echo(f"Thời gian góp ý: từ {start:%H:%M %d/%m/%Y} đến {end:%H:%M %d/%m/%Y}"
               + ("" if opens and closes else " (sửa bằng --opens/--closes hoặc trong tệp)")
               + ".")
    typer.echo("Để dịch vụ đang chạy dùng dự thảo mới, chạy: loaso content reload")


def _print_outline(file: Path, found: Outline) -> None:
    counts = found.counts()
    shown = ", ".join(f"{counts[kind]} {_KIND_NAMES[kind]}" for kind in _KIND_NAMES
                      if counts[kind])
    total = sum(counts.values())
    typer.echo(f"Đã đọc {Path(file).name}: {shown} ({total} đề mục để góp ý).")
    if found.summary:
        typer.echo(f"Phần mở đầu trước đề mục đầu tiên ({len(found.summary.split())} chữ) "
                   "được dùng làm tóm tắt.")
    for depth, node in found.walk():
        paragraphs = f", {len(node.paragraphs)} đoạn" if node.paragraphs else ""
        typer.echo(f"{'  ' * depth}- {_short(node.heading)}  [{node.id}{paragraphs}]")
    for node in found.empty():
        typer.echo(f"Cảnh báo: “{_short(node.heading)}” không có nội dung chữ (có thể là hình "
                   "ảnh hoặc đã bỏ); đã ghi chú để bà con xem văn bản gốc.")


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
