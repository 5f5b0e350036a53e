-- When an ad import last stored a block: a run marked running without progress for a while
-- was stopped (a crash, Ctrl-C, a restart) and the page says so.
ALTER TABLE ad_import ADD COLUMN progress_at TEXT;
