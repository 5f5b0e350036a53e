-- Semaforen: employer need reports, education supply, streamed job-ad imports, and the
-- priority lists analysts review, override and publish.

-- A need an employer reported (itself, or through a competence broker of the filing
-- organisation, who names the employer).
CREATE TABLE need_report (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    employer_name TEXT NOT NULL,
    on_behalf BOOLEAN NOT NULL,
    ssyk_code TEXT NOT NULL REFERENCES occupation_group (code),
    kommun_code TEXT NOT NULL REFERENCES kommun (code),
    needed_now INTEGER NOT NULL CHECK (needed_now >= 0),
    needed_1y INTEGER NOT NULL CHECK (needed_1y >= 0),
    needed_3y INTEGER NOT NULL CHECK (needed_3y >= 0),
    difficulty INTEGER NOT NULL CHECK (difficulty BETWEEN 1 AND 5),
    comment TEXT NOT NULL,
    reported_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    reported_at TEXT NOT NULL
);
CREATE INDEX need_report_ssyk ON need_report (ssyk_code, kommun_code);
CREATE INDEX need_report_org ON need_report (organisation_id, reported_at);

-- Education places from an imported supply source (the YH round) per education and kommun.
-- `suggested_ssyk` is Lärnav's guess; `ssyk_code` is set when an analyst confirms a link.
CREATE TABLE supply_place (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id INTEGER NOT NULL REFERENCES signal_source (id) ON DELETE CASCADE,
    reference TEXT NOT NULL,
    education_name TEXT NOT NULL,
    provider TEXT NOT NULL,
    sun_code TEXT NOT NULL,
    seqf_level INTEGER,
    kommun_code TEXT NOT NULL REFERENCES kommun (code),
    applied_places INTEGER NOT NULL,
    granted_places INTEGER NOT NULL,
    places INTEGER NOT NULL,
    suggested_ssyk TEXT REFERENCES occupation_group (code),
    ssyk_code TEXT REFERENCES occupation_group (code),
    linked_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    linked_at TEXT,
    UNIQUE (source_id, reference, kommun_code)
);
CREATE INDEX supply_place_ssyk ON supply_place (ssyk_code);

-- Vacancies per SSYK-4 × kommun × month come with streamed ads; aggregated counts have none.
ALTER TABLE ad_count ADD COLUMN vacancies INTEGER;

-- One run of the streamed job-ad import. `lines_done` is committed with each batch, so a run
-- that stopped can be seen; re-running the file counts every ad exactly once (ad_seen).
CREATE TABLE ad_import (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file_name TEXT NOT NULL,
    file_bytes INTEGER NOT NULL,
    status TEXT NOT NULL,
    lines_done INTEGER NOT NULL,
    bytes_done INTEGER NOT NULL,
    accepted INTEGER NOT NULL,
    duplicates INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    message TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    imported_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL
);

CREATE TABLE ad_import_rejection (
    import_id INTEGER NOT NULL REFERENCES ad_import (id) ON DELETE CASCADE,
    line INTEGER NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (import_id, line)
);

CREATE TABLE ad_seen (
    ad_id TEXT PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES ad_import (id) ON DELETE CASCADE
);

-- An organisation's working list for one area and year: its weights and the analysts'
-- overrides. Publishing copies the computed list into an immutable version.
CREATE TABLE priority_list (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    area_key TEXT NOT NULL,
    year INTEGER NOT NULL,
    title TEXT NOT NULL,
    weights TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (organisation_id, area_key, year)
);

CREATE TABLE priority_override (
    list_id INTEGER NOT NULL REFERENCES priority_list (id) ON DELETE CASCADE,
    ssyk_code TEXT NOT NULL REFERENCES occupation_group (code),
    light TEXT,
    band TEXT,
    reason TEXT NOT NULL,
    changed_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (list_id, ssyk_code)
);

CREATE TABLE published_list (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    list_id INTEGER NOT NULL REFERENCES priority_list (id),
    version INTEGER NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    title TEXT NOT NULL,
    area_key TEXT NOT NULL,
    area_name TEXT NOT NULL,
    year INTEGER NOT NULL,
    weights TEXT NOT NULL,
    sources TEXT NOT NULL,
    published_at TEXT NOT NULL,
    published_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    UNIQUE (list_id, version)
);

CREATE TABLE published_entry (
    published_id INTEGER NOT NULL REFERENCES published_list (id),
    position INTEGER NOT NULL,
    ssyk_code TEXT NOT NULL,
    occupation_name TEXT NOT NULL,
    field_name TEXT NOT NULL,
    band TEXT NOT NULL,
    light TEXT NOT NULL,
    computed_light TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    reason TEXT,
    PRIMARY KEY (published_id, ssyk_code)
);

-- Published lists never change afterwards: the database refuses it, whatever the code does.
CREATE TRIGGER published_list_frozen BEFORE UPDATE ON published_list
BEGIN SELECT RAISE(ABORT, 'published lists never change'); END;
CREATE TRIGGER published_list_kept BEFORE DELETE ON published_list
BEGIN SELECT RAISE(ABORT, 'published lists never change'); END;
CREATE TRIGGER published_entry_frozen BEFORE UPDATE ON published_entry
BEGIN SELECT RAISE(ABORT, 'published lists never change'); END;
CREATE TRIGGER published_entry_kept BEFORE DELETE ON published_entry
BEGIN SELECT RAISE(ABORT, 'published lists never change'); END;
