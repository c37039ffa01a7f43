"""`loaso quiz stats`: how many take part in the knowledge quiz, by hamlet, for staff.

Only counts and averages per hamlet leave this command, never a person's results; where
fewer than MIN_PLAYERS residents of a hamlet played, the averages are withheld, because
they would be one or two people's scores. The bank itself is checked by `loaso content check`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import typer

from bot.cli.common import in_transaction, pack_or_exit, settings_or_exit
from content.text import format_number

if TYPE_CHECKING:
    from db.quiz import Participation

quiz_app = typer.Typer(help="Thi tìm hiểu: thống kê tham gia.", no_args_is_help=True)

MIN_PLAYERS = 3
UNKNOWN_HAMLET = "Chưa rõ thôn"
WITHHELD = "—"


def _row(label: str, stats: Participation) -> list[str]:
    # a finished round has asked its questions: both are None together, or neither
    score, correct = stats.average_score, stats.correct_share
    if stats.players < MIN_PLAYERS or score is None or correct is None:
        average = share = WITHHELD
    else:
        average = format_number(score, 1)
        share = f"{format_number(correct * 100, 1)}%"
    return [label, str(stats.players), str(stats.rounds), str(stats.finished), average, share]


@quiz_app.command("stats")
def stats() -> None:
    """Thống kê theo thôn: số người chơi, số lượt thi, điểm trung bình (không có số liệu từng người)."""
    from db import quiz as queries

    settings = settings_or_exit()
    pack = pack_or_exit(settings)
    found = {row.hamlet_id: row for row in asyncio.run(in_transaction(settings,
                                                                      queries.participation))}
    total = queries.Participation(None)
    for row in found.values():
        total.players += row.players
        total.rounds += row.rounds
        total.finished += row.finished
        total.points += row.points
        total.asked += row.asked
    names = {hamlet.id: hamlet.name for hamlet in pack.campaign.hamlets}
    rows = [_row(name, found.get(hamlet_id, queries.Participation(hamlet_id)))
            for hamlet_id, name in names.items()]
    rows += [_row(f"{hamlet_id} (không còn trong gói)", row)
             for hamlet_id, row in found.items() if hamlet_id is not None and hamlet_id not in names]
    if None in found:
        rows.append(_row(UNKNOWN_HAMLET, found[None]))
    rows.append(_row("Toàn xã", total))
    header = ["Thôn", "Người chơi", "Lượt thi", "Lượt hoàn thành", "Điểm TB/lượt", "Tỉ lệ đúng"]
    widths = [max(len(line[column]) for line in [header, *rows]) for column in range(len(header))]
    for line in [header, *rows]:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
    typer.echo(f"Điểm trung bình chỉ hiện ở nơi có từ {MIN_PLAYERS} người chơi trở lên "
               f"(«{WITHHELD}»), để không lộ kết quả của từng người.")
