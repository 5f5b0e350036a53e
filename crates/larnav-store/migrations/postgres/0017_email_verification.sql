-- An account may apply, register for a programme or be e-mailed results only once its e-mail
-- address is verified. Accounts that exist already came through an invitation link, an
-- administrator or the demo: they count as verified from when they were created.
ALTER TABLE app_user ADD COLUMN email_verified_at TIMESTAMPTZ;
UPDATE app_user SET email_verified_at = created_at;

-- A link sent to a learner who registered: single use, expires.
CREATE TABLE email_verification (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX email_verification_user ON email_verification (user_id);
