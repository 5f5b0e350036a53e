-- Foundation: reference data, organisations, people, sessions, tokens and the audit log.
-- Timestamps are UTC, stored by sqlx as ISO-8601 text; sort keys are ICU Swedish collation keys.

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE lan (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    sort_key BLOB NOT NULL,
    jobtech_id TEXT NOT NULL,
    nuts3 TEXT NOT NULL
);

CREATE TABLE kommun (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    sort_key BLOB NOT NULL,
    lan_code TEXT NOT NULL REFERENCES lan (code),
    jobtech_id TEXT NOT NULL
);
CREATE INDEX kommun_lan ON kommun (lan_code);

CREATE TABLE occupation_group (
    code TEXT PRIMARY KEY,
    level INTEGER NOT NULL,
    name TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    definition TEXT NOT NULL,
    parent_code TEXT REFERENCES occupation_group (code),
    jobtech_id TEXT NOT NULL
);
CREATE INDEX occupation_group_parent ON occupation_group (parent_code);

CREATE TABLE occupation_name (
    jobtech_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    group_code TEXT NOT NULL REFERENCES occupation_group (code)
);
CREATE INDEX occupation_name_group ON occupation_name (group_code);

CREATE TABLE skill (
    jobtech_id TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE occupation_group_skill (
    group_code TEXT NOT NULL REFERENCES occupation_group (code),
    skill_id TEXT NOT NULL REFERENCES skill (jobtech_id),
    PRIMARY KEY (group_code, skill_id)
);

CREATE TABLE sun_field (
    code TEXT PRIMARY KEY,
    level INTEGER NOT NULL,
    name TEXT NOT NULL,
    parent_code TEXT
);

CREATE TABLE sun_level (
    code TEXT PRIMARY KEY,
    level INTEGER NOT NULL,
    name TEXT NOT NULL,
    parent_code TEXT
);

CREATE TABLE organisation (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    sort_key BLOB NOT NULL,
    kind TEXT NOT NULL,
    organisation_number TEXT UNIQUE,
    kommun_code TEXT REFERENCES kommun (code),
    created_at TEXT NOT NULL
);
CREATE INDEX organisation_sort ON organisation (sort_key);

CREATE TABLE app_user (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    sort_key BLOB NOT NULL,
    password_hash TEXT,
    platform_admin BOOLEAN NOT NULL DEFAULT FALSE,
    locale TEXT NOT NULL DEFAULT 'sv',
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL
);
CREATE INDEX app_user_sort ON app_user (sort_key);

CREATE TABLE membership (
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, organisation_id, role)
);
CREATE INDEX membership_organisation ON membership (organisation_id);

CREATE TABLE invitation (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    accepted_at TEXT,
    revoked_at TEXT
);
CREATE INDEX invitation_organisation ON invitation (organisation_id);

CREATE TABLE user_session (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX user_session_user ON user_session (user_id);

CREATE TABLE password_reset (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

CREATE TABLE login_failure (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key_hash TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failure_key ON login_failure (key_hash, at);

CREATE TABLE api_token (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE TABLE audit_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor_user_id INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    organisation_id INTEGER REFERENCES organisation (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_event_organisation ON audit_event (organisation_id, id);
