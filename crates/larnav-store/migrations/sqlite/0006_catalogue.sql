-- The catalogue: offerings of every kind, their occasions, sessions and teachers, the
-- publication workflow's history, and the change log the search index follows.

-- An offering. `provider_id` is NULL for entries of the national catalogue imported from
-- public sources (they name their provider in `provider_name` and are edited by re-import).
-- `employer_id` with `internal` = TRUE: contract education seen only by that employer and the
-- provider. `version` grows with every edit, so a save based on an old version is refused.
CREATE TABLE offering (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER REFERENCES organisation (id) ON DELETE CASCADE,
    provider_name TEXT NOT NULL,
    employer_id INTEGER REFERENCES organisation (id) ON DELETE SET NULL,
    internal BOOLEAN NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    description TEXT NOT NULL,
    sun_field TEXT,
    seqf_level INTEGER CHECK (seqf_level BETWEEN 1 AND 8),
    credits REAL CHECK (credits >= 0),
    credit_kind TEXT NOT NULL,
    pace_percent INTEGER NOT NULL CHECK (pace_percent BETWEEN 1 AND 100),
    format TEXT NOT NULL,
    kommun_code TEXT REFERENCES kommun (code),
    address TEXT NOT NULL,
    language TEXT NOT NULL,
    price_sek INTEGER CHECK (price_sek >= 0),
    payer TEXT NOT NULL,
    eligibility TEXT NOT NULL,
    url TEXT NOT NULL,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    source_ref TEXT,
    copied_from INTEGER REFERENCES offering (id) ON DELETE SET NULL,
    version INTEGER NOT NULL,
    created_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (source, source_ref)
);
CREATE INDEX offering_provider ON offering (provider_id, status);

CREATE TABLE offering_occupation (
    offering_id INTEGER NOT NULL REFERENCES offering (id) ON DELETE CASCADE,
    ssyk_code TEXT NOT NULL REFERENCES occupation_group (code),
    PRIMARY KEY (offering_id, ssyk_code)
);
CREATE INDEX offering_occupation_ssyk ON offering_occupation (ssyk_code);

-- Every move in the workflow: who, when, to which status, and why.
CREATE TABLE offering_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    offering_id INTEGER NOT NULL REFERENCES offering (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    user_id INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    at TEXT NOT NULL
);
CREATE INDEX offering_event_offering ON offering_event (offering_id, at);

-- An occasion (utbildningstillfälle): dates that need not follow a semester, an application
-- window (rolling: open until it closes or the occasion ends), seats.
CREATE TABLE occasion (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    offering_id INTEGER NOT NULL REFERENCES offering (id) ON DELETE CASCADE,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    application_mode TEXT NOT NULL,
    opens_on TEXT,
    closes_on TEXT,
    seats INTEGER NOT NULL CHECK (seats >= 0),
    place TEXT NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX occasion_offering ON occasion (offering_id, starts_on);

-- A meeting of an occasion (an online session, a day on site), in Swedish local time.
CREATE TABLE offering_session (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occasion_id INTEGER NOT NULL REFERENCES occasion (id) ON DELETE CASCADE,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    title TEXT NOT NULL,
    link TEXT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX offering_session_occasion ON offering_session (occasion_id, starts_at);

-- A provider's teachers (they need not have an account) and their yearly capacity.
CREATE TABLE teacher (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    capacity_hours REAL NOT NULL CHECK (capacity_hours >= 0),
    created_at TEXT NOT NULL
);
CREATE INDEX teacher_organisation ON teacher (organisation_id);

CREATE TABLE occasion_teacher (
    occasion_id INTEGER NOT NULL REFERENCES occasion (id) ON DELETE CASCADE,
    teacher_id INTEGER NOT NULL REFERENCES teacher (id) ON DELETE CASCADE,
    hours REAL NOT NULL CHECK (hours >= 0),
    PRIMARY KEY (occasion_id, teacher_id)
);

-- One row per change to an offering (or anything shown with it), written in the same
-- transaction. Every instance's search index follows this log.
CREATE TABLE catalogue_change (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    offering_id INTEGER NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX catalogue_change_at ON catalogue_change (changed_at);
