-- Outcome follow-ups: 1, 6 and 12 months after an enrolment ended, the learner is e-mailed a
-- single-use link (only its hash is stored) to a few one-click questions. The answers belong to
-- the learner's record and go with it (the enrolment cascades from the account).
CREATE TABLE follow_up (
    id BIGSERIAL PRIMARY KEY,
    enrolment_id BIGINT NOT NULL REFERENCES enrolment (id) ON DELETE CASCADE,
    months BIGINT NOT NULL CHECK (months IN (1, 6, 12)),
    due_on DATE NOT NULL,
    token_hash TEXT UNIQUE,
    sent_at TIMESTAMPTZ,
    expires_at TIMESTAMPTZ,
    answered_at TIMESTAMPTZ,
    in_work BOOLEAN,
    in_occupation BOOLEAN,
    kommun_code TEXT,
    with_employer BOOLEAN,
    further_studies BOOLEAN,
    UNIQUE (enrolment_id, months)
);
CREATE INDEX follow_up_due ON follow_up (due_on) WHERE sent_at IS NULL;
