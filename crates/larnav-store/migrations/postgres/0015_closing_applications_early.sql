-- Applications to an admission round or a mentorship round that the organiser closed before the
-- announced last day: when and why. The last day is set to that day as well, so that every
-- page shows when applications really closed. Closing early is final.
ALTER TABLE admission_round ADD COLUMN closed_early_at TIMESTAMPTZ;
ALTER TABLE admission_round ADD COLUMN closed_early_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE mentorship_round ADD COLUMN closed_early_at TIMESTAMPTZ;
ALTER TABLE mentorship_round ADD COLUMN closed_early_reason TEXT NOT NULL DEFAULT '';
