/// The application's schema history, oldest first. Append new versions; never edit, renumber or remove one that
/// may have been applied anywhere (`Migrator` refuses a database whose history differs).
public enum Migrations {
    /// Every migration, in version order.
    public static let all: [Migration] = [
        auth, tasksAndConversations, taskPagesInIDOrder, mailAndPasswordReset, emailVerificationAndAccountDeletion,
        oauthAuthorization,
    ]

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

    /// Tasks, conversations and their messages, each owned by a user; on a database of the older app (a free-text
    /// `user_id` on tasks, conversations and messages) the same tables are upgraded in place instead.
    ///
    /// The upgrade keeps every row: `user_id` becomes `legacy_user_id` and `owner_id` stays NULL, so nobody sees the
    /// row until `fcgi-app claim-legacy` attaches it to an account. Integer task and message ids keep their values
    /// (people remember "task 3"). Conversation ids that are integers or text become UUIDs (text that already is a
    /// UUID keeps it); the old id stays in `conversations.legacy_id` and each message follows its conversation.
    /// Messages whose conversation row is missing get one. A title or description beyond this schema's limits is cut
    /// to fit, its original kept in `legacy_task_originals`; a role other than user/assistant/tool becomes an
    /// assistant message starting with `[role]`. Any other shape of these tables is refused, changing nothing.
    static let tasksAndConversations = Migration(
        version: 2, name: "tasks and conversations",
        sql: """
            -- Helpers for upgrading the older app's tables in place; temporary, so they vanish with this session.
            CREATE FUNCTION pg_temp.column_type(target_table text, target_column text) RETURNS text
            LANGUAGE sql STABLE AS $function$
                SELECT data_type::text FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = target_table AND column_name = target_column
            $function$;

            -- True for a table of the older app (it has `legacy_marker` and lacks `current_marker`), false when the
            -- table is absent; any other shape is refused rather than guessed at.
            CREATE FUNCTION pg_temp.is_legacy_table(target_table text, legacy_marker text, current_marker text)
            RETURNS boolean
            LANGUAGE plpgsql AS $function$
            BEGIN
                IF to_regclass(quote_ident(target_table)) IS NULL THEN
                    RETURN false;
                END IF;
                IF pg_temp.column_type(target_table, legacy_marker) IS NULL
                    OR pg_temp.column_type(target_table, current_marker) IS NOT NULL
                THEN
                    RAISE EXCEPTION
                        'table % exists but is not the older app''s shape (% without %): upgrade it by hand',
                        target_table, legacy_marker, current_marker;
                END IF;
                RETURN true;
            END
            $function$;

            -- The older app's narrower CHECKs on the columns this schema manages (e.g. roles without 'tool') would
            -- refuse rows the application writes; this schema's own CHECKs replace them.
            CREATE FUNCTION pg_temp.drop_checks_on(target_table text, managed_columns text[]) RETURNS void
            LANGUAGE plpgsql AS $function$
            DECLARE
                check_name name;
            BEGIN
                FOR check_name IN
                    SELECT con.conname FROM pg_constraint con
                    WHERE con.conrelid = quote_ident(target_table)::regclass AND con.contype = 'c'
                        AND EXISTS (
                            SELECT FROM pg_attribute a
                            WHERE a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey)
                                AND a.attname = ANY (managed_columns))
                LOOP
                    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', target_table, check_name);
                END LOOP;
            END
            $function$;

            -- The free-text owner becomes `legacy_user_id` (text, optional); a missing one is added empty.
            CREATE FUNCTION pg_temp.keep_legacy_user_id(target_table text) RETURNS void
            LANGUAGE plpgsql AS $function$
            BEGIN
                IF pg_temp.column_type(target_table, 'user_id') IS NULL THEN
                    EXECUTE format('ALTER TABLE %I ADD COLUMN legacy_user_id text', target_table);
                    RETURN;
                END IF;
                EXECUTE format('ALTER TABLE %I RENAME COLUMN user_id TO legacy_user_id', target_table);
                EXECUTE format(
                    'ALTER TABLE %I ALTER COLUMN legacy_user_id DROP DEFAULT, '
                    'ALTER COLUMN legacy_user_id DROP NOT NULL, '
                    'ALTER COLUMN legacy_user_id TYPE text USING legacy_user_id::text', target_table);
            END
            $function$;

            -- Puts the primary key on `target_column` alone, named `<table>_pkey` as a fresh database names it.
            CREATE FUNCTION pg_temp.set_primary_key(target_table text, target_column text) RETURNS void
            LANGUAGE plpgsql AS $function$
            DECLARE
                primary_key name;
                is_on_target boolean;
            BEGIN
                SELECT con.conname, con.conkey = ARRAY[a.attnum] INTO primary_key, is_on_target
                FROM pg_constraint con JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attname = target_column
                WHERE con.conrelid = quote_ident(target_table)::regclass AND con.contype = 'p';
                IF primary_key IS NULL THEN
                    EXECUTE format(
                        'ALTER TABLE %I ADD CONSTRAINT %I PRIMARY KEY (%I)', target_table, target_table || '_pkey',
                        target_column);
                ELSIF NOT is_on_target THEN
                    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', target_table, primary_key);
                    EXECUTE format(
                        'ALTER TABLE %I ADD CONSTRAINT %I PRIMARY KEY (%I)', target_table, target_table || '_pkey',
                        target_column);
                ELSIF primary_key <> target_table || '_pkey' THEN
                    EXECUTE format(
                        'ALTER TABLE %I RENAME CONSTRAINT %I TO %I',
                        target_table, primary_key, target_table || '_pkey');
                END IF;
            END
            $function$;

            -- Drops every foreign key that points at `to_table`, before its key changes type; the messages upgrade
            -- below adds this schema's own.
            CREATE FUNCTION pg_temp.drop_foreign_keys_to(to_table text) RETURNS void
            LANGUAGE plpgsql AS $function$
            DECLARE
                foreign_key record;
            BEGIN
                FOR foreign_key IN
                    SELECT conrelid::regclass AS from_table, conname FROM pg_constraint
                    WHERE confrelid = quote_ident(to_table)::regclass AND contype = 'f'
                LOOP
                    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', foreign_key.from_table, foreign_key.conname);
                END LOOP;
            END
            $function$;

            -- An integer id keeps every value and becomes a bigint identity that continues after the largest one.
            CREATE FUNCTION pg_temp.make_bigint_identity(target_table text) RETURNS void
            LANGUAGE plpgsql AS $function$
            DECLARE
                id_type text := pg_temp.column_type(target_table, 'id');
                serial_sequence text := pg_get_serial_sequence(quote_ident(target_table), 'id');
                next_id bigint;
            BEGIN
                IF id_type IS NULL OR id_type NOT IN ('smallint', 'integer', 'bigint') THEN
                    RAISE EXCEPTION '%.id is %, not an integer: upgrade it by hand',
                        target_table, coalesce(id_type, 'missing');
                END IF;
                IF EXISTS (
                    SELECT FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = target_table AND column_name = 'id'
                        AND is_identity = 'YES')
                THEN
                    EXECUTE format('ALTER TABLE %I ALTER COLUMN id DROP IDENTITY', target_table);
                ELSE
                    EXECUTE format('ALTER TABLE %I ALTER COLUMN id DROP DEFAULT', target_table);
                    IF serial_sequence IS NOT NULL THEN
                        EXECUTE format('DROP SEQUENCE %s', serial_sequence);
                    END IF;
                END IF;
                EXECUTE format(
                    'ALTER TABLE %I ALTER COLUMN id TYPE bigint, ALTER COLUMN id SET NOT NULL', target_table);
                EXECUTE format('ALTER TABLE %I ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY', target_table);
                EXECUTE format('SELECT coalesce(max(id), 0) + 1 FROM %I', target_table) INTO next_id;
                PERFORM setval(pg_get_serial_sequence(quote_ident(target_table), 'id'), next_id, false);
                PERFORM pg_temp.set_primary_key(target_table, 'id');
            END
            $function$;

            -- A text column of this schema: converted from whatever the older app used (varchar, an enum), NULLs filled
            -- with `fill`, then NOT NULL; added when missing.
            CREATE FUNCTION pg_temp.make_required_text(target_table text, target_column text, fill text) RETURNS void
            LANGUAGE plpgsql AS $function$
            BEGIN
                IF pg_temp.column_type(target_table, target_column) IS NULL THEN
                    EXECUTE format(
                        'ALTER TABLE %I ADD COLUMN %I text NOT NULL DEFAULT %L', target_table, target_column, fill);
                    EXECUTE format('ALTER TABLE %I ALTER COLUMN %I DROP DEFAULT', target_table, target_column);
                    RETURN;
                END IF;
                EXECUTE format(
                    'ALTER TABLE %I ALTER COLUMN %I DROP DEFAULT, ALTER COLUMN %I TYPE text USING %I::text',
                    target_table, target_column, target_column, target_column);
                EXECUTE format(
                    'UPDATE %I SET %I = %L WHERE %I IS NULL', target_table, target_column, fill, target_column);
                EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET NOT NULL', target_table, target_column);
            END
            $function$;

            -- A timestamptz NOT NULL DEFAULT now() column. A `timestamp without time zone` is read as UTC (what the
            -- older app wrote); text is parsed in the session's time zone, which the application sets to UTC; NULLs
            -- become `fill`.
            CREATE FUNCTION pg_temp.make_timestamp(target_table text, target_column text, fill text) RETURNS void
            LANGUAGE plpgsql AS $function$
            DECLARE
                current_type text := pg_temp.column_type(target_table, target_column);
            BEGIN
                IF current_type IS NULL THEN
                    EXECUTE format(
                        'ALTER TABLE %I ADD COLUMN %I timestamptz NOT NULL DEFAULT now()', target_table, target_column);
                    RETURN;
                END IF;
                EXECUTE format('ALTER TABLE %I ALTER COLUMN %I DROP DEFAULT', target_table, target_column);
                IF current_type = 'timestamp without time zone' THEN
                    EXECUTE format(
                        'ALTER TABLE %I ALTER COLUMN %I TYPE timestamptz USING %I AT TIME ZONE ''UTC''',
                        target_table, target_column, target_column);
                ELSIF current_type <> 'timestamp with time zone' THEN
                    EXECUTE format(
                        'ALTER TABLE %I ALTER COLUMN %I TYPE timestamptz USING %I::text::timestamptz',
                        target_table, target_column, target_column);
                END IF;
                EXECUTE format(
                    'UPDATE %I SET %I = %s WHERE %I IS NULL', target_table, target_column, fill, target_column);
                EXECUTE format(
                    'ALTER TABLE %I ALTER COLUMN %I SET DEFAULT now(), ALTER COLUMN %I SET NOT NULL',
                    target_table, target_column, target_column);
            END
            $function$;

            -- Columns of the older app this schema does not know are kept, but may no longer be required: the
            -- application's INSERTs do not name them.
            CREATE FUNCTION pg_temp.relax_unknown_columns(target_table text, known_columns text[]) RETURNS void
            LANGUAGE plpgsql AS $function$
            DECLARE
                unknown_column name;
            BEGIN
                FOR unknown_column IN
                    SELECT column_name FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = target_table AND is_nullable = 'NO'
                        AND column_default IS NULL AND is_identity = 'NO' AND is_generated = 'NEVER'
                        AND column_name <> ALL (known_columns)
                LOOP
                    EXECUTE format('ALTER TABLE %I ALTER COLUMN %I DROP NOT NULL', target_table, unknown_column);
                END LOOP;
            END
            $function$;

            -- The older app's tasks and conversations, upgraded in place: every row kept, owner_id NULL (visible to
            -- nobody until `fcgi-app claim-legacy` attaches it).
            DO $upgrade$
            BEGIN
                IF pg_temp.is_legacy_table('tasks', 'user_id', 'owner_id') THEN
                    PERFORM pg_temp.drop_checks_on(
                        'tasks',
                        ARRAY['id', 'user_id', 'title', 'description', 'completed', 'created_at', 'updated_at']);
                    PERFORM pg_temp.keep_legacy_user_id('tasks');
                    PERFORM pg_temp.make_bigint_identity('tasks');
                    PERFORM pg_temp.make_required_text('tasks', 'title', '');
                    PERFORM pg_temp.make_required_text('tasks', 'description', '');
                    ALTER TABLE tasks ALTER COLUMN description SET DEFAULT '';
                    IF pg_temp.column_type('tasks', 'completed') IS NULL THEN
                        ALTER TABLE tasks ADD COLUMN completed boolean NOT NULL DEFAULT false;
                    ELSE
                        ALTER TABLE tasks ALTER COLUMN completed DROP DEFAULT;
                        ALTER TABLE tasks ALTER COLUMN completed TYPE boolean USING completed::text::boolean;
                        UPDATE tasks SET completed = false WHERE completed IS NULL;
                        ALTER TABLE tasks ALTER COLUMN completed SET DEFAULT false, ALTER COLUMN completed SET NOT NULL;
                    END IF;
                    PERFORM pg_temp.make_timestamp('tasks', 'created_at', 'now()');
                    PERFORM pg_temp.make_timestamp('tasks', 'updated_at', 'created_at');
                    -- A title or description outside this schema's limits is cut to fit, and the original text is kept
                    -- here.
                    CREATE TABLE legacy_task_originals (
                        task_id bigint PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
                        title text NOT NULL,
                        description text NOT NULL,
                        archived_at timestamptz NOT NULL DEFAULT now()
                    );
                    INSERT INTO legacy_task_originals (task_id, title, description)
                    SELECT id, title, description FROM tasks
                    WHERE btrim(title) = '' OR char_length(title) > 200 OR char_length(description) > 2000;
                    UPDATE tasks
                    SET title = CASE WHEN btrim(title) = '' THEN 'Untitled task' ELSE left(title, 200) END,
                        description = left(description, 2000)
                    WHERE id IN (SELECT task_id FROM legacy_task_originals);
                    ALTER TABLE tasks
                        ADD COLUMN owner_id uuid CONSTRAINT tasks_owner_id_fkey REFERENCES users (id) ON DELETE CASCADE,
                        -- The older app kept no completion time; its last update is the best estimate there is.
                        ADD COLUMN completed_at timestamptz,
                        ADD CONSTRAINT tasks_title_length CHECK (char_length(title) BETWEEN 1 AND 200),
                        ADD CONSTRAINT tasks_description_length CHECK (char_length(description) <= 2000);
                    UPDATE tasks SET completed_at = updated_at WHERE completed;
                    PERFORM pg_temp.relax_unknown_columns(
                        'tasks',
                        ARRAY[
                            'id', 'owner_id', 'legacy_user_id', 'title', 'description', 'completed', 'created_at',
                            'updated_at', 'completed_at']);
                END IF;

                IF pg_temp.is_legacy_table('conversations', 'user_id', 'owner_id') THEN
                    PERFORM pg_temp.drop_checks_on(
                        'conversations', ARRAY['id', 'user_id', 'title', 'created_at', 'updated_at']);
                    PERFORM pg_temp.keep_legacy_user_id('conversations');
                    ALTER TABLE conversations
                        ADD COLUMN owner_id uuid
                            CONSTRAINT conversations_owner_id_fkey REFERENCES users (id) ON DELETE CASCADE,
                        ADD COLUMN legacy_id text;
                    -- The old id, as text, is how the older app's messages find their conversation below.
                    UPDATE conversations SET legacy_id = id::text;
                    IF pg_temp.column_type('conversations', 'id') <> 'uuid' THEN
                        -- Integer or text ids become UUIDs (a text that already is one is kept); the old value stays in
                        -- legacy_id.
                        PERFORM pg_temp.drop_foreign_keys_to('conversations');
                        ALTER TABLE conversations DROP COLUMN id;
                        ALTER TABLE conversations ADD COLUMN id uuid;
                        UPDATE conversations
                        SET id = CASE
                            WHEN legacy_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                                THEN legacy_id::uuid
                            ELSE gen_random_uuid() END;
                    END IF;
                    ALTER TABLE conversations
                        ALTER COLUMN id SET DEFAULT gen_random_uuid(), ALTER COLUMN id SET NOT NULL;
                    PERFORM pg_temp.set_primary_key('conversations', 'id');
                    PERFORM pg_temp.make_required_text('conversations', 'title', '');
                    ALTER TABLE conversations ALTER COLUMN title SET DEFAULT '';
                    PERFORM pg_temp.make_timestamp('conversations', 'created_at', 'now()');
                    PERFORM pg_temp.make_timestamp('conversations', 'updated_at', 'created_at');
                    PERFORM pg_temp.relax_unknown_columns(
                        'conversations',
                        ARRAY['id', 'owner_id', 'legacy_user_id', 'legacy_id', 'title', 'created_at', 'updated_at']);
                END IF;
            END
            $upgrade$;

            CREATE TABLE IF NOT EXISTS tasks (
                -- bigint and small, so a person can say "task 3".
                id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT tasks_pkey PRIMARY KEY,
                -- NULL: a row of the older app not yet claimed, visible to nobody.
                owner_id uuid CONSTRAINT tasks_owner_id_fkey REFERENCES users (id) ON DELETE CASCADE,
                -- The older app's free-text user id; `fcgi-app claim-legacy` matches on it.
                legacy_user_id text,
                title text NOT NULL CONSTRAINT tasks_title_length CHECK (char_length(title) BETWEEN 1 AND 200),
                description text NOT NULL DEFAULT ''
                    CONSTRAINT tasks_description_length CHECK (char_length(description) <= 2000),
                completed boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                completed_at timestamptz
            );

            CREATE TABLE IF NOT EXISTS conversations (
                id uuid CONSTRAINT conversations_pkey PRIMARY KEY DEFAULT gen_random_uuid(),
                owner_id uuid CONSTRAINT conversations_owner_id_fkey REFERENCES users (id) ON DELETE CASCADE,
                legacy_user_id text,
                -- The older app's id (an integer or text), kept so its messages and any outside reference can be
                -- traced.
                legacy_id text,
                title text NOT NULL DEFAULT '',
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );

            -- The older app's messages, after conversations has its final shape: each follows its conversation to the
            -- new id.
            DO $upgrade$
            BEGIN
                IF pg_temp.is_legacy_table('messages', 'conversation_id', 'tool_name') THEN
                    PERFORM pg_temp.drop_checks_on(
                        'messages', ARRAY['id', 'conversation_id', 'user_id', 'role', 'content', 'created_at']);
                    PERFORM pg_temp.keep_legacy_user_id('messages');
                    PERFORM pg_temp.make_bigint_identity('messages');
                    PERFORM pg_temp.make_timestamp('messages', 'created_at', 'now()');
                    PERFORM pg_temp.make_required_text('messages', 'content', '');
                    PERFORM pg_temp.make_required_text('messages', 'role', 'unknown');
                    -- A role this schema does not know (e.g. 'system') becomes an assistant message that names it.
                    UPDATE messages SET role = lower(btrim(role)) WHERE role <> lower(btrim(role));
                    UPDATE messages SET content = '[' || role || '] ' || content, role = 'assistant'
                    WHERE role NOT IN ('user', 'assistant', 'tool');
                    PERFORM pg_temp.drop_foreign_keys_to('conversations');
                    ALTER TABLE messages RENAME COLUMN conversation_id TO legacy_conversation_id;
                    ALTER TABLE messages
                        ALTER COLUMN legacy_conversation_id DROP DEFAULT,
                        ALTER COLUMN legacy_conversation_id DROP NOT NULL,
                        ALTER COLUMN legacy_conversation_id TYPE text USING legacy_conversation_id::text;
                    -- Messages without a conversation row still belong somewhere: one conversation per missing id, and
                    -- one per user for messages that had none at all.
                    UPDATE messages SET legacy_conversation_id = 'no-conversation:' || coalesce(legacy_user_id, '')
                    WHERE legacy_conversation_id IS NULL;
                    INSERT INTO conversations (legacy_id, legacy_user_id, created_at, updated_at)
                    SELECT legacy_conversation_id, min(legacy_user_id), min(created_at), max(created_at) FROM messages m
                    WHERE NOT EXISTS (SELECT FROM conversations c WHERE c.legacy_id = m.legacy_conversation_id)
                    GROUP BY legacy_conversation_id;
                    ALTER TABLE messages
                        ADD COLUMN conversation_id uuid,
                        ADD COLUMN tool_name text,
                        ADD COLUMN tool_arguments jsonb,
                        ADD COLUMN tool_result jsonb;
                    UPDATE messages m SET conversation_id = c.id
                    FROM conversations c WHERE c.legacy_id = m.legacy_conversation_id;
                    ALTER TABLE messages DROP COLUMN legacy_conversation_id;
                    ALTER TABLE messages
                        ALTER COLUMN conversation_id SET NOT NULL,
                        ADD CONSTRAINT messages_conversation_id_fkey
                            FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE,
                        ADD CONSTRAINT messages_role_check CHECK (role IN ('user', 'assistant', 'tool'));
                    -- Titles as the application derives them: from the conversation's first user message.
                    UPDATE conversations c SET title = left(btrim(first_message.content), 80)
                    FROM (
                        SELECT DISTINCT ON (conversation_id) conversation_id, content FROM messages
                        WHERE role = 'user' ORDER BY conversation_id, id
                    ) first_message
                    WHERE c.id = first_message.conversation_id AND c.title = '';
                    PERFORM pg_temp.relax_unknown_columns(
                        'messages',
                        ARRAY[
                            'id', 'conversation_id', 'legacy_user_id', 'role', 'content', 'tool_name', 'tool_arguments',
                            'tool_result', 'created_at']);
                END IF;
            END
            $upgrade$;

            CREATE TABLE IF NOT EXISTS messages (
                id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT messages_pkey PRIMARY KEY,
                conversation_id uuid NOT NULL CONSTRAINT messages_conversation_id_fkey
                    REFERENCES conversations (id) ON DELETE CASCADE,
                -- The older app's user id on its messages; NULL for every message written since.
                legacy_user_id text,
                role text NOT NULL CONSTRAINT messages_role_check CHECK (role IN ('user', 'assistant', 'tool')),
                content text NOT NULL,
                -- Set on tool messages: which tool ran, with what, and what it answered.
                tool_name text,
                tool_arguments jsonb,
                tool_result jsonb,
                created_at timestamptz NOT NULL DEFAULT now()
            );

            -- A user's task list by status, paged by id; the leading owner_id also serves the ON DELETE CASCADE from
            -- users.
            CREATE INDEX tasks_owner_id_completed_id_idx ON tasks (owner_id, completed, id);
            -- claim-legacy finds the unclaimed rows of one legacy user.
            CREATE INDEX tasks_legacy_user_id_idx ON tasks (legacy_user_id) WHERE owner_id IS NULL;
            -- A user's conversations, most recent first.
            CREATE INDEX conversations_owner_id_updated_at_idx ON conversations (owner_id, updated_at DESC);
            CREATE INDEX conversations_legacy_user_id_idx ON conversations (legacy_user_id) WHERE owner_id IS NULL;
            -- A conversation's messages in order; also serves the ON DELETE CASCADE from conversations.
            CREATE INDEX messages_conversation_id_id_idx ON messages (conversation_id, id);

            DROP FUNCTION pg_temp.column_type, pg_temp.is_legacy_table, pg_temp.drop_checks_on,
                pg_temp.keep_legacy_user_id, pg_temp.set_primary_key, pg_temp.drop_foreign_keys_to,
                pg_temp.make_bigint_identity, pg_temp.make_required_text, pg_temp.make_timestamp,
                pg_temp.relax_unknown_columns;
            """)

