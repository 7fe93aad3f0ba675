/// The application's schema history, oldest first. Append new versions; never edit, renumber or remove one that
/// may have been applied anywhere (`Migrator` refuses a database whose history differs).
public enum Migrations {
    /// Every migration, in version order.
    public static let all: [Migration] = [auth]

    /// The version a fully migrated database reports (0 for none); the health check requires at least this.
    public static var latestVersion: Int { all.last?.version ?? 0 }

    /// Accounts, sessions with rotating refresh tokens, the audit trail and the shared rate-limit counters.
    ///
    /// Secrets never reach these tables: passwords only as bcrypt hashes, refresh tokens only as SHA-256 hex.
    /// Foreign keys that are followed on delete have an index, so a cascade or purge never scans a whole table.
    static let auth = Migration(
        version: 1, name: "auth",
        sql: """
            CREATE TABLE users (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                email text NOT NULL,
                password_hash text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT users_email_key UNIQUE (email),
                -- The application normalises (trim, NFC, lower case) before every insert and lookup; this refuses
                -- a path that forgot, which would otherwise create a second account for the same address.
                -- IS NFC NORMALIZED needs a UTF8 database, which scripts/postgres.sh creates.
                CONSTRAINT users_email_normalised CHECK (
                    email = lower(btrim(email)) AND email IS NFC NORMALIZED AND char_length(email) <= 254)
            );

            CREATE TABLE sessions (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                created_at timestamptz NOT NULL DEFAULT now(),
                last_used_at timestamptz NOT NULL DEFAULT now(),
                -- Absolute lifetime: rotation never extends it.
                expires_at timestamptz NOT NULL,
                revoked_at timestamptz,
                revoke_reason text,
                user_agent text,
                client_ip text
            );
            -- Live sessions of a user: authentication, the session list, revoke-all.
            CREATE INDEX sessions_user_id_live_idx ON sessions (user_id) WHERE revoked_at IS NULL;
            CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
            -- The purge drops revoked sessions after a retention period.
            CREATE INDEX sessions_revoked_at_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;

            CREATE TABLE refresh_tokens (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                -- SHA-256 of the token in lower-case hex; the format check keeps a raw token from being stored.
                token_hash text NOT NULL CONSTRAINT refresh_tokens_token_hash_key UNIQUE
                    CONSTRAINT refresh_tokens_token_hash_format CHECK (token_hash ~ '^[0-9a-f]{64}$'),
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL,
                -- Set when the token is rotated; a used token is kept until it expires, to recognise its reuse.
                used_at timestamptz,
                replaced_by uuid REFERENCES refresh_tokens (id) ON DELETE SET NULL
            );
            CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id);
            CREATE INDEX refresh_tokens_expires_at_idx ON refresh_tokens (expires_at);
            -- ON DELETE SET NULL looks up the predecessor of every purged token.
            CREATE INDEX refresh_tokens_replaced_by_idx ON refresh_tokens (replaced_by) WHERE replaced_by IS NOT NULL;

            -- Append-only audit trail; never holds a password or a token.
            CREATE TABLE auth_events (
                id bigserial PRIMARY KEY,
                occurred_at timestamptz NOT NULL DEFAULT now(),
                user_id uuid REFERENCES users (id) ON DELETE SET NULL,
                -- No foreign key: the history outlives the purged session.
                session_id uuid,
                event text NOT NULL CONSTRAINT auth_events_event_check CHECK (
                    event IN (
                        'register', 'login_success', 'login_failure', 'refresh', 'refresh_reuse', 'logout',
                        'logout_all', 'session_revoked', 'password_change', 'rate_limited')),
                client_ip text,
                user_agent text
            );
            CREATE INDEX auth_events_user_id_occurred_at_idx ON auth_events (user_id, occurred_at);

            -- One row per bucket and fixed window, shared by every worker and host.
            CREATE TABLE rate_limit_counters (
                bucket text NOT NULL,
                window_start timestamptz NOT NULL,
                hits integer NOT NULL,
                PRIMARY KEY (bucket, window_start)
            );
            CREATE INDEX rate_limit_counters_window_start_idx ON rate_limit_counters (window_start);
            """)
}
