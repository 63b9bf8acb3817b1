-- Browser sessions expire on the server, as Django's do (SESSION_COOKIE_AGE, two weeks by default,
-- fixed at login): a session key is an `api_tokens` row with an `expires_at`; an API key has none
-- (DRF tokens never expire). Nullable and without a default, so adding it rewrites no row.
-- Every row already stored is an API key: session keys ship together with this migration, so no
-- running server ever wrote one without an expiry, and guessing would expire some real keys.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;

-- The clean-up at login deletes expired sessions through this index; API keys are not in it.
CREATE INDEX api_tokens_expires_at_idx ON api_tokens (expires_at) WHERE expires_at IS NOT NULL;
