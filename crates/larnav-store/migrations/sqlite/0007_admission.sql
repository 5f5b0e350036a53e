-- Admission rounds: the occasions in a round and their rules, applications with ranked
-- choices and documents, staff's eligibility decisions, the result of the run, offers and
-- every reply after publication.

-- A round of one provider. `status`: open (applications and rules change), run (a result
-- exists; rules and applications may still change and the round be run again), published
-- (result, rules and applications are frozen; only replies and added seats change offers).
-- `running_since` is the run lock: a second run while it is set is refused. `version` grows
-- with every change of state, so that two replies processed at once cannot both win a seat.
CREATE TABLE admission_round (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    late_until TEXT NOT NULL,
    max_choices INTEGER NOT NULL CHECK (max_choices BETWEEN 1 AND 12),
    credit_cap REAL CHECK (credit_cap > 0),
    reply_days INTEGER NOT NULL CHECK (reply_days BETWEEN 1 AND 60),
    status TEXT NOT NULL,
    seed INTEGER,
    ran_at TEXT,
    published_at TEXT,
    running_since TEXT,
    version INTEGER NOT NULL,
    created_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    CHECK (closes_on >= opens_on AND late_until >= closes_on)
);
CREATE INDEX admission_round_provider ON admission_round (provider_id);

-- An occasion in a round with its seats, credits (for credit caps) and selection groups, as
-- JSON: [{"name": "Betyg", "quota": 7, "nominated_only": false}, …]; and, per group, the last
-- admitted of the latest run (JSON: null or {"merit", "priority_class", "late"}) — what an
-- applicant who was not admitted is told.
CREATE TABLE round_occasion (
    round_id INTEGER NOT NULL REFERENCES admission_round (id) ON DELETE CASCADE,
    occasion_id INTEGER NOT NULL REFERENCES occasion (id) ON DELETE CASCADE,
    seats INTEGER NOT NULL CHECK (seats >= 0),
    credits REAL NOT NULL CHECK (credits >= 0),
    groups TEXT NOT NULL,
    cutoffs TEXT NOT NULL,
    PRIMARY KEY (round_id, occasion_id)
);

CREATE TABLE application (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id INTEGER NOT NULL REFERENCES admission_round (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    late BOOLEAN NOT NULL,
    submitted_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (round_id, user_id)
);

-- A ranked choice, with staff's decision: eligibility (pending, eligible, not_eligible,
-- needs_completion) and note, komvux priority class (0 first), nominated by an employer, and
-- the merit per selection group of the occasion (JSON array, null where not in the group).
CREATE TABLE application_choice (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES application (id) ON DELETE CASCADE,
    round_id INTEGER NOT NULL,
    occasion_id INTEGER NOT NULL,
    rank INTEGER NOT NULL CHECK (rank >= 1),
    eligibility TEXT NOT NULL,
    eligibility_note TEXT NOT NULL,
    decided_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    decided_at TEXT,
    priority_class INTEGER NOT NULL CHECK (priority_class BETWEEN 0 AND 9),
    nominated BOOLEAN NOT NULL,
    merits TEXT NOT NULL,
    FOREIGN KEY (round_id, occasion_id) REFERENCES round_occasion (round_id, occasion_id) ON DELETE CASCADE,
    UNIQUE (application_id, occasion_id)
);
CREATE INDEX application_choice_round ON application_choice (round_id, occasion_id);

-- A document for eligibility; the file lies under the data directory (`documents/…`).
CREATE TABLE application_document (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES application (id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
    storage_key TEXT NOT NULL UNIQUE,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX application_document_application ON application_document (application_id);

-- The engine's outcome per choice of the last run (admitted, reserve, not_tried,
-- not_eligible), the selection group, whether the seat was a shared one, and the best reserve
-- position. Replaced by a new run; frozen once the round is published.
CREATE TABLE admission_result (
    choice_id INTEGER PRIMARY KEY REFERENCES application_choice (id) ON DELETE CASCADE,
    round_id INTEGER NOT NULL REFERENCES admission_round (id) ON DELETE CASCADE,
    outcome TEXT NOT NULL,
    selection_group INTEGER,
    shared BOOLEAN NOT NULL,
    reserve_position INTEGER
);
CREATE INDEX admission_result_round ON admission_result (round_id);

-- An offered place: offered, accepted, declined, expired (no reply by `reply_by`) or released
-- (given up on accepting a better place). `promoted`: offered to a reserve after the round.
CREATE TABLE admission_offer (
    choice_id INTEGER PRIMARY KEY REFERENCES application_choice (id) ON DELETE CASCADE,
    round_id INTEGER NOT NULL REFERENCES admission_round (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    promoted BOOLEAN NOT NULL,
    offered_at TEXT NOT NULL,
    reply_by TEXT NOT NULL,
    replied_at TEXT
);
CREATE INDEX admission_offer_round ON admission_offer (round_id, status, reply_by);

-- Every change after publication, in order: a reply (accept, decline, expire) to a choice's
-- offer, or seats added to an occasion. Replaying them on the published run gives the seats
-- and reserve lists of today.
CREATE TABLE admission_reply (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id INTEGER NOT NULL REFERENCES admission_round (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    choice_id INTEGER REFERENCES application_choice (id) ON DELETE CASCADE,
    occasion_id INTEGER,
    seats INTEGER,
    user_id INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    at TEXT NOT NULL
);
CREATE INDEX admission_reply_round ON admission_reply (round_id, id);

-- A published result never changes: no UPDATE of a published round's results, and its seats
-- change only through an added-seats reply.
CREATE TRIGGER admission_result_frozen BEFORE UPDATE ON admission_result
WHEN (SELECT status FROM admission_round WHERE id = OLD.round_id) = 'published'
BEGIN SELECT RAISE(ABORT, 'a published admission result never changes'); END;
CREATE TRIGGER admission_result_kept BEFORE DELETE ON admission_result
WHEN (SELECT status FROM admission_round WHERE id = OLD.round_id) = 'published'
BEGIN SELECT RAISE(ABORT, 'a published admission result never changes'); END;
CREATE TRIGGER round_occasion_frozen BEFORE UPDATE ON round_occasion
WHEN (SELECT status FROM admission_round WHERE id = OLD.round_id) = 'published'
BEGIN SELECT RAISE(ABORT, 'a published admission result never changes'); END;
