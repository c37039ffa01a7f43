"""Getting messages to residents outside a conversation: fan-out to audiences, leaders'
announcements, and the outbox sender with its rate limits. Below the flows and the scheduler
(both hand messages to it), above the channels (it sends through them)."""
