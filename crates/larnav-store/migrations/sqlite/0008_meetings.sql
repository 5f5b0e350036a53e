-- Learning-meeting programmes (Lärande möten): an organisation opens a programme with its
-- topics, people register with sector, role, organisation, topics and times, the organiser
-- pairs them across sectors (proposed by the engine, adjusted by hand) and publishes; pairs
-- plan meetings and keep notes; at the end participants answer an evaluation.

-- `status`: open (registration; pairs may be proposed and adjusted), published (pairs are
-- visible to participants and frozen; a change needs reopening, which is audited),
-- closed (the programme is over; participants answer the evaluation).
-- `topics`: the programme's topic list as JSON (["Ledarskap", …]).
CREATE TABLE meeting_programme (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    topics TEXT NOT NULL,
    status TEXT NOT NULL,
    published_at TEXT,
    created_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX meeting_programme_organisation ON meeting_programme (organisation_id);

-- A registration. `topics`: JSON list of indices into the programme's topics;
-- `availability`: bits per weekday × morning/afternoon/evening (0 = any time).
CREATE TABLE meeting_participant (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    programme_id INTEGER NOT NULL REFERENCES meeting_programme (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    sector TEXT NOT NULL,
    role TEXT NOT NULL,
    organisation_name TEXT NOT NULL,
    topics TEXT NOT NULL,
    availability INTEGER NOT NULL CHECK (availability BETWEEN 0 AND 32767),
    created_at TEXT NOT NULL,
    UNIQUE (programme_id, user_id)
);

-- A pair; `first_id` < `second_id`. A participant is in at most one pair (the triggers below
-- refuse a second).
CREATE TABLE meeting_pair (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    programme_id INTEGER NOT NULL REFERENCES meeting_programme (id) ON DELETE CASCADE,
    first_id INTEGER NOT NULL UNIQUE REFERENCES meeting_participant (id) ON DELETE CASCADE,
    second_id INTEGER NOT NULL UNIQUE REFERENCES meeting_participant (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    CHECK (first_id < second_id)
);
CREATE TRIGGER meeting_pair_once BEFORE INSERT ON meeting_pair
WHEN EXISTS (SELECT 1 FROM meeting_pair
             WHERE first_id IN (NEW.first_id, NEW.second_id)
                OR second_id IN (NEW.first_id, NEW.second_id))
BEGIN SELECT RAISE(ABORT, 'participant already paired'); END;

CREATE TABLE meeting (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pair_id INTEGER NOT NULL REFERENCES meeting_pair (id) ON DELETE CASCADE,
    starts_at TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes BETWEEN 15 AND 480),
    place TEXT NOT NULL,
    reminded INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL
);
CREATE INDEX meeting_pair_starts ON meeting (pair_id, starts_at);

CREATE TABLE meeting_note (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pair_id INTEGER NOT NULL REFERENCES meeting_pair (id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- A participant's closing evaluation: answers on the 1–5 scale as JSON ([4, 5, 3, 4]) and
-- free text.
CREATE TABLE meeting_evaluation (
    participant_id INTEGER PRIMARY KEY REFERENCES meeting_participant (id) ON DELETE CASCADE,
    answers TEXT NOT NULL,
    comment TEXT NOT NULL,
    created_at TEXT NOT NULL
);
