-- The follow-up view counts a year's enrolments per occasion and status: each occasion's
-- enrolments come from an index that holds the status, without reading the rows. Semaforen's
-- delivered and outcome components read the enrolments that ended since a date.
CREATE INDEX enrolment_occasion_status ON enrolment (occasion_id, status);
CREATE INDEX enrolment_ended ON enrolment (ended_on, status);
