-- Failed sign-ins, per account ('account:NAME') and per client ('client:ADDRESS'),
-- shared by every instance so limits hold behind a load balancer.
CREATE TABLE login_failures (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    started BIGINT NOT NULL
);
CREATE INDEX login_failures_started ON login_failures (started);
