-- The network's shared knowledge: learning-centre profiles, the registry of proven working
-- models with the organisations that adopted them, and documents uploaded to a model or to a
-- mentorship pair's space (the files lie under the data directory, `documents/…`).

-- One profile per organisation (learning centres mostly). JSON columns: `services` (keys of
-- `larnav_domain::network::CentreService`), `opening_hours` (seven entries, Monday first, each
-- `["08:00", "16:00"]` or null when closed), `themes` (theme ids), `key_figures`
-- (`[["Studerande 2025", "412"], …]`, as the centre chooses to show them).
CREATE TABLE centre_profile (
    organisation_id INTEGER PRIMARY KEY REFERENCES organisation (id) ON DELETE CASCADE,
    description TEXT NOT NULL,
    services TEXT NOT NULL,
    opening_hours TEXT NOT NULL,
    hours_note TEXT NOT NULL,
    address TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL,
    website TEXT NOT NULL,
    themes TEXT NOT NULL,
    key_figures TEXT NOT NULL,
    updated_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    updated_at TEXT NOT NULL
);

-- A working model an organisation has proven (an outreach tour, a needs-inventory routine …).
-- `themes`: JSON theme ids; `links`: JSON `[["Rapport", "https://…"], …]`.
CREATE TABLE working_model (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    title_fold TEXT NOT NULL,
    summary TEXT NOT NULL,
    description TEXT NOT NULL,
    results TEXT NOT NULL,
    start_year INTEGER NOT NULL CHECK (start_year BETWEEN 1900 AND 2100),
    themes TEXT NOT NULL,
    links TEXT NOT NULL,
    created_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (organisation_id, title_fold)
);

-- Another organisation took a model up: when (the first of the month), how far it got
-- (trying, established, ended) and how it went. One record per organisation and model,
-- updated as the experience grows.
CREATE TABLE model_adoption (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id INTEGER NOT NULL REFERENCES working_model (id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    adopted_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('trying', 'established', 'ended')),
    experience TEXT NOT NULL,
    created_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (model_id, organisation_id)
);
CREATE INDEX model_adoption_organisation ON model_adoption (organisation_id);

-- A document belongs to exactly one working model or one mentorship pair.
CREATE TABLE network_document (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id INTEGER REFERENCES working_model (id) ON DELETE CASCADE,
    pair_id INTEGER REFERENCES mentorship_pair (id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
    storage_key TEXT NOT NULL UNIQUE,
    uploaded_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    uploaded_at TEXT NOT NULL,
    CHECK ((model_id IS NULL) <> (pair_id IS NULL))
);
CREATE INDEX network_document_model ON network_document (model_id);
CREATE INDEX network_document_pair ON network_document (pair_id);