    /// Every task of a user in id order, so a page of "all" is an index range scan that stops after its rows.
    /// Version 2's (owner_id, completed, id) serves one state at a time; "all" had to read and sort every task of
    /// the user on every page. A plain CREATE INDEX blocks writes to tasks while it builds (seconds for millions of
    /// rows); migrations run in a transaction, which CONCURRENTLY cannot.
    static let taskPagesInIDOrder = Migration(
        version: 3, name: "task pages in id order",
        sql: """
            CREATE INDEX tasks_owner_id_id_idx ON tasks (owner_id, id);
            """)

    /// The mail outbox and password-reset tokens (docs/mail.md).
    ///
    /// A message is a row of `mail_outbox`, written in the transaction of what it is about, sealed (AES-256-GCM,
    /// `OutboxSeal`) so that the table never holds a usable link, and erased (`sealed_message = ''`) once
    /// delivered or given up. Reset tokens are stored as SHA-256 hex only, like refresh tokens.
    static let mailAndPasswordReset = Migration(
        version: 4, name: "mail outbox and password reset",
        sql: """
            CREATE TABLE mail_outbox (
                id bigserial PRIMARY KEY,
                created_at timestamptz NOT NULL DEFAULT now(),
                kind text NOT NULL CONSTRAINT mail_outbox_kind_check CHECK (
                    kind IN ('password_reset', 'password_changed')),
                recipient text NOT NULL,
                sealed_message text NOT NULL,
                attempts integer NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL DEFAULT now(),
                sent_at timestamptz,
                failed_at timestamptz,
                last_error text,
                CONSTRAINT mail_outbox_erased_when_done CHECK (
                    (sent_at IS NULL AND failed_at IS NULL) OR sealed_message = '')
            );
            -- What the sender claims: due messages, oldest first.
            CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, id)
                WHERE sent_at IS NULL AND failed_at IS NULL;

            CREATE TABLE password_reset_tokens (
                token_hash text PRIMARY KEY CONSTRAINT password_reset_tokens_token_hash_format CHECK (
                    token_hash ~ '^[0-9a-f]{64}$'),
                user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL
            );
            CREATE INDEX password_reset_tokens_user_id_idx ON password_reset_tokens (user_id);
            CREATE INDEX password_reset_tokens_expires_at_idx ON password_reset_tokens (expires_at);

            ALTER TABLE auth_events DROP CONSTRAINT auth_events_event_check, ADD CONSTRAINT auth_events_event_check CHECK (
                event IN (
                    'register', 'login_success', 'login_failure', 'refresh', 'refresh_reuse', 'logout',
                    'logout_all', 'session_revoked', 'password_change', 'rate_limited',
                    'password_reset_requested', 'password_reset'));
            """)

