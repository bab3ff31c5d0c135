#include "storage/migrations.hpp"

#include <array>

#include <fmt/format.h>

namespace ik::storage {
namespace {

// Append only. Roles are checked here as a second line behind core/'s validation.
constexpr std::array kMigrations{
    Migration{1, R"sql(
CREATE TABLE users (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
  role        TEXT NOT NULL CHECK (role IN ('officer','hotline','coordinator','admin','auditor')),
  disabled    INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0,1)),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE TABLE settings (
  key    TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 128),
  value  BLOB NOT NULL
);
)sql"},
    // Records (HTCDS-aligned). Codes are checked by core/; the schema adds the invariants that
    // must hold even against a buggy caller: one open stay per bed and per case, an append-only
    // audit log.
    Migration{2, R"sql(
CREATE TABLE persons (
  id              INTEGER PRIMARY KEY,
  given_name      TEXT,
  family_name     TEXT,
  alias           TEXT,
  gender          TEXT NOT NULL,
  birth_date      TEXT,
  age_estimate    INTEGER CHECK (age_estimate IS NULL OR age_estimate BETWEEN 0 AND 120),
  citizenship     TEXT,
  languages       TEXT NOT NULL DEFAULT '',
  marital_status  TEXT,
  education       TEXT,
  phone           TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  purged_at       INTEGER
);
CREATE TABLE cases (
  id                        INTEGER PRIMARY KEY,
  case_number               TEXT NOT NULL UNIQUE,
  person_id                 INTEGER NOT NULL REFERENCES persons(id),
  origin                    TEXT NOT NULL CHECK (origin IN ('shelter','hotline')),
  status                    TEXT NOT NULL,
  risk_level                TEXT NOT NULL,
  is_witness                INTEGER NOT NULL DEFAULT 0 CHECK (is_witness IN (0,1)),
  protection_measures       TEXT,
  scope                     TEXT NOT NULL,
  repatriation_status       TEXT NOT NULL,
  repatriation_destination  TEXT,
  needs                     TEXT NOT NULL DEFAULT '',
  intake_source             TEXT NOT NULL,
  notes                     TEXT,
  opened_at                 INTEGER NOT NULL,
  closed_at                 INTEGER,
  created_by                INTEGER NOT NULL REFERENCES users(id),
  updated_at                INTEGER NOT NULL,
  hq_confirmed_at           INTEGER,
  purged_at                 INTEGER
);
CREATE INDEX cases_by_opened ON cases(opened_at DESC);
CREATE INDEX cases_by_status ON cases(status, closed_at);
CREATE INDEX cases_by_person ON cases(person_id);
CREATE TABLE consents (
  id           INTEGER PRIMARY KEY,
  person_id    INTEGER NOT NULL REFERENCES persons(id),
  kind         TEXT NOT NULL,
  granted      INTEGER NOT NULL CHECK (granted IN (0,1)),
  given_on     TEXT NOT NULL,
  taken_by     INTEGER NOT NULL REFERENCES users(id),
  recorded_at  INTEGER NOT NULL
);
CREATE INDEX consents_by_person ON consents(person_id, kind, id);
CREATE TABLE exploitations (
  case_id                 INTEGER PRIMARY KEY REFERENCES cases(id),
  types                   TEXT NOT NULL DEFAULT '',
  labour_sector           TEXT,
  sexual_exploitation     TEXT,
  means_of_control        TEXT NOT NULL DEFAULT '',
  recruitment             TEXT,
  recruiter_relation      TEXT,
  countries_origin        TEXT NOT NULL DEFAULT '',
  countries_transit       TEXT NOT NULL DEFAULT '',
  countries_exploitation  TEXT NOT NULL DEFAULT '',
  started_on              TEXT,
  ended_on                TEXT
);
CREATE TABLE referrals (
  id                 INTEGER PRIMARY KEY,
  case_id            INTEGER NOT NULL REFERENCES cases(id),
  direction          TEXT NOT NULL,
  organisation_type  TEXT NOT NULL,
  organisation       TEXT NOT NULL,
  status             TEXT NOT NULL,
  reason             TEXT,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  created_by         INTEGER NOT NULL REFERENCES users(id)
);
CREATE INDEX referrals_by_case ON referrals(case_id);
CREATE TABLE beds (
  id      INTEGER PRIMARY KEY,
  wing    TEXT NOT NULL,
  label   TEXT NOT NULL UNIQUE,
  active  INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1))
);
CREATE TABLE stays (
  id                INTEGER PRIMARY KEY,
  case_id           INTEGER NOT NULL REFERENCES cases(id),
  bed_id            INTEGER NOT NULL REFERENCES beds(id),
  admitted_at       INTEGER NOT NULL,
  discharged_at     INTEGER,
  discharge_reason  TEXT
);
CREATE UNIQUE INDEX stays_one_per_bed ON stays(bed_id) WHERE discharged_at IS NULL;
CREATE UNIQUE INDEX stays_one_per_case ON stays(case_id) WHERE discharged_at IS NULL;
CREATE INDEX stays_by_case ON stays(case_id);
CREATE TABLE services (
  id          INTEGER PRIMARY KEY,
  case_id     INTEGER NOT NULL REFERENCES cases(id),
  type        TEXT NOT NULL,
  given_on    TEXT NOT NULL,
  given_by    INTEGER NOT NULL REFERENCES users(id),
  note        TEXT,
  created_at  INTEGER NOT NULL
);
CREATE INDEX services_by_case ON services(case_id);
CREATE TABLE calls (
  id               INTEGER PRIMARY KEY,
  started_at       INTEGER NOT NULL,
  duration_s       INTEGER NOT NULL CHECK (duration_s >= 0),
  channel          TEXT NOT NULL,
  caller_type      TEXT NOT NULL,
  language         TEXT,
  region           TEXT,
  call_type        TEXT NOT NULL,
  ilo_indicators   TEXT NOT NULL DEFAULT '',
  actions          TEXT NOT NULL DEFAULT '',
  le_referred      INTEGER NOT NULL DEFAULT 0 CHECK (le_referred IN (0,1)),
  le_unit          TEXT,
  le_date          TEXT,
  follow_up_due    TEXT,
  follow_up_done   INTEGER NOT NULL DEFAULT 0 CHECK (follow_up_done IN (0,1)),
  case_id          INTEGER REFERENCES cases(id),
  caller_name      TEXT,
  phone            TEXT,
  notes            TEXT,
  created_by       INTEGER NOT NULL REFERENCES users(id),
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  hq_confirmed_at  INTEGER,
  purged_at        INTEGER
);
CREATE INDEX calls_by_started ON calls(started_at DESC);
CREATE INDEX calls_by_case ON calls(case_id);
CREATE TABLE drafts (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id),
  kind        TEXT NOT NULL,
  step        INTEGER NOT NULL,
  payload     TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX drafts_by_user ON drafts(user_id, updated_at);
