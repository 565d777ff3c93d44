-- One counter, raised in the same transaction as every change that can end a sign-in
-- (an account disabled, its prefix, limits, role or password changed, a token revoked).
-- Each instance reads it a few times a second and forgets the accounts and tokens it
-- remembered when it moved (src/accounts/fresh.rs).
CREATE TABLE account_changes (
    id INTEGER PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO account_changes (id, version) VALUES (1, 0);
