-- Account settings (issue 10): photos, devices an account has signed in
-- from, notices addressed to one place with details, the expiry reminder.

-- The photo, re-encoded by the server at the two sizes it serves, as
-- base64 text: one column type both backends share.
CREATE TABLE avatars (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    version TEXT NOT NULL,
    png_256 TEXT NOT NULL,
    png_64 TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
ALTER TABLE users ADD COLUMN avatar_version TEXT;

-- Devices an account has signed in from (SHA-256 of the device token, or
-- of the device name and user agent when no token came), for the
-- new-device notice.
CREATE TABLE known_devices (
    user_id TEXT NOT NULL REFERENCES users(id),
    device_key TEXT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, device_key)
);

-- A notice normally goes to the account's addresses when sent; these name
-- one address instead (the old email after a change) and carry the
-- message's arguments (JSON: device, address, days …).
ALTER TABLE notices ADD COLUMN send_channel TEXT;
ALTER TABLE notices ADD COLUMN send_to TEXT;
ALTER TABLE notices ADD COLUMN details TEXT;

-- The password (its changed-at) the expiry reminder was sent for: one
-- reminder per password.
ALTER TABLE users ADD COLUMN expiry_reminded_for BIGINT;
