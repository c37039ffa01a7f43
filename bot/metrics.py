"""Prometheus counters, one registry per app so tests and processes never share state."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter("loaso_updates_total", "Inbound events accepted, by kind",
                               ["channel", "kind"], registry=self.registry)
        self.duplicates = Counter("loaso_duplicate_updates_total",
                                  "Inbound events seen before and dropped", ["channel"],
                                  registry=self.registry)
        self.ignored = Counter("loaso_updates_ignored_total",
                               "Inbound events acknowledged and ignored: not served (edits, "
                               "groups) or not understood (shapes the channel cannot read)",
                               ["channel", "reason"], registry=self.registry)
        self.limited = Counter("loaso_inbound_limited_total",
                               "Events over a resident's per-minute limit: the one notice, "
                               "then silence", ["channel", "verdict"], registry=self.registry)
        self.rejected = Counter("loaso_webhook_rejected_total",
                                "Webhook requests refused, by HTTP status",
                                ["channel", "status"], registry=self.registry)
        self.handler_errors = Counter("loaso_handler_errors_total",
                                      "Events whose handler raised", ["channel"],
                                      registry=self.registry)
        self.replies = Counter("loaso_replies_total", "Messages queued as replies",
                               ["channel"], registry=self.registry)
        self.sent = Counter("loaso_messages_sent_total", "Platform calls that succeeded",
                            ["channel"], registry=self.registry)
        self.send_errors = Counter("loaso_send_errors_total", "Failed platform calls, by class",
                                   ["channel", "error_class"], registry=self.registry)
        self.send_failures = Counter("loaso_send_failures_total",
                                     "Messages given up as failed, by the reason of the last "
                                     "error (permanent, or transient past its retry window)",
                                     ["channel", "reason"], registry=self.registry)
        self.commit_groups = Histogram("loaso_commit_group_events",
                                       "Inbound events stored per transaction (group commit)",
                                       buckets=(1, 2, 4, 8, 16, 32, 64), registry=self.registry)
        self.outbox_depth = Gauge("loaso_outbox_messages", "Outbox rows by status",
                                  ["status"], registry=self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)
