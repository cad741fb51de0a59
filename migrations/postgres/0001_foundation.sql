-- Organisations, departments, accounts, OAuth apps and tokens, audit log.
-- Types follow the portable subset (see ARCHITECTURE.md): ids and times are BIGINT
-- (time = Unix milliseconds), flags are BIGINT 0/1, enums are TEXT with a CHECK.

CREATE TABLE organizations (
    id          BIGINT PRIMARY KEY,
    parent_id   BIGINT REFERENCES organizations (id),
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('province', 'city', 'district', 'agency')),
    created_at  BIGINT NOT NULL,
    CONSTRAINT organizations_slug_key UNIQUE (slug)
);

CREATE TABLE departments (
    id               BIGINT PRIMARY KEY,
    organization_id  BIGINT NOT NULL REFERENCES organizations (id),
    parent_id        BIGINT REFERENCES departments (id),
    code             TEXT NOT NULL,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('bureau', 'department', 'team')),
    sort_order       BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    CONSTRAINT departments_code_key UNIQUE (organization_id, code)
);
CREATE INDEX departments_parent_idx ON departments (parent_id);

CREATE TABLE accounts (
    id               BIGINT PRIMARY KEY,
    handle           TEXT NOT NULL,
    handle_key       TEXT NOT NULL,
    display_name     TEXT NOT NULL,
    email            TEXT,
    password_hash    TEXT,
    role             TEXT NOT NULL CHECK (role IN ('administrator', 'organization_head',
                         'department_head', 'official', 'resident')),
    organization_id  BIGINT REFERENCES organizations (id),
    department_id    BIGINT REFERENCES departments (id),
    position         TEXT,
    note             TEXT NOT NULL DEFAULT '',
    locale           TEXT,
    disabled         BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CONSTRAINT accounts_handle_key UNIQUE (handle_key),
    CONSTRAINT accounts_email_key UNIQUE (email)
);
CREATE INDEX accounts_organization_idx ON accounts (organization_id, department_id);

CREATE TABLE oauth_apps (
    id             BIGINT PRIMARY KEY,
    client_id      TEXT NOT NULL,
    client_secret  TEXT NOT NULL,
    name           TEXT NOT NULL,
    website        TEXT,
    redirect_uris  TEXT NOT NULL,
    scopes         TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    CONSTRAINT oauth_apps_client_id_key UNIQUE (client_id)
);

-- Authorisation codes are stored hashed and used once.
CREATE TABLE oauth_codes (
    code_hash              TEXT PRIMARY KEY,
    app_id                 BIGINT NOT NULL REFERENCES oauth_apps (id) ON DELETE CASCADE,
    account_id             BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    redirect_uri           TEXT NOT NULL,
    scopes                 TEXT NOT NULL,
    code_challenge         TEXT,
    code_challenge_method  TEXT,
    expires_at             BIGINT NOT NULL
);

-- Bearer tokens and web sessions: only a SHA-256 of the secret is kept.
CREATE TABLE tokens (
    id            BIGINT PRIMARY KEY,
    token_hash    TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('oauth', 'web')),
    app_id        BIGINT REFERENCES oauth_apps (id) ON DELETE CASCADE,
    account_id    BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    scopes        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT,
    last_used_at  BIGINT,
    CONSTRAINT tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX tokens_account_idx ON tokens (account_id);

CREATE TABLE audit_log (
    id          BIGINT PRIMARY KEY,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
