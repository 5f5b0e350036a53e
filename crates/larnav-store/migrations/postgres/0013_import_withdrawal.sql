-- What each streamed ad import added to the monthly counts, so that an import can be withdrawn
-- exactly (its ads subtracted, its ids forgotten). Imports from before this table existed have
-- no rows here and cannot be withdrawn (`tracked` is false).
CREATE TABLE ad_import_count (
    import_id BIGINT NOT NULL REFERENCES ad_import (id) ON DELETE CASCADE,
    ssyk_code TEXT NOT NULL,
    kommun_code TEXT NOT NULL,
    period TEXT NOT NULL,
    ads BIGINT NOT NULL,
    vacancies BIGINT NOT NULL,
    PRIMARY KEY (import_id, ssyk_code, kommun_code, period)
);
ALTER TABLE ad_import ADD COLUMN tracked BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE ad_import ADD COLUMN withdrawn_at TIMESTAMPTZ;
ALTER TABLE ad_import ADD COLUMN withdrawn_by BIGINT REFERENCES app_user (id) ON DELETE SET NULL;