    /// Email verification (a hashed token per link, as for resets) and the kinds of mail and audit events that
    /// verification and account deletion add.
    static let emailVerificationAndAccountDeletion = Migration(
        version: 5, name: "email verification and account deletion",
        sql: """
            ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

            CREATE TABLE email_verification_tokens (
                token_hash text PRIMARY KEY CONSTRAINT email_verification_tokens_token_hash_format CHECK (
                    token_hash ~ '^[0-9a-f]{64}$'),
                user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL
            );
            CREATE INDEX email_verification_tokens_user_id_idx ON email_verification_tokens (user_id);
            CREATE INDEX email_verification_tokens_expires_at_idx ON email_verification_tokens (expires_at);

            ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check, ADD CONSTRAINT mail_outbox_kind_check CHECK (
                kind IN ('password_reset', 'password_changed', 'email_verification', 'account_deleted'));
            -- The sender finds what is waiting for an address that is deleted.
            CREATE INDEX mail_outbox_recipient_idx ON mail_outbox (recipient);

            ALTER TABLE auth_events DROP CONSTRAINT auth_events_event_check, ADD CONSTRAINT auth_events_event_check CHECK (
                event IN (
                    'register', 'login_success', 'login_failure', 'refresh', 'refresh_reuse', 'logout',
                    'logout_all', 'session_revoked', 'password_change', 'rate_limited',
                    'password_reset_requested', 'password_reset', 'email_verification_sent', 'email_verified',
                    'account_deleted'));
            """)

