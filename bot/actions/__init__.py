"""Staff actions: one function per thing staff do, called alike by the `loaso` command and the
web console. Each takes the caller's session (one transaction), checks its input, does the
work, writes its audit row (db.audit) and raises ActionRefused, worded for staff in
Vietnamese, when it cannot, before anything is written.
"""


class ActionRefused(Exception):
    """The action cannot be done as asked; the message says why, for the staff member."""
