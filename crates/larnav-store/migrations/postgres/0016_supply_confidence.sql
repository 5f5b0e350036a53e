-- How sure Lärnav's occupation suggestion for an education is (0–100), so that analysts can
-- confirm the sure ones in bulk. NULL without a suggestion, and for rows imported before this
-- column existed until the supply is imported again.
ALTER TABLE supply_place ADD COLUMN suggestion_confidence BIGINT;
