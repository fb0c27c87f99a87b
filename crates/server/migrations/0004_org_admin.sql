-- Organisation administration (issue 11): disabled and invited accounts,
-- the last sign-in, a password policy per organisation, the audit log.

-- Set by an admin; NULL: the account may sign in.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
-- Added by an admin and no password chosen yet (the stored hash is one no
-- password matches).
ALTER TABLE users ADD COLUMN invited_at BIGINT;
ALTER TABLE users ADD COLUMN last_login_at BIGINT;
CREATE INDEX users_org ON users (org_id, login_key);

-- The policy moves from one server-wide row to one per organisation: each
-- existing organisation keeps what an admin had saved. NULL: the server's
-- [policy] section.
ALTER TABLE orgs ADD COLUMN password_policy TEXT;
UPDATE orgs SET password_policy = (SELECT value FROM settings WHERE key = 'password_policy');
DELETE FROM settings WHERE key = 'password_policy';

-- Who did what to whom, when, from where: one row per admin action.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    at BIGINT NOT NULL,
    actor_id TEXT NOT NULL,
    target_id TEXT,
    kind TEXT NOT NULL,
    ip TEXT
);
CREATE INDEX audit_log_org ON audit_log (org_id, at, id);
CREATE INDEX audit_log_target ON audit_log (org_id, target_id, at);
