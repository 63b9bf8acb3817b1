-- Browser sessions expire on the server, as Django's do (SESSION_COOKIE_AGE, two weeks by default,
-- fixed at login): a session key is an `api_tokens` row with an `expires_at`; an API key has none
-- (DRF tokens never expire). Nullable and without a default, so adding it rewrites no row.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;

-- Until now nothing recorded which rows are sessions. Login and registration insert two rows for the
-- user one after the other: the API key, then the session key. So within a burst of rows of one user
-- (each created less than 2 s after the one before), every second row is a session. Those get two
-- weeks from now (Django's default; the API's SESSION_COOKIE_AGE_SECONDS is not known here), so no
-- session lives forever. A misread row is at worst an older API key that expires in two weeks.
WITH ordered AS (
  SELECT key_hash, user_id, created_date,
         created_date - lag(created_date) OVER (PARTITION BY user_id ORDER BY created_date, key_hash)
           AS gap
  FROM api_tokens
), bursts AS (
  SELECT key_hash, user_id, created_date,
         count(*) FILTER (WHERE gap IS NULL OR gap >= interval '2 seconds')
           OVER (PARTITION BY user_id ORDER BY created_date, key_hash) AS burst
  FROM ordered
), positioned AS (
  SELECT key_hash,
         row_number() OVER (PARTITION BY user_id, burst ORDER BY created_date, key_hash) AS position
  FROM bursts
)
UPDATE api_tokens t SET expires_at = now() + interval '14 days'
FROM positioned p
WHERE p.key_hash = t.key_hash AND p.position % 2 = 0;

-- The clean-up at login deletes expired sessions through this index; API keys are not in it.
CREATE INDEX api_tokens_expires_at_idx ON api_tokens (expires_at) WHERE expires_at IS NOT NULL;
