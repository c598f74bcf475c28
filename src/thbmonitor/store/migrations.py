"""Named schema migrations, applied in order and recorded in the database.

A migration is never edited once released: a schema change is a new entry.
Personal identifiers appear only as keyed tokens (`*_token`), phonetic
tokens (`*_phonetic`) and Bloom-filter encodings (`*_bloom`); see docs/privacy.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str


_INITIAL = """
CREATE SEQUENCE IF NOT EXISTS import_seq START 1;
CREATE SEQUENCE IF NOT EXISTS quarantine_seq START 1;

CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);

CREATE TABLE settings (
    name VARCHAR PRIMARY KEY,
    value JSON NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE organisations (
    source VARCHAR PRIMARY KEY,
    source_type VARCHAR NOT NULL,
    first_import_id BIGINT NOT NULL
);

CREATE TABLE imports (
    import_id BIGINT PRIMARY KEY,
    kind VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    sources VARCHAR[],
    vintage VARCHAR,
    imported_at TIMESTAMP NOT NULL,
    encoding VARCHAR,
    delimiter VARCHAR,
    rows_total INTEGER NOT NULL,
    rows_stored INTEGER NOT NULL,
    rows_unchanged INTEGER NOT NULL,
    rows_quarantined INTEGER NOT NULL,
    partial BOOLEAN NOT NULL
);

CREATE TABLE reports (
    source VARCHAR NOT NULL,
    report_id VARCHAR NOT NULL,
    source_type VARCHAR NOT NULL,
    report_date DATE NOT NULL,
    given_token VARCHAR,
    family_token VARCHAR,
    name_token VARCHAR,
    name_sorted_token VARCHAR,
    given_phonetic VARCHAR,
    family_phonetic VARCHAR,
    given_bloom BITSTRING,
    family_bloom BITSTRING,
    name_bloom BITSTRING,
    date_of_birth DATE,
    birth_year INTEGER,
    sex VARCHAR,
    nationality VARCHAR,
    exploitation VARCHAR[] NOT NULL,
    sector VARCHAR,
    recruitment_country VARCHAR,
    exploitation_countries VARCHAR[],
    scope VARCHAR NOT NULL,
    region VARCHAR,
    legal_basis VARCHAR,
    person_ref_token VARCHAR,
    phone_token VARCHAR,
    investigation_id VARCHAR,
    extra JSON,
    row_hash VARCHAR NOT NULL,
    import_id BIGINT NOT NULL,
    row_number INTEGER NOT NULL,
    PRIMARY KEY (source, report_id)
);

CREATE TABLE locations (
    location_key VARCHAR PRIMARY KEY,
    source VARCHAR NOT NULL,
    report_id VARCHAR NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE,
    place VARCHAR,
    country VARCHAR,
    location_type VARCHAR,
    booking_channel VARCHAR,
    address_token VARCHAR,
    booking_token VARCHAR,
    extra JSON,
    row_hash VARCHAR NOT NULL,
    import_id BIGINT NOT NULL,
    row_number INTEGER NOT NULL
);

CREATE TABLE investigations (
    investigation_id VARCHAR PRIMARY KEY,
    start_date DATE NOT NULL,
    exploitation VARCHAR[] NOT NULL,
    scope VARCHAR NOT NULL,
    end_date DATE,
    region VARCHAR,
    extra JSON,
    row_hash VARCHAR NOT NULL,
    import_id BIGINT NOT NULL,
    row_number INTEGER NOT NULL
);

CREATE TABLE suspects (
    suspect_id VARCHAR PRIMARY KEY,
    registered_date DATE NOT NULL,
    investigation_id VARCHAR,
    sex VARCHAR,
    birth_year INTEGER,
    nationality VARCHAR,
    extra JSON,
    row_hash VARCHAR NOT NULL,
    import_id BIGINT NOT NULL,
    row_number INTEGER NOT NULL
);

CREATE TABLE cases (
    case_id VARCHAR PRIMARY KEY,
    registered_date DATE NOT NULL,
    suspect_id VARCHAR,
    exploitation VARCHAR[],
    decision VARCHAR,
    decision_date DATE,
    extra JSON,
    row_hash VARCHAR NOT NULL,
    import_id BIGINT NOT NULL,
    row_number INTEGER NOT NULL
);

CREATE TABLE verdicts (
    case_id VARCHAR NOT NULL,
    verdict_date DATE NOT NULL,
    outcome VARCHAR NOT NULL,
    custodial_months DOUBLE,
    extra JSON,
    row_hash VARCHAR NOT NULL,
    import_id BIGINT NOT NULL,
    row_number INTEGER NOT NULL,
    PRIMARY KEY (case_id, verdict_date)
);

CREATE TABLE quarantine (
    quarantine_id BIGINT PRIMARY KEY,
    import_id BIGINT NOT NULL,
    kind VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    row_number INTEGER NOT NULL,
    errors JSON NOT NULL,
    row_data JSON NOT NULL
);

CREATE TABLE link_runs (
    run_id VARCHAR PRIMARY KEY,
    method VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    settings JSON,
    reports INTEGER NOT NULL,
    persons INTEGER NOT NULL
);

CREATE TABLE persons (
    person_id VARCHAR PRIMARY KEY,
    n_reports INTEGER NOT NULL,
    first_report_date DATE,
    last_report_date DATE,
    run_id VARCHAR NOT NULL
);

CREATE TABLE person_reports (
    source VARCHAR NOT NULL,
    report_id VARCHAR NOT NULL,
    person_id VARCHAR NOT NULL,
    PRIMARY KEY (source, report_id)
);
"""

_REVIEW_AND_AUDIT = """
ALTER TABLE link_runs ADD COLUMN quality JSON;
ALTER TABLE link_runs ADD COLUMN model JSON;

CREATE TABLE link_review (
    pair_id VARCHAR PRIMARY KEY,
    left_source VARCHAR NOT NULL,
    left_report_id VARCHAR NOT NULL,
    right_source VARCHAR NOT NULL,
    right_report_id VARCHAR NOT NULL,
    match_probability DOUBLE,
    match_weight DOUBLE,
    comparison JSON,
    run_id VARCHAR NOT NULL
);

CREATE TABLE link_decisions (
    pair_id VARCHAR PRIMARY KEY,
    left_source VARCHAR NOT NULL,
    left_report_id VARCHAR NOT NULL,
    right_source VARCHAR NOT NULL,
    right_report_id VARCHAR NOT NULL,
    decision VARCHAR NOT NULL CHECK (decision IN ('same', 'different')),
    decided_at TIMESTAMP NOT NULL,
    decided_by VARCHAR
);

CREATE SEQUENCE IF NOT EXISTS audit_seq START 1;
CREATE TABLE audit_log (
    event_id BIGINT PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    resource VARCHAR NOT NULL,
    detail JSON
);
"""

# The web app's identities (passwords as Argon2id hashes, sessions and API tokens as
# SHA-256 of the opaque value, never the value) and the audit log's hash chain.
_WEB_IDENTITY_AUDIT_CHAIN = """
ALTER TABLE audit_log ADD COLUMN prev_hash VARCHAR;
ALTER TABLE audit_log ADD COLUMN row_hash VARCHAR;

CREATE TABLE users (
    login VARCHAR PRIMARY KEY,
    role VARCHAR NOT NULL,
    org VARCHAR,
    password_hash VARCHAR NOT NULL,
    locale VARCHAR,
    created_at TIMESTAMP NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE sessions (
    session_hash VARCHAR PRIMARY KEY,
    login VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    token_hash VARCHAR PRIMARY KEY,
    login VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used TIMESTAMP
);

CREATE TABLE login_attempts (
    login_hash VARCHAR NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    succeeded BOOLEAN NOT NULL
);
"""

_QUARANTINE_LIFECYCLE = """
ALTER TABLE quarantine ADD COLUMN record_key VARCHAR;
UPDATE quarantine SET record_key = lower(trim(row_data->>'source')) || chr(31)
    || trim(row_data->>'report_id')
  WHERE kind = 'reports' AND nullif(trim(row_data->>'source'), '') IS NOT NULL
    AND nullif(trim(row_data->>'report_id'), '') IS NOT NULL;
UPDATE quarantine SET record_key = trim(row_data->>'investigation_id')
  WHERE kind = 'investigations' AND nullif(trim(row_data->>'investigation_id'), '') IS NOT NULL;
UPDATE quarantine SET record_key = trim(row_data->>'suspect_id')
  WHERE kind = 'suspects' AND nullif(trim(row_data->>'suspect_id'), '') IS NOT NULL;
UPDATE quarantine SET record_key = trim(row_data->>'case_id')
  WHERE kind = 'cases' AND nullif(trim(row_data->>'case_id'), '') IS NOT NULL
"""

# No clear value from a delivery in the intake's tables (issue 11): the date of birth becomes
# keyed tokens (computed by the importer under the key, which a migration does not have: the
# tokens of rows stored before stay NULL until their file is imported again with --replace,
# docs/privacy.md), with the year, month and age at the report date kept in clear; the
# unknown columns stored in `extra` (free text, names and phone numbers among them) go, and
# the quarantine keeps of its rows only the record key (earlier rows held values in clear).
_INTAKE_WITHOUT_CLEAR_VALUES = """
-- Rebuilt rather than altered: DuckDB refuses to commit an ALTER and an UPDATE of one
-- table in one transaction. Same columns as before, date_of_birth replaced.
CREATE TABLE reports_0005 (
    source VARCHAR NOT NULL,
    report_id VARCHAR NOT NULL,
    source_type VARCHAR NOT NULL,
    report_date DATE NOT NULL,
    given_token VARCHAR,
    family_token VARCHAR,
    name_token VARCHAR,
    name_sorted_token VARCHAR,
    given_phonetic VARCHAR,
    family_phonetic VARCHAR,
    given_bloom BITSTRING,
    family_bloom BITSTRING,
    name_bloom BITSTRING,
    birth_year INTEGER,
    sex VARCHAR,
    nationality VARCHAR,
    exploitation VARCHAR[] NOT NULL,
    sector VARCHAR,
    recruitment_country VARCHAR,
    exploitation_countries VARCHAR[],
    scope VARCHAR NOT NULL,
    region VARCHAR,
    legal_basis VARCHAR,
    person_ref_token VARCHAR,
    phone_token VARCHAR,
    investigation_id VARCHAR,
    extra JSON,
    row_hash VARCHAR NOT NULL,
    import_id BIGINT NOT NULL,
    row_number INTEGER NOT NULL,
    dob_token VARCHAR,
    dob_swap_token VARCHAR,
    dob_near_tokens BIGINT[],
    birth_month INTEGER,
    age_at_report INTEGER,
    PRIMARY KEY (source, report_id)
);
INSERT INTO reports_0005 SELECT
    source, report_id, source_type, report_date, given_token, family_token, name_token,
    name_sorted_token, given_phonetic, family_phonetic, given_bloom, family_bloom, name_bloom,
    coalesce(birth_year, year(date_of_birth)), sex, nationality, exploitation, sector,
    recruitment_country, exploitation_countries, scope, region, legal_basis, person_ref_token,
    phone_token, investigation_id, NULL, row_hash, import_id, row_number, NULL, NULL, NULL,
    month(date_of_birth),
    year(report_date) - year(date_of_birth)
        - CASE WHEN month(report_date) * 100 + day(report_date)
               < month(date_of_birth) * 100 + day(date_of_birth) THEN 1 ELSE 0 END
FROM reports;
DROP TABLE reports;
ALTER TABLE reports_0005 RENAME TO reports;
UPDATE locations SET extra = NULL WHERE extra IS NOT NULL;
UPDATE investigations SET extra = NULL WHERE extra IS NOT NULL;
UPDATE suspects SET extra = NULL WHERE extra IS NOT NULL;
UPDATE cases SET extra = NULL WHERE extra IS NOT NULL;
UPDATE verdicts SET extra = NULL WHERE extra IS NOT NULL;
UPDATE quarantine SET row_data = json_object(
    'source', row_data->>'source', 'report_id', row_data->>'report_id', 'withheld', true)
  WHERE kind = 'reports' AND coalesce(row_data->>'malformed', '') <> 'true';
UPDATE quarantine SET row_data = json_object(
    'source', row_data->>'source', 'report_id', row_data->>'report_id',
    'start_date', row_data->>'start_date', 'withheld', true)
  WHERE kind = 'locations' AND coalesce(row_data->>'malformed', '') <> 'true';
UPDATE quarantine SET row_data = json_object(
    'investigation_id', row_data->>'investigation_id', 'withheld', true)
  WHERE kind = 'investigations' AND coalesce(row_data->>'malformed', '') <> 'true';
UPDATE quarantine SET row_data = json_object(
    'suspect_id', row_data->>'suspect_id', 'withheld', true)
  WHERE kind = 'suspects' AND coalesce(row_data->>'malformed', '') <> 'true';
UPDATE quarantine SET row_data = json_object(
    'case_id', row_data->>'case_id', 'withheld', true)
  WHERE kind = 'cases' AND coalesce(row_data->>'malformed', '') <> 'true';
UPDATE quarantine SET row_data = json_object(
    'case_id', row_data->>'case_id', 'verdict_date', row_data->>'verdict_date', 'withheld', true)
  WHERE kind = 'verdicts' AND coalesce(row_data->>'malformed', '') <> 'true'
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_initial", _INITIAL),
    Migration("0002_link_review_and_audit", _REVIEW_AND_AUDIT),
    Migration("0003_web_identity_audit_chain", _WEB_IDENTITY_AUDIT_CHAIN),
    # The record a quarantined row is of (its natural key, see ingest/quarantine.py), so that
    # a later import storing that record takes the row out of the quarantine.
    Migration("0004_quarantine_lifecycle", _QUARANTINE_LIFECYCLE),
    # The date of birth as keyed tokens, no unknown column in clear (ingest/staging.py).
    Migration("0005_intake_without_clear_values", _INTAKE_WITHOUT_CLEAR_VALUES),
)

# Releases (CONTRACTS §7): a release is written once and never changed; `content` is the
# canonical JSON text as published (hashed into `content_hash` and the audit chain),
# `cells` the true counts behind it, kept for disclosure control across releases and
# never published. Concerns (CONTRACTS §8): counted, never linked, no identifiers.
_RELEASES_AND_CONCERNS = """
CREATE TABLE releases (
    release_id VARCHAR PRIMARY KEY,
    year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    released_at TIMESTAMP NOT NULL,
    released_by VARCHAR NOT NULL,
    content VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    cells VARCHAR NOT NULL,
    UNIQUE (year, number)
);

CREATE TABLE concerns (
    source VARCHAR NOT NULL,
    concern_id VARCHAR NOT NULL,
    source_type VARCHAR,
    concern_date DATE NOT NULL,
    exploitation VARCHAR[],
    age_group VARCHAR,
    nationality_group VARCHAR,
    reason_not_reported VARCHAR,
    extra JSON,
    row_hash VARCHAR NOT NULL,
    import_id BIGINT NOT NULL,
    row_number INTEGER NOT NULL,
    PRIMARY KEY (source, concern_id)
);
"""
MIGRATIONS = (*MIGRATIONS, Migration("0008_releases_and_concerns", _RELEASES_AND_CONCERNS))

# Reviewers' decisions as events with their history (link/decisions.py); the queue's
# name-frequency class and expected error of each pair (link/review.py).
_LINK_DECISION_EVENTS = """
CREATE SEQUENCE IF NOT EXISTS link_decision_seq START 1;
CREATE TABLE link_decision_events (
    event_id BIGINT PRIMARY KEY DEFAULT nextval('link_decision_seq'),
    pair_id VARCHAR NOT NULL,
    left_source VARCHAR NOT NULL,
    left_report_id VARCHAR NOT NULL,
    right_source VARCHAR NOT NULL,
    right_report_id VARCHAR NOT NULL,
    decision VARCHAR NOT NULL CHECK (decision IN ('same', 'different')),
    action VARCHAR NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    decided_by VARCHAR
);
INSERT INTO link_decision_events (pair_id, left_source, left_report_id, right_source,
    right_report_id, decision, action, decided_at, decided_by)
  SELECT pair_id, left_source, left_report_id, right_source, right_report_id, decision,
         'decide', decided_at, decided_by FROM link_decisions ORDER BY decided_at, pair_id;
ALTER TABLE link_review ADD COLUMN name_frequency VARCHAR;
ALTER TABLE link_review ADD COLUMN expected_error DOUBLE
"""
MIGRATIONS = (*MIGRATIONS, Migration("0009_link_decision_events", _LINK_DECISION_EVENTS))

# Issue 16: keyed tokens of a key that romanisations of one Cyrillic name share
# (ingest/pseudonymise.py `romanised_key`: Shevchenko, Sevcenko, Schewtschenko), compared
# and blocked on by the linkage (link/comparisons.py). Reports imported before keep NULL.
_ROMANISED_NAME_TOKEN = """
ALTER TABLE reports ADD COLUMN given_romanised VARCHAR;
ALTER TABLE reports ADD COLUMN family_romanised VARCHAR
"""
MIGRATIONS = (*MIGRATIONS, Migration("0010_romanised_name_token", _ROMANISED_NAME_TOKEN))