CREATE TABLE audit_log (
  seq         INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  actor_id    INTEGER NOT NULL,
  actor_name  TEXT NOT NULL,
  action      TEXT NOT NULL,
  entity      TEXT NOT NULL,
  entity_id   INTEGER NOT NULL,
  detail      TEXT NOT NULL,
  prev_hash   BLOB NOT NULL,
  hash        BLOB NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE audit_checkpoints (
  seq        INTEGER PRIMARY KEY,
  hash       BLOB NOT NULL,
  signature  BLOB NOT NULL,
  at         INTEGER NOT NULL
);
CREATE VIRTUAL TABLE case_search USING fts3(tokens, tokenize=simple);
)sql"},
    // The case list pages newest first, filtered by status or not: both orders come straight
    // from an index, so a page costs the same with 100 or 100,000 cases.
    Migration{3, R"sql(
DROP INDEX cases_by_opened;
DROP INDEX cases_by_status;
CREATE INDEX cases_by_opened ON cases(opened_at DESC, id DESC);
CREATE INDEX cases_by_status ON cases(status, opened_at DESC, id DESC);
CREATE INDEX cases_by_closed ON cases(closed_at) WHERE closed_at IS NOT NULL;
)sql"},
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }
int latest_schema_version() { return kMigrations.back().version; }

Result<void> migrate(Database& db) {
  const int current = db.user_version();
  if (current < 0) return fail(Errc::Sql, "cannot read the schema version");
  if (current > latest_schema_version())
    return fail(Errc::TooNew, fmt::format("database schema {} is newer than this program ({}); update the kiosk",
                                          current, latest_schema_version()));
  for (const auto& m : kMigrations) {
    if (m.version <= current) continue;
    auto r = db.transaction([&]() -> Result<void> {
      if (auto e = db.exec(m.sql); !e) return e;
      return db.exec(fmt::format("PRAGMA user_version = {}", m.version));
    });
    if (!r) return fail(r.error().code, fmt::format("migration {} failed: {}", m.version, r.error().message));
  }
  return {};
}

}  // namespace ik::storage
