"""The sent journal: what a dead sender's file tells the next one, and that it stays short."""

from __future__ import annotations

from delivery.journal import SentJournal, read_all


def test_acceptances_survive_until_committed_and_dead_journals_are_found(tmp_path):
    journal = SentJournal(tmp_path)
    journal.accepted(7, "501")
    journal.accepted(8, None)
    assert read_all(tmp_path) == ({7: "501", 8: None}, [])  # ours: alive
    journal.committed({8: None})  # 7 is in the database now
    assert read_all(tmp_path)[0] == {8: None}
    dead = tmp_path / "sent-999999999-abcdef01.journal"  # no such process
    dead.write_text("12 900\n13")  # the last line cut short by the kill still counts
    accepted, orphaned = read_all(tmp_path)
    assert accepted == {8: None, 12: "900", 13: None} and orphaned == [dead]
    journal.committed({})
    journal.close()
    assert [path.name for path in tmp_path.iterdir()] == [dead.name]
