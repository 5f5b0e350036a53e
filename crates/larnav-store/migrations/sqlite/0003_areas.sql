-- Labour-market areas that an organisation (typically a region) defines as sets of kommuner,
-- e.g. four areas inside one län. Riket, län and kommuner are areas by themselves and need no rows.

CREATE TABLE area (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    sort_key BLOB NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (organisation_id, name)
);

CREATE TABLE area_kommun (
    area_id INTEGER NOT NULL REFERENCES area (id) ON DELETE CASCADE,
    kommun_code TEXT NOT NULL REFERENCES kommun (code),
    PRIMARY KEY (area_id, kommun_code)
);
