-- The transactional outbox: every e-mail Lärnav sends is first a row here, written in the same
-- transaction as the change that causes it (a published round, an invitation, a reset link),
-- and sent by a worker with retries. `dedupe_key` makes enqueueing idempotent; a row is sent at
-- most once per claim (`claimed_until`), so several instances never send it twice at once.
-- `args` (names, links) is cleared once the message is sent.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    locale TEXT NOT NULL,
    template TEXT NOT NULL,
    args TEXT NOT NULL,
    -- An offer e-mail starts its offers' reply-by clock when it is sent.
    reply_round_id INTEGER REFERENCES admission_round (id) ON DELETE CASCADE,
    reply_application_id INTEGER,
    reply_days INTEGER,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_reply ON mail_outbox (reply_round_id, reply_application_id);
