-- "Answer a need": an offering created for an occupation of a published priority list. The
-- entry's chain (courses, seats, applicants … in work) counts it even when it is given outside
-- the list's area, e.g. at a distance from another region.
CREATE TABLE offering_answer (
    offering_id INTEGER NOT NULL REFERENCES offering (id) ON DELETE CASCADE,
    published_id INTEGER NOT NULL REFERENCES published_list (id),
    ssyk_code TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (offering_id, published_id, ssyk_code)
);
CREATE INDEX offering_answer_entry ON offering_answer (published_id, ssyk_code);
