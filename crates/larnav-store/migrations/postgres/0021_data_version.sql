-- The data version: one number that changes whenever an input of a Semaforen list changes
-- (signal sources and their rows, employer needs, education places, catalogue occasions,
-- enrolments that ended, follow-up answers). A computed list is cached per area, weights, day
-- and this number, so every instance sees a new import or need report at once and recomputes
-- only then. Ad and forecast rows change only with their signal source (an import ends by
-- updating it) or, for streamed ads, with each batch's progress on `ad_import`, so their own
-- large tables carry no trigger.
CREATE TABLE data_version (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 1);

-- The triggers are deferred to the commit and bump once per transaction: the row lock on
-- data_version is then the last lock a transaction takes and is held only while it commits,
-- so concurrent writers never deadlock on it, and a reader never sees a new version before
-- the data it stands for.
CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('larnav.data_version_bumped', true) IS DISTINCT FROM txid_current()::text THEN
        PERFORM set_config('larnav.data_version_bumped', txid_current()::text, true);
        UPDATE data_version SET version = version + 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER signal_source_version AFTER INSERT OR UPDATE OR DELETE ON signal_source
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();
CREATE CONSTRAINT TRIGGER ad_import_version AFTER UPDATE ON ad_import
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();
CREATE CONSTRAINT TRIGGER supply_place_version AFTER INSERT OR UPDATE OR DELETE ON supply_place
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();
CREATE CONSTRAINT TRIGGER need_report_version AFTER INSERT OR UPDATE OR DELETE ON need_report
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();
CREATE CONSTRAINT TRIGGER offering_version AFTER INSERT OR UPDATE OR DELETE ON offering
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();
CREATE CONSTRAINT TRIGGER offering_occupation_version AFTER INSERT OR UPDATE OR DELETE ON offering_occupation
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();
CREATE CONSTRAINT TRIGGER occasion_version AFTER INSERT OR UPDATE OR DELETE ON occasion
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();
-- An enrolment counts once it has ended, and a follow-up once it is answered.
CREATE CONSTRAINT TRIGGER enrolment_insert_version AFTER INSERT ON enrolment
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.ended_on IS NOT NULL)
EXECUTE FUNCTION bump_data_version();
CREATE CONSTRAINT TRIGGER enrolment_update_version AFTER UPDATE OF status, ended_on, occasion_id ON enrolment
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();
CREATE CONSTRAINT TRIGGER enrolment_delete_version AFTER DELETE ON enrolment
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.ended_on IS NOT NULL)
EXECUTE FUNCTION bump_data_version();
CREATE CONSTRAINT TRIGGER follow_up_insert_version AFTER INSERT ON follow_up
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.answered_at IS NOT NULL)
EXECUTE FUNCTION bump_data_version();
CREATE CONSTRAINT TRIGGER follow_up_update_version AFTER UPDATE OF answered_at, in_occupation ON follow_up
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();
CREATE CONSTRAINT TRIGGER follow_up_delete_version AFTER DELETE ON follow_up
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.answered_at IS NOT NULL)
EXECUTE FUNCTION bump_data_version();
