-- One schema for SQLite and PostgreSQL: portable types only (TEXT, BIGINT), times as
-- Unix seconds, flags as 0/1.
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    prefix TEXT NOT NULL UNIQUE,
    max_size BIGINT NOT NULL,
    content_type_prefix TEXT NOT NULL DEFAULT '',
    quota BIGINT,
    disabled BIGINT NOT NULL DEFAULT 0,
    -- Bumped when a password is reset or the account disabled: older sessions end.
    session_epoch BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    before_state TEXT,
    after_state TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE uploads (
    object_key TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    size BIGINT NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX uploads_username ON uploads (username);
