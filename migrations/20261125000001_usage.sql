-- The usage ledger: per account, bytes and files stored (from confirmed and settled
-- uploads) and bytes reserved by signed forms that may still be posted. The quota
-- check reads this row: stored_bytes + reserved_bytes <= quota, kept by one
-- conditional UPDATE in the transaction that records a reservation.
CREATE TABLE usage (
    username TEXT PRIMARY KEY,
    stored_bytes BIGINT NOT NULL DEFAULT 0,
    stored_files BIGINT NOT NULL DEFAULT 0,
    reserved_bytes BIGINT NOT NULL DEFAULT 0
);

-- One row per signed form of a quota account: its exact key, the bytes it may still
-- add, and when it stops being valid (then HeadObject settles it).
CREATE TABLE reservations (
    object_key TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    size BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX reservations_username_expires ON reservations (username, expires_at);
