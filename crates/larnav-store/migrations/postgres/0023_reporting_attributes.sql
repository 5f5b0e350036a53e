-- Reporting attributes (larnav_domain::reporting): what a learner says about themselves, per
-- enrolment, for the funder reports; a NULL value means asked and declined. They go with the
-- enrolment (and so with the account), and the housekeeping tick deletes each one when its
-- configured retention after the enrolment's end has passed.
CREATE TABLE enrolment_attribute (
    enrolment_id BIGINT NOT NULL REFERENCES enrolment (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value TEXT,
    given_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (enrolment_id, name)
);
