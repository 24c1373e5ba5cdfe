-- SEC-03: how many times each master key has sealed a secret, kept beside its check value so
-- the count outlives the process (crypto/seals.rs). Counting starts here: seals made before
-- this migration are not known, a few per secret at most, far below the alarm at 2^30.
ALTER TABLE encryption_keys ADD COLUMN seals bigint NOT NULL DEFAULT 0 CHECK (seals >= 0);
