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
    // Sync (sync/outbox.hpp, storage/sync_repo.hpp). Change tracking by triggers, so no code path
    // can change a record without it reaching HQ: every insert, update or delete of a case or of
    // anything hanging off it (person, consents, exploitation, referrals, stays, services) queues
    // ('case', case id); a call queues ('call', id); a bed ('bed', id). Retention's purges are
    // changes too, on purpose: HQ receives the stub ("purged": true) and records the purge.
    // Only HQ's confirmation itself (hq_confirmed_at) is not a change — else every receipt would
    // send everything back. That is why the case and call triggers name their columns: a
    // migration that adds a column to cases or calls must recreate those two triggers with it.
    // AUTOINCREMENT: a seq is never reused, even after the queue was emptied.
    Migration{4, R"sql(
CREATE TABLE sync_changes (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  entity     TEXT NOT NULL CHECK (entity IN ('case','call','bed')),
  entity_id  INTEGER NOT NULL
);
CREATE INDEX sync_changes_by_entity ON sync_changes(entity, entity_id, seq);

CREATE TRIGGER sync_case_insert AFTER INSERT ON cases
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('case', NEW.id); END;
CREATE TRIGGER sync_case_update AFTER UPDATE OF case_number, person_id, origin, status, risk_level, is_witness,
    protection_measures, scope, repatriation_status, repatriation_destination, needs, intake_source, notes,
    opened_at, closed_at, created_by, updated_at, purged_at ON cases
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('case', NEW.id); END;
CREATE TRIGGER sync_case_delete AFTER DELETE ON cases
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('case', OLD.id); END;

CREATE TRIGGER sync_person_update AFTER UPDATE ON persons
  BEGIN INSERT INTO sync_changes (entity, entity_id) SELECT 'case', id FROM cases WHERE person_id = NEW.id; END;
CREATE TRIGGER sync_consent_insert AFTER INSERT ON consents
  BEGIN INSERT INTO sync_changes (entity, entity_id) SELECT 'case', id FROM cases WHERE person_id = NEW.person_id; END;
CREATE TRIGGER sync_consent_update AFTER UPDATE ON consents
  BEGIN INSERT INTO sync_changes (entity, entity_id) SELECT 'case', id FROM cases WHERE person_id IN (OLD.person_id, NEW.person_id); END;
CREATE TRIGGER sync_consent_delete AFTER DELETE ON consents
  BEGIN INSERT INTO sync_changes (entity, entity_id) SELECT 'case', id FROM cases WHERE person_id = OLD.person_id; END;

CREATE TRIGGER sync_exploitation_insert AFTER INSERT ON exploitations
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('case', NEW.case_id); END;
CREATE TRIGGER sync_exploitation_update AFTER UPDATE ON exploitations
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('case', NEW.case_id); END;
CREATE TRIGGER sync_exploitation_delete AFTER DELETE ON exploitations
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('case', OLD.case_id); END;
CREATE TRIGGER sync_referral_insert AFTER INSERT ON referrals
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('case', NEW.case_id); END;
CREATE TRIGGER sync_referral_update AFTER UPDATE ON referrals
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('case', NEW.case_id); END;
CREATE TRIGGER sync_referral_delete AFTER DELETE ON referrals
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('case', OLD.case_id); END;
CREATE TRIGGER sync_stay_insert AFTER INSERT ON stays
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('case', NEW.case_id); END;
CREATE TRIGGER sync_stay_update AFTER UPDATE ON stays
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('case', NEW.case_id); END;
CREATE TRIGGER sync_stay_delete AFTER DELETE ON stays
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('case', OLD.case_id); END;
CREATE TRIGGER sync_service_insert AFTER INSERT ON services
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('case', NEW.case_id); END;
CREATE TRIGGER sync_service_update AFTER UPDATE ON services
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('case', NEW.case_id); END;
CREATE TRIGGER sync_service_delete AFTER DELETE ON services
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('case', OLD.case_id); END;

CREATE TRIGGER sync_call_insert AFTER INSERT ON calls
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('call', NEW.id); END;
CREATE TRIGGER sync_call_update AFTER UPDATE OF started_at, duration_s, channel, caller_type, language, region,
    call_type, ilo_indicators, actions, le_referred, le_unit, le_date, follow_up_due, follow_up_done, case_id,
    caller_name, phone, notes, created_by, created_at, updated_at, purged_at ON calls
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('call', NEW.id); END;
CREATE TRIGGER sync_call_delete AFTER DELETE ON calls
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('call', OLD.id); END;

CREATE TRIGGER sync_bed_insert AFTER INSERT ON beds
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('bed', NEW.id); END;
CREATE TRIGGER sync_bed_update AFTER UPDATE ON beds
  BEGIN INSERT INTO sync_changes (entity, entity_id) VALUES ('bed', NEW.id); END;

-- A device that already holds records queues all of them once, so its first bundle is complete.
INSERT INTO sync_changes (entity, entity_id) SELECT 'case', id FROM cases;
INSERT INTO sync_changes (entity, entity_id) SELECT 'call', id FROM calls;
INSERT INTO sync_changes (entity, entity_id) SELECT 'bed', id FROM beds;

-- One row per bundle written, recorded in the transaction that consumed its changes, before its
-- file becomes visible in outbox/. state: pending (not yet confirmed by HQ), delivered (an
-- accepted or duplicate receipt), lost (its file vanished before HQ confirmed it: its records
-- were queued again). The receipt_* columns hold HQ's last verified answer.
CREATE TABLE outbox_bundles (
  sequence            INTEGER PRIMARY KEY CHECK (sequence >= 1),
  bundle_id           BLOB NOT NULL UNIQUE CHECK (length(bundle_id) = 16),
  file_name           TEXT NOT NULL UNIQUE,
  bundle_hash         BLOB NOT NULL CHECK (length(bundle_hash) = 32),
  created_at          INTEGER NOT NULL,
  bytes               INTEGER NOT NULL,
  change_through      INTEGER NOT NULL,
  audit_through       INTEGER NOT NULL,
  checkpoint_through  INTEGER NOT NULL,
  cases               INTEGER NOT NULL DEFAULT 0,
  calls               INTEGER NOT NULL DEFAULT 0,
  beds                INTEGER NOT NULL DEFAULT 0,
  audit_entries       INTEGER NOT NULL DEFAULT 0,
  state               TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','delivered','lost')),
  delivered_at        INTEGER,
  receipt_status      TEXT CHECK (receipt_status IN ('accepted','duplicate','rejected')),
  receipt_reason      TEXT,
  received_at         INTEGER,
  received_through    INTEGER
);
CREATE INDEX outbox_bundles_by_state ON outbox_bundles(state, sequence);
-- The record versions (updated_at as snapshotted) a bundle carried: an accepted receipt confirms
-- exactly these. Removed once confirmed.
CREATE TABLE outbox_items (
  sequence   INTEGER NOT NULL REFERENCES outbox_bundles(sequence),
  entity     TEXT NOT NULL CHECK (entity IN ('case','call')),
  entity_id  INTEGER NOT NULL,
  version    INTEGER NOT NULL,
  PRIMARY KEY (sequence, entity, entity_id)
) WITHOUT ROWID;
CREATE INDEX outbox_items_by_entity ON outbox_items(entity, entity_id, sequence);
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
