-- Personal API tokens: only the SHA-256 of each token is kept (the token is shown once).
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    label TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    expires_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_username ON api_tokens (username);
