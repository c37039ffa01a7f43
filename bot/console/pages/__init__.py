"""The console's pages, one module each. A new page is a module with a `page` (see
bot/console/page.py), a template and a test, added to this list; order matters only where
paths overlap (the catch-all `not_found` stays last)."""

from bot.console.pages import (
    announcements,
    audit,
    bulletins,
    comments,
    content,
    drafts,
    exports,
    home,
    inbox,
    login,
    meeting,
    meetings,
    not_found,
    outbox,
    people,
    preview,
    reports,
    share,
    static,
)

PAGES = [
    static.page,
    login.page,
    home.page,
    meeting.page,
    comments.page,
    exports.page,
    audit.page,
    preview.page,  # the public pages on another day (bot/public)
    inbox.page,  # residents' questions and reports (issue 17)
    share.page,  # text for hamlet Zalo groups (issue 19)
    announcements.page,
    outbox.page,
    bulletins.page,
    content.page,
    drafts.page,
    people.page,
    reports.page,  # the campaign reports kept for download (issue 17)
    meetings.page,  # meetings recorded by chi bộ and organisations (issue 17)
    not_found.page,  # last: any other /admin/… path
]
