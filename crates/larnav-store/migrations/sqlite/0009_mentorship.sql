-- The network's themes and mentorship rounds ("Modellkommun"): an organisation (usually the
-- national association) opens a round with some themes and a timeline; organisations volunteer
-- as models per theme with a capacity; members apply for one theme, ranking the models they
-- prefer; the organiser lets Lärnav propose pairs (`larnav_domain::network::mentorship`),
-- adjusts and publishes. Each pair has a shared space (goals, plan, log) and answers a closing
-- evaluation.

-- Themes, the association's four first; administrators add more. `name_fold` keeps one theme
-- per name whatever its case.
CREATE TABLE network_theme (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    name_fold TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
INSERT INTO network_theme (name, name_fold, created_at) VALUES
    ('Breddad rekrytering', 'breddad rekrytering', '2026-01-01T00:00:00Z'),
    ('Kompetensbehov', 'kompetensbehov', '2026-01-01T00:00:00Z'),
    ('Forskning som del av lärcentrum', 'forskning som del av lärcentrum', '2026-01-01T00:00:00Z'),
    ('Alternativa utbildningsformat', 'alternativa utbildningsformat', '2026-01-01T00:00:00Z');

-- `status` as for learning-meeting programmes: open (offers, applications, pairs change),
-- published (pairs public and frozen; reopening is audited), closed (evaluation).
-- `themes`: JSON list of theme ids; `seed`: the lottery seed of the last proposal.
CREATE TABLE mentorship_round (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    themes TEXT NOT NULL,
    applications_close TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    status TEXT NOT NULL,
    seed INTEGER,
    published_at TEXT,
    created_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    CHECK (ends_on > starts_on)
);

CREATE TABLE mentorship_offer (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id INTEGER NOT NULL REFERENCES mentorship_round (id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    theme_id INTEGER NOT NULL REFERENCES network_theme (id),
    capacity INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 20),
    created_at TEXT NOT NULL,
    UNIQUE (round_id, organisation_id, theme_id)
);

-- One application per organisation and round. `preferences`: JSON list of offer ids, most
-- wanted first (empty: any model of the theme).
CREATE TABLE mentorship_application (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id INTEGER NOT NULL REFERENCES mentorship_round (id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    theme_id INTEGER NOT NULL REFERENCES network_theme (id),
    preferences TEXT NOT NULL,
    motivation TEXT NOT NULL,
    created_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    UNIQUE (round_id, organisation_id)
);

-- A member with its model; the shared space's goals and meeting plan are kept on the pair.
CREATE TABLE mentorship_pair (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id INTEGER NOT NULL REFERENCES mentorship_round (id) ON DELETE CASCADE,
    application_id INTEGER NOT NULL UNIQUE
        REFERENCES mentorship_application (id) ON DELETE CASCADE,
    offer_id INTEGER NOT NULL REFERENCES mentorship_offer (id) ON DELETE CASCADE,
    goals TEXT NOT NULL DEFAULT '',
    plan TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX mentorship_pair_round ON mentorship_pair (round_id);

-- The pair's log: meetings held (`met_on`), notes, and documents (`url`).
CREATE TABLE mentorship_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pair_id INTEGER NOT NULL REFERENCES mentorship_pair (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('meeting', 'note', 'document')),
    met_on TEXT,
    body TEXT NOT NULL,
    url TEXT,
    author_id INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX mentorship_log_pair ON mentorship_log (pair_id, created_at);

-- Each side of a pair answers the closing evaluation once.
CREATE TABLE mentorship_evaluation (
    pair_id INTEGER NOT NULL REFERENCES mentorship_pair (id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    answers TEXT NOT NULL,
    comment TEXT NOT NULL,
    created_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (pair_id, organisation_id)
);
