-- The material library: material written by staff, kept in versions that reviewers approve
-- before they are published, with attachments under the data directory (`documents/…`).
-- Organisations get a parent: a school belongs to its school organiser (huvudman), which is
-- what the "organiser" sharing scope and the organiser's reviewers reach.

ALTER TABLE organisation ADD COLUMN parent_id INTEGER REFERENCES organisation (id) ON DELETE SET NULL;
CREATE INDEX organisation_parent ON organisation (parent_id);

-- `published_version_id` points at the version readers see (none until the first approval);
-- the latest version is the one with the highest number.
CREATE TABLE material (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    scope TEXT NOT NULL CHECK (scope IN ('private', 'organisation', 'organiser', 'everyone')),
    published_version_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX material_organisation ON material (organisation_id);
CREATE INDEX material_author ON material (author_id);

-- One version of a material. JSON columns: `school_forms`, `roles` (keys of
-- `larnav_domain::material`), `subjects`, `tags` (free words). `revision` counts in-place saves
-- of a draft, so a save based on an older revision is refused instead of lost.
CREATE TABLE material_version (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    material_id INTEGER NOT NULL REFERENCES material (id) ON DELETE CASCADE,
    number INTEGER NOT NULL CHECK (number > 0),
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    school_forms TEXT NOT NULL,
    subjects TEXT NOT NULL,
    roles TEXT NOT NULL,
    tags TEXT NOT NULL,
    licence TEXT NOT NULL,
    language TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'in_review', 'changes_requested', 'published', 'superseded')),
    revision INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitted_at TEXT,
    decided_at TEXT,
    UNIQUE (material_id, number)
);

-- A reviewer's decision on a version: the checklist points that hold (JSON keys), a comment.
CREATE TABLE material_review (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version_id INTEGER NOT NULL REFERENCES material_version (id) ON DELETE CASCADE,
    reviewer_id INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    decision TEXT NOT NULL CHECK (decision IN ('changes_requested', 'approved')),
    checklist TEXT NOT NULL,
    comment TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX material_review_version ON material_review (version_id);

-- A file added to a material while `version_id` was its draft: part of that version and every
-- later one. Removable only while that version is still a draft.
CREATE TABLE material_attachment (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    material_id INTEGER NOT NULL REFERENCES material (id) ON DELETE CASCADE,
    version_id INTEGER NOT NULL REFERENCES material_version (id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
    storage_key TEXT NOT NULL UNIQUE,
    uploaded_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX material_attachment_material ON material_attachment (material_id);
