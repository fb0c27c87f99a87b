-- Security hardening (issue 8): per-key guards for limits that must hold
-- under parallel requests on several instances, device tokens for the
-- lockout, lockout of unknown logins, two-step failure streaks.

-- One row per limited key ("code-fail:<user>", "codes-reset-ip:<addr>", …).
-- A request upserts its key's row first, which locks it until commit, so
-- the count that follows can't be raced on any instance.
CREATE TABLE guards (
    key TEXT PRIMARY KEY,
    touched_at BIGINT NOT NULL
);
-- One row per counted event of a key: a sliding window is a COUNT.
CREATE TABLE guard_hits (
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX guard_hits_key ON guard_hits (key, at);

-- Device tokens (OWASP "device cookie"): given at a successful sign-in,
-- stored as SHA-256. A sign-in that presents one is trusted: the account
-- lockout does not block it; its own failures are counted here.
CREATE TABLE device_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    failures BIGINT NOT NULL DEFAULT 0,
    revoked_at BIGINT
);
CREATE INDEX device_tokens_user ON device_tokens (user_id);

-- Failures for logins that match no account, so that they lock (423) just
-- like real ones and the lock reveals nothing.
CREATE TABLE login_lockouts (
    login_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    locked_until BIGINT,
    updated_at BIGINT NOT NULL
);

-- Wrong two-step codes in a row (a notice goes out at 5).
ALTER TABLE users ADD COLUMN mfa_failed_streak BIGINT NOT NULL DEFAULT 0;
-- The device token a session was opened with, if any.
ALTER TABLE sessions ADD COLUMN device_token_hash TEXT;

-- Codes sent are counted in guard_hits now; the old per-account log goes.
DROP INDEX IF EXISTS code_sends_user;
DROP TABLE IF EXISTS code_sends;
