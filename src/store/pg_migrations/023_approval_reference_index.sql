-- Schema 23: the approvals filter reads the open approvals it names from indexes: those of the
-- enterprises the text names (approvals_open_enterprise), and those whose reference holds the
-- text (approvals_open_reference, pg_trgm's trigrams, for texts of three letters or digits and
-- more). It tested every open approval's reference: 4.1-4.6 ms on the server for 15,337 open
-- approvals, 0.5-0.6 ms so. pg_trgm ships with PostgreSQL (contrib) and is a trusted
-- extension; where it may not be created, the reference index is left out and the filter reads
-- the references as before.
CREATE INDEX approvals_open_enterprise ON approvals (enterprise_id) WHERE decided_at IS NULL;
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX approvals_open_reference ON approvals USING gin (reference gin_trgm_ops)
        WHERE decided_at IS NULL;
EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
    RAISE NOTICE 'pg_trgm is not available: the approvals filter reads every open reference';
END $$;
