-- Demand signals: every imported set of figures is a source (what, whose, which period, when
-- imported, by whom); forecasts and ad counts belong to their source and go with it.

CREATE TABLE signal_source (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    publisher TEXT NOT NULL,
    period TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    UNIQUE (kind, period)
);

CREATE TABLE forecast (
    source_id INTEGER NOT NULL REFERENCES signal_source (id) ON DELETE CASCADE,
    barometer_id TEXT NOT NULL,
    barometer_name TEXT NOT NULL,
    ssyk_code TEXT NOT NULL REFERENCES occupation_group (code),
    area_code TEXT NOT NULL,
    job_chances TEXT NOT NULL,
    outlook TEXT NOT NULL,
    PRIMARY KEY (source_id, barometer_id, ssyk_code, area_code)
);
CREATE INDEX forecast_ssyk ON forecast (ssyk_code, area_code);

CREATE TABLE ad_count (
    source_id INTEGER NOT NULL REFERENCES signal_source (id) ON DELETE CASCADE,
    ssyk_code TEXT NOT NULL REFERENCES occupation_group (code),
    kommun_code TEXT NOT NULL REFERENCES kommun (code),
    period TEXT NOT NULL,
    ads INTEGER NOT NULL,
    PRIMARY KEY (source_id, ssyk_code, kommun_code, period)
);
CREATE INDEX ad_count_ssyk ON ad_count (ssyk_code, period);
