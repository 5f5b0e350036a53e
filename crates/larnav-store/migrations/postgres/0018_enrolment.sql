-- Enrolments (deltagande): a learner's place on an occasion, taken by accepting an offer or
-- enrolled directly by staff, and how it ended. `version` guards concurrent edits; a finished
-- enrolment (completed, interrupted, not_passed) changes only as a correction, which counts
-- itself in `corrections` (the trigger below refuses anything else).
CREATE TABLE enrolment (
    id BIGSERIAL PRIMARY KEY,
    occasion_id BIGINT NOT NULL REFERENCES occasion (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    choice_id BIGINT UNIQUE REFERENCES application_choice (id) ON DELETE SET NULL,
    status TEXT NOT NULL,
    ended_on DATE,
    reason TEXT,
    note TEXT NOT NULL DEFAULT '',
    credits DOUBLE PRECISION CHECK (credits >= 0),
    grade TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    corrections BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (occasion_id, user_id),
    CHECK ((status = 'enrolled') = (ended_on IS NULL)),
    CHECK ((status = 'interrupted') = (reason IS NOT NULL))
);
CREATE INDEX enrolment_user ON enrolment (user_id);

CREATE FUNCTION refuse_finished_enrolment_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'enrolled' AND NEW.corrections = OLD.corrections THEN
        RAISE EXCEPTION 'a finished enrolment changes only as a correction';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER enrolment_finished_frozen BEFORE UPDATE ON enrolment
FOR EACH ROW EXECUTE FUNCTION refuse_finished_enrolment_change();

-- Attendance per session: present or absent, as marked on the session's roll call.
CREATE TABLE attendance (
    enrolment_id BIGINT NOT NULL REFERENCES enrolment (id) ON DELETE CASCADE,
    session_id BIGINT NOT NULL REFERENCES offering_session (id) ON DELETE CASCADE,
    present BOOLEAN NOT NULL,
    marked_by BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    marked_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (enrolment_id, session_id)
);
CREATE INDEX attendance_session ON attendance (session_id);

-- Offers accepted before enrolments existed become enrolments.
INSERT INTO enrolment (occasion_id, user_id, source, choice_id, status, created_at, updated_at)
SELECT c.occasion_id, a.user_id, 'offer', c.id, 'enrolled', COALESCE(o.replied_at, o.offered_at),
       COALESCE(o.replied_at, o.offered_at)
FROM admission_offer o
JOIN application_choice c ON c.id = o.choice_id
JOIN application a ON a.id = c.application_id
WHERE o.status = 'accepted';
