-- The data version: one number that changes whenever an input of a Semaforen list changes
-- (signal sources and their rows, employer needs, education places, catalogue occasions,
-- enrolments that ended, follow-up answers). A computed list is cached per area, weights, day
-- and this number, so every instance sees a new import or need report at once and recomputes
-- only then. Ad and forecast rows change only with their signal source (an import ends by
-- updating it) or, for streamed ads, with each batch's progress on `ad_import`, so their own
-- large tables carry no trigger.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 1);

CREATE TRIGGER signal_source_insert_version AFTER INSERT ON signal_source
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER signal_source_update_version AFTER UPDATE ON signal_source
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER signal_source_delete_version AFTER DELETE ON signal_source
BEGIN UPDATE data_version SET version = version + 1; END;

CREATE TRIGGER ad_import_update_version AFTER UPDATE ON ad_import
BEGIN UPDATE data_version SET version = version + 1; END;

CREATE TRIGGER supply_place_insert_version AFTER INSERT ON supply_place
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER supply_place_update_version AFTER UPDATE ON supply_place
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER supply_place_delete_version AFTER DELETE ON supply_place
BEGIN UPDATE data_version SET version = version + 1; END;

CREATE TRIGGER need_report_insert_version AFTER INSERT ON need_report
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER need_report_update_version AFTER UPDATE ON need_report
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER need_report_delete_version AFTER DELETE ON need_report
BEGIN UPDATE data_version SET version = version + 1; END;

CREATE TRIGGER offering_insert_version AFTER INSERT ON offering
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER offering_update_version AFTER UPDATE ON offering
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER offering_delete_version AFTER DELETE ON offering
BEGIN UPDATE data_version SET version = version + 1; END;

CREATE TRIGGER offering_occupation_insert_version AFTER INSERT ON offering_occupation
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER offering_occupation_update_version AFTER UPDATE ON offering_occupation
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER offering_occupation_delete_version AFTER DELETE ON offering_occupation
BEGIN UPDATE data_version SET version = version + 1; END;

CREATE TRIGGER occasion_insert_version AFTER INSERT ON occasion
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER occasion_update_version AFTER UPDATE ON occasion
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER occasion_delete_version AFTER DELETE ON occasion
BEGIN UPDATE data_version SET version = version + 1; END;

-- An enrolment counts once it has ended, and a follow-up once it is answered.
CREATE TRIGGER enrolment_insert_version AFTER INSERT ON enrolment WHEN NEW.ended_on IS NOT NULL
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER enrolment_update_version AFTER UPDATE OF status, ended_on, occasion_id ON enrolment
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER enrolment_delete_version AFTER DELETE ON enrolment WHEN OLD.ended_on IS NOT NULL
BEGIN UPDATE data_version SET version = version + 1; END;

CREATE TRIGGER follow_up_insert_version AFTER INSERT ON follow_up WHEN NEW.answered_at IS NOT NULL
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER follow_up_update_version AFTER UPDATE OF answered_at, in_occupation ON follow_up
BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER follow_up_delete_version AFTER DELETE ON follow_up WHEN OLD.answered_at IS NOT NULL
BEGIN UPDATE data_version SET version = version + 1; END;