    /// The authorization server of `/api/mcp` (docs/oauth.md): its clients, the authorization requests waiting for
    /// a person's consent, the codes, and the grants, which are sessions that name their client and scopes, so that
    /// their refresh tokens rotate (and are revoked on reuse) exactly as a browser's do. Audit events name the
    /// client they concern.
    static let oauthAuthorization = Migration(
        version: 6, name: "oauth authorization",
        sql: """
            CREATE TABLE oauth_clients (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                -- Registered clients: an opaque random id; metadata-document clients: the document's https URL.
                client_id text NOT NULL CONSTRAINT oauth_clients_client_id_key UNIQUE
                    CONSTRAINT oauth_clients_client_id_length CHECK (char_length(client_id) BETWEEN 1 AND 2000),
                kind text NOT NULL CONSTRAINT oauth_clients_kind_check CHECK (kind IN ('registered', 'metadata_document')),
                client_name text NOT NULL CONSTRAINT oauth_clients_client_name_length CHECK (
                    char_length(client_name) BETWEEN 1 AND 200),
                client_uri text,
                -- A JSON array of strings, in the order the client gave them.
                redirect_uris jsonb NOT NULL CONSTRAINT oauth_clients_redirect_uris_array CHECK (
                    jsonb_typeof(redirect_uris) = 'array' AND jsonb_array_length(redirect_uris) BETWEEN 1 AND 10),
                -- The scopes the client may ask for, space-separated.
                scope text NOT NULL,
                software_id text,
                software_version text,
                created_at timestamptz NOT NULL DEFAULT now(),
                -- A metadata document is fetched again once this has passed; NULL for registered clients.
                metadata_expires_at timestamptz,
                CONSTRAINT oauth_clients_metadata_expiry CHECK ((kind = 'metadata_document') = (metadata_expires_at IS NOT NULL))
            );

            CREATE TABLE oauth_authorization_requests (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                client_id uuid NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
                redirect_uri text NOT NULL,
                state text,
                code_challenge text NOT NULL,
                scope text NOT NULL,
                resource text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL
            );
            CREATE INDEX oauth_authorization_requests_client_id_idx ON oauth_authorization_requests (client_id);
            CREATE INDEX oauth_authorization_requests_expires_at_idx ON oauth_authorization_requests (expires_at);

            -- A grant: a session with a client and the scopes the person allowed it.
            ALTER TABLE sessions
                ADD COLUMN oauth_client_id uuid REFERENCES oauth_clients (id) ON DELETE CASCADE,
                ADD COLUMN scope text,
                ADD CONSTRAINT sessions_grant_scope CHECK ((oauth_client_id IS NULL) = (scope IS NULL));
            CREATE INDEX sessions_oauth_client_id_idx ON sessions (oauth_client_id) WHERE oauth_client_id IS NOT NULL;

            CREATE TABLE oauth_authorization_codes (
                -- SHA-256 of the code in lower-case hex, as for every token this schema keeps.
                code_hash text PRIMARY KEY CONSTRAINT oauth_authorization_codes_code_hash_format CHECK (
                    code_hash ~ '^[0-9a-f]{64}$'),
                client_id uuid NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
                user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                redirect_uri text NOT NULL,
                code_challenge text NOT NULL,
                scope text NOT NULL,
                resource text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL,
                used_at timestamptz,
                -- The grant the code was exchanged for, revoked if the code comes back.
                session_id uuid REFERENCES sessions (id) ON DELETE SET NULL
            );
            CREATE INDEX oauth_authorization_codes_client_id_idx ON oauth_authorization_codes (client_id);
            CREATE INDEX oauth_authorization_codes_user_id_idx ON oauth_authorization_codes (user_id);
            CREATE INDEX oauth_authorization_codes_session_id_idx ON oauth_authorization_codes (session_id);
            CREATE INDEX oauth_authorization_codes_expires_at_idx ON oauth_authorization_codes (expires_at);

            -- The client's public id as text: the history outlives the client's row.
            ALTER TABLE auth_events ADD COLUMN client_id text;
            ALTER TABLE auth_events DROP CONSTRAINT auth_events_event_check, ADD CONSTRAINT auth_events_event_check CHECK (
                event IN (
                    'register', 'login_success', 'login_failure', 'refresh', 'refresh_reuse', 'logout',
                    'logout_all', 'session_revoked', 'password_change', 'rate_limited',
                    'password_reset_requested', 'password_reset', 'email_verification_sent', 'email_verified',
                    'account_deleted', 'oauth_client_registered', 'oauth_consent_granted', 'oauth_consent_denied',
                    'oauth_token_issued', 'oauth_code_replayed', 'oauth_refresh_reused', 'oauth_app_revoked',
                    'oauth_token_revoked'));
            """)
}
