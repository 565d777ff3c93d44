-- Guest upload links: a token (stored as its SHA-256) lets anyone with the link upload
-- into <owner prefix>links/<id>/ within the link's limits. files_held and bytes_held
-- count what guests received plus what unexpired forms may still add; a form is
-- reserved by one conditional UPDATE that keeps both within max_files and max_total.
CREATE TABLE links (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    max_size BIGINT NOT NULL,
    max_files BIGINT NOT NULL,
    max_total BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    password_hash TEXT,
    files_held BIGINT NOT NULL DEFAULT 0,
    bytes_held BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX links_owner ON links (owner);

-- One row per form signed for a guest: settled when it expires (HeadObject: the file
-- is there, it stays counted at its real size; absent, its slot and bytes are freed).
CREATE TABLE link_forms (
    object_key TEXT PRIMARY KEY,
    link_id TEXT NOT NULL,
    size BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX link_forms_link_expires ON link_forms (link_id, expires_at);
