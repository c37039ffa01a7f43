"""The `loaso` command line. Texts are Vietnamese: commune staff run these commands.

One module per command group; this is the one place where commands and groups join the
root app (nothing registers itself on import). Shared pieces (settings, failing, the
`--by` rule) are in `bot.cli.common`.
"""

from __future__ import annotations

import typer

from bot.cli import (
    announcements,
    backup,
    comments,
    content,
    drafts,
    inbox,
    loa,
    meetings,
    outbox,
    printing,
    qr,
    quiz,
    report,
    residents,
    roles,
    run,
    share,
    staff,
    webhook,
    zalo,
)

app = typer.Typer(help="Loa Số — chatbot tuyên truyền Đại hội và lấy ý kiến dự thảo văn kiện.",
                  no_args_is_help=True, add_completion=False, rich_markup_mode=None)

app.command("broadcast")(announcements.broadcast)
app.command("migrate")(run.migrate)
app.command("serve")(run.serve)
app.command("worker")(run.worker)
app.command("chat")(run.chat)
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)

app.add_typer(webhook.webhook_app, name="webhook")
app.add_typer(content.content_app, name="content")
app.add_typer(content.phase_app, name="phase")
app.add_typer(comments.comments_app, name="comments")
app.add_typer(drafts.drafts_app, name="drafts")
app.add_typer(roles.invites_app, name="invites")
app.add_typer(roles.roles_app, name="roles")
app.add_typer(announcements.announcements_app, name="announcements")
app.add_typer(outbox.outbox_app, name="outbox")
app.add_typer(quiz.quiz_app, name="quiz")
app.add_typer(residents.residents_app, name="residents")
app.add_typer(zalo.zalo_app, name="zalo")
app.add_typer(staff.staff_app, name="staff")
app.add_typer(inbox.inbox_app, name="inbox")
app.add_typer(meetings.meetings_app, name="meetings")
app.add_typer(loa.loa_app, name="loa")
app.command("qr")(qr.qr)
app.command("share")(share.share)
app.add_typer(printing.print_app, name="print")
app.command("qr-arrivals")(qr.arrivals)
app.add_typer(report.report_app, name="report")


def main() -> None:
    from bot.cli.vietnamese import main as run_in_vietnamese

    run_in_vietnamese(app)
