#include "hq/store.hpp"

#include <sys/stat.h>

#include <array>
#include <functional>
#include <span>

#include <fmt/format.h>

#include "crypto/file_io.hpp"
#include "storage/row_helpers.hpp"

namespace ik::hq {
namespace {

using nlohmann::json;

struct Migration {
  int version;
  std::string_view sql;
};

// Append only: a migration is never edited once shipped; a change is a new number. The CHECKs
// are the store's own line behind the payload validation (hq/payload.cpp): a value that slips
// past it fails the import transaction, which then rolls back whole.
constexpr std::array kMigrations{
    Migration{1, R"sql(
CREATE TABLE store_meta (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);
INSERT INTO store_meta (key, value) VALUES ('kind', 'hq-store');
CREATE TABLE devices (
  key_id            TEXT PRIMARY KEY CHECK (length(key_id) = 16),
  public_key        BLOB NOT NULL UNIQUE CHECK (length(public_key) = 32),
  label             TEXT NOT NULL CHECK (length(label) <= 128),
  enrolled_at       INTEGER NOT NULL,
  revoked_at        INTEGER,
  revoke_reason     TEXT CHECK (revoke_reason IS NULL OR length(revoke_reason) <= 200),
  received_through  INTEGER NOT NULL DEFAULT 0 CHECK (received_through >= 0)
);
CREATE TABLE bundles (
  device         TEXT NOT NULL REFERENCES devices(key_id),
  sequence       INTEGER NOT NULL CHECK (sequence >= 1),
  bundle_id      TEXT NOT NULL CHECK (length(bundle_id) = 32),
  bundle_hash    BLOB NOT NULL CHECK (length(bundle_hash) = 32),
  previous_hash  BLOB NOT NULL CHECK (length(previous_hash) = 32),
  created_at     INTEGER NOT NULL,
  received_at    INTEGER NOT NULL,
  bytes          INTEGER NOT NULL CHECK (bytes >= 0),
  status         TEXT NOT NULL DEFAULT 'imported' CHECK (status IN ('imported')),
  source         TEXT NOT NULL CHECK (length(source) <= 16),
  records        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (device, sequence)
);
CREATE UNIQUE INDEX bundles_by_id ON bundles(bundle_id);
CREATE TABLE cases (
  device           TEXT NOT NULL REFERENCES devices(key_id),
  local_id         INTEGER NOT NULL CHECK (local_id >= 1),
  case_number      TEXT CHECK (case_number IS NULL OR length(case_number) <= 64),
  status           TEXT CHECK (status IS NULL OR length(status) <= 64),
  opened_at        INTEGER,
  closed_at        INTEGER,
  updated_at       INTEGER NOT NULL,
  purged           INTEGER NOT NULL DEFAULT 0 CHECK (purged IN (0,1)),
  purged_at        INTEGER,
  record           TEXT NOT NULL,
  bundle_sequence  INTEGER NOT NULL,
  received_at      INTEGER NOT NULL,
  PRIMARY KEY (device, local_id)
);
CREATE TABLE calls (
  device           TEXT NOT NULL REFERENCES devices(key_id),
  local_id         INTEGER NOT NULL CHECK (local_id >= 1),
  started_at       INTEGER,
  call_type        TEXT CHECK (call_type IS NULL OR length(call_type) <= 64),
  updated_at       INTEGER NOT NULL,
  purged           INTEGER NOT NULL DEFAULT 0 CHECK (purged IN (0,1)),
  purged_at        INTEGER,
  record           TEXT NOT NULL,
  bundle_sequence  INTEGER NOT NULL,
  received_at      INTEGER NOT NULL,
  PRIMARY KEY (device, local_id)
);
CREATE TABLE beds (
  device           TEXT NOT NULL REFERENCES devices(key_id),
  label            TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 64),
  wing             TEXT CHECK (wing IS NULL OR length(wing) <= 64),
  active           INTEGER NOT NULL CHECK (active IN (0,1)),
  record           TEXT NOT NULL,
  bundle_sequence  INTEGER NOT NULL,
  received_at      INTEGER NOT NULL,
  PRIMARY KEY (device, label)
);
CREATE TABLE audit (
  device           TEXT NOT NULL REFERENCES devices(key_id),
  seq              INTEGER NOT NULL CHECK (seq >= 1),
  at               INTEGER NOT NULL,
  actor_id         INTEGER,
  actor_name       TEXT,
  action           TEXT NOT NULL,
  entity           TEXT,
  entity_id        INTEGER,
  detail           TEXT,
  prev_hash        BLOB NOT NULL CHECK (length(prev_hash) = 32),
  hash             BLOB NOT NULL CHECK (length(hash) = 32),
  bundle_sequence  INTEGER NOT NULL,
  PRIMARY KEY (device, seq)
);
CREATE TABLE checkpoints (
  device           TEXT NOT NULL REFERENCES devices(key_id),
  seq              INTEGER NOT NULL CHECK (seq >= 1),
  hash             BLOB NOT NULL CHECK (length(hash) = 32),
  signature        BLOB NOT NULL CHECK (length(signature) = 64),
  at               INTEGER,
  bundle_sequence  INTEGER NOT NULL,
  PRIMARY KEY (device, seq)
);
CREATE TABLE rejections (
  id           INTEGER PRIMARY KEY,
  received_at  INTEGER NOT NULL,
  device       TEXT CHECK (device IS NULL OR length(device) = 16),
  sequence     INTEGER,
  bundle_hash  BLOB NOT NULL CHECK (length(bundle_hash) = 32),
  reason       TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 64),
  source       TEXT NOT NULL CHECK (length(source) <= 16),
  bytes        INTEGER NOT NULL
);
CREATE INDEX rejections_by_time ON rejections(received_at);
)sql"},
};

core::Error err(const storage::Error& e) { return core::from(e); }
template <class T>
std::unexpected<core::Error> unexpected(const storage::Result<T>& r) {
  return std::unexpected(core::from(r.error()));
}

core::Result<void> migrate(storage::Database& db) {
  const int current = db.user_version();
  if (current < 0) return core::fail(core::Errc::Internal, "cannot read the HQ store's schema version");
  if (current > store_schema_version())
    return core::fail(core::Errc::Internal,
                      fmt::format("the HQ store's schema {} is newer than this program ({}); update hq-intake", current,
                                  store_schema_version()));
  for (const auto& m : kMigrations) {
    if (m.version <= current) continue;
    auto r = db.transaction([&]() -> storage::Result<void> {
      if (auto e = db.exec(m.sql); !e) return e;
      return db.exec(fmt::format("PRAGMA user_version = {}", m.version));
    });
    if (!r) return core::fail(core::Errc::Internal, fmt::format("HQ store migration {} failed: {}", m.version, r.error().message));
  }
  return {};
}

core::Result<crypto::SecureBuffer> load_or_create_key(const HqDir& dir, bool create, bool& created) {
  namespace fs = std::filesystem;
  created = false;
  const auto key_file = Store::key_path(dir);
  std::error_code ec;
  const auto key_status = fs::symlink_status(key_file, ec);
  if (fs::exists(key_status)) {
    struct stat st {};
    if (::lstat(key_file.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      return core::fail(core::Errc::Damaged, fmt::format("{} is not a regular file", key_file.string()));
    if ((st.st_mode & 077) != 0)
      return core::fail(core::Errc::Invalid,
                        fmt::format("{} can be read by other users; chmod 600 it first", key_file.string()));
    auto key = crypto::read_secret_file(key_file, 32);
    if (!key) return std::unexpected(core::from(key.error()));
    if (key->size() != 32)
      return core::fail(core::Errc::Damaged, fmt::format("{} must hold exactly 32 bytes", key_file.string()));
    return std::move(*key);
  }
  if (fs::exists(fs::symlink_status(Store::database_path(dir), ec)))
    return core::fail(core::Errc::NotFound,
                      fmt::format("{} exists but its key {} is missing; restore the key from HQ's backup "
                                  "(a new key would not open it)",
                                  Store::database_path(dir).string(), key_file.string()));
  if (!create)
    return core::fail(core::Errc::NotFound,
                      fmt::format("no HQ store in {}; run `hq-intake init` first", dir.root.string()));
  if (!fs::is_directory(dir.root, ec))
    return core::fail(core::Errc::NotFound,
                      fmt::format("no HQ directory at {}; run `hq-intake init` first", dir.root.string()));
  auto key = crypto::SecureBuffer::random(32);
  if (auto w = crypto::write_file_atomic(key_file, key.span(), 0600); !w) return std::unexpected(core::from(w.error()));
  created = true;
  return key;
}

std::optional<std::string> opt_str(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}
std::optional<std::int64_t> opt_int(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}
bool flag(const json& obj, const char* name) {
  auto it = obj.find(name);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

// Lowercase hex only: hq/payload.cpp has checked every digit.
std::vector<std::uint8_t> bytes_from_hex(const std::string& hex) {
  auto nibble = [](char c) { return static_cast<unsigned>(c <= '9' ? c - '0' : c - 'a' + 10); };
  std::vector<std::uint8_t> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<std::uint8_t>((nibble(hex[2 * i]) << 4) | nibble(hex[2 * i + 1]));
  return out;
}
crypto::Hash hash_from_blob(std::span<const std::uint8_t> b) {
  crypto::Hash h{};
  if (b.size() == h.size()) std::copy(b.begin(), b.end(), h.begin());
  return h;
}

// A purged stub (nulls where personal data was) laid over what HQ holds: every member the stub
// leaves null or out keeps HQ's value; objects merge member by member, arrays of objects by id.
void keep_what_hq_holds(const json& held, json& stub) {
  if (held.is_object() && stub.is_object()) {
    for (auto it = held.begin(); it != held.end(); ++it) {
      auto s = stub.find(it.key());
      if (s == stub.end() || s->is_null()) stub[it.key()] = it.value();
      else keep_what_hq_holds(it.value(), *s);
    }
  } else if (held.is_array() && stub.is_array()) {
    for (auto& element : stub) {
      if (!element.is_object() || !element.contains("id")) continue;
      for (const auto& h : held)
        if (h.is_object() && h.contains("id") && h["id"] == element["id"]) keep_what_hq_holds(h, element);
    }
  }
}

// Cases and calls arrive as whole snapshots and are kept the same way; what differs is the
// table and the columns HQ keeps beside the record for its own queries.
struct SnapshotTable {
  std::string_view table;
  std::vector<std::string_view> columns;                       // bound from ?3 on, in this order
  void (*bind_columns)(storage::Statement&, const json& record);  // binds `columns`
};

const SnapshotTable kCaseSnapshots{
    "cases", {"case_number", "status", "opened_at", "closed_at"}, [](storage::Statement& st, const json& c) {
      st.bind(3, opt_str(c, "case_number")).bind(4, opt_str(c, "status"));
      st.bind(5, opt_int(c, "opened_at")).bind(6, opt_int(c, "closed_at"));
    }};
const SnapshotTable kCallSnapshots{"calls", {"started_at", "call_type"}, [](storage::Statement& st, const json& c) {
                                     st.bind(3, opt_int(c, "started_at")).bind(4, opt_str(c, "call_type"));
                                   }};

struct SnapshotImport {
  storage::Database& db;
  const std::string& device;
  std::int64_t sequence, received_at;
  std::int64_t purge_date;  // for a stub that does not say when it was purged
  ImportCounts& counts;
  const std::function<storage::Result<void>()>& wrote;  // after each write (failure injection)
};

// One table's snapshots of a bundle: new ones inserted; a newer one replaces what HQ holds (a
// purged flag, once set, stays: a device never un-purges); a newer purged stub keeps HQ's
// personal data under its codes; an older stub only marks the record purged.
storage::Result<void> import_snapshots(const SnapshotTable& t, const json& records, const SnapshotImport& x) {
  std::string cols, marks, sets;
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    cols += fmt::format("{}, ", t.columns[i]);
    marks += fmt::format("?{}, ", i + 3);
    sets += fmt::format("{} = ?{}, ", t.columns[i], i + 3);
  }
  const std::size_t n = t.columns.size() + 3;  // updated_at's index; the shared columns follow it
  auto get = x.db.prepare(fmt::format("SELECT updated_at, purged, record FROM {} WHERE device = ?1 AND local_id = ?2",
                                      t.table));
  auto ins = x.db.prepare(fmt::format(
      "INSERT INTO {} (device, local_id, {}updated_at, purged, purged_at, record, bundle_sequence, received_at) "
      "VALUES (?1, ?2, {}?{}, ?{}, ?{}, ?{}, ?{}, ?{})",
      t.table, cols, marks, n, n + 1, n + 2, n + 3, n + 4, n + 5));
  auto upd = x.db.prepare(fmt::format(
      "UPDATE {} SET {}updated_at = ?{}, purged = ?{}, purged_at = coalesce(purged_at, ?{}), record = ?{}, "
      "bundle_sequence = ?{}, received_at = ?{} WHERE device = ?1 AND local_id = ?2",
      t.table, sets, n, n + 1, n + 2, n + 3, n + 4, n + 5));
  auto mark = x.db.prepare(
      fmt::format("UPDATE {} SET purged = 1, purged_at = ?3 WHERE device = ?1 AND local_id = ?2 AND purged = 0", t.table));
  for (auto* s : {&get, &ins, &upd, &mark})
    if (!*s) return std::unexpected(s->error());
  auto& counts = x.counts;
  for (const auto& c : records) {
    const auto id = c["id"].get<std::int64_t>();
    const auto updated_at = c["updated_at"].get<std::int64_t>();
    const bool purged = flag(c, "purged");
    const auto purge_date = opt_int(c, "purged_at").value_or(x.purge_date);
    get->bind(1, x.device).bind(2, id);
    auto row = get->step();
    if (!row) return std::unexpected(row.error());
    std::optional<std::int64_t> held_updated;
    bool held_purged = false;
    std::string held_record;
    if (*row) {
      held_updated = get->int64(0);
      held_purged = get->int64(1) != 0;
      if (purged) held_record = get->text(2);
    }
    get->reset();

    auto write = [&](storage::Statement& st, const std::string& record, bool is_purged,
                     std::optional<std::int64_t> purged_at) -> storage::Result<void> {
      st.bind(1, x.device).bind(2, id);
      t.bind_columns(st, c);
      const int at = static_cast<int>(n);
      st.bind(at, updated_at).bind(at + 1, static_cast<std::int64_t>(is_purged)).bind(at + 2, purged_at);
      st.bind(at + 3, record).bind(at + 4, x.sequence).bind(at + 5, x.received_at);
      return st.run();
    };
    storage::Result<void> r;
    if (!held_updated) {
      r = write(*ins, c.dump(), purged, purged ? std::optional(purge_date) : std::nullopt);
      ++counts.inserted;
      if (purged) ++counts.purged;
    } else if (purged) {
      if (updated_at > *held_updated) {
        // The stub is newer: its codes, HQ's personal data.
        json merged = c;
        keep_what_hq_holds(json::parse(held_record), merged);
        r = write(*upd, merged.dump(), true, purge_date);
      } else if (!held_purged) {
        mark->bind(1, x.device).bind(2, id).bind(3, purge_date);
        r = mark->run();
      } else {
        ++counts.unchanged;
        continue;
      }
      ++counts.purged;
    } else if (updated_at > *held_updated) {
      r = write(*upd, c.dump(), held_purged, std::nullopt);
      ++counts.updated;
    } else {
      ++counts.unchanged;
      continue;
    }
    if (!r) return r;
    if (auto w = x.wrote(); !w) return w;
  }
  return {};
}

Device read_device(const storage::Statement& st) {
  Device d;
  d.key_id = st.text(0);
  d.public_key.kind = crypto::KeyKind::DeviceSign;
  const auto pk = st.blob_view(1);
  if (pk.size() == d.public_key.bytes.size()) std::copy(pk.begin(), pk.end(), d.public_key.bytes.begin());
  d.label = st.text(2);
  d.enrolled_at = st.int64(3);
  d.revoked_at = st.opt_int64(4);
  d.revoke_reason = st.opt_text(5).value_or("");
  d.received_through = static_cast<std::uint64_t>(st.int64(6));
  return d;
}
constexpr std::string_view kDeviceColumns =
    "key_id, public_key, label, enrolled_at, revoked_at, revoke_reason, received_through";

}  // namespace

int store_schema_version() { return kMigrations.back().version; }

core::Result<Store> Store::open(const HqDir& dir, bool create) {
  bool created = false;
  auto key = load_or_create_key(dir, create, created);
  if (!key) return std::unexpected(key.error());
  std::error_code ec;
  const bool exists = std::filesystem::exists(database_path(dir), ec);
  storage::OpenOptions options;
  options.create = !exists;
  options.migrate = false;  // the kiosk's migrations are not ours
  auto db = storage::Database::open(database_path(dir), *key, options);
  if (!db) {
    if (db.error().code == storage::Errc::WrongKeyOrNotKioskDb)
      return core::fail(core::Errc::WrongKey, fmt::format("{} does not open with {}: wrong key, or not an HQ store",
                                                          database_path(dir).string(), key_path(dir).string()));
    return std::unexpected(err(db.error()));
  }
  ::chmod(database_path(dir).c_str(), 0600);
  if (auto m = migrate(*db); !m) return std::unexpected(m.error());
  auto kind = db->prepare("SELECT value FROM store_meta WHERE key = 'kind'");
  if (!kind) return core::fail(core::Errc::WrongKey, "this database is not an HQ store");
  auto row = kind->step();
  if (!row || !*row || kind->text(0) != "hq-store") return core::fail(core::Errc::WrongKey, "this database is not an HQ store");
  return Store(std::move(*db));
}

core::Result<Device> Store::add_device(const crypto::PublicKey& key, const std::string& label, std::int64_t now) {
  if (key.kind != crypto::KeyKind::DeviceSign)
    return core::fail(core::Errc::Invalid, "only a device-sign public key can be enrolled");
  const auto id = key.id_hex();
  auto existing = find_device(id);
  if (!existing) return std::unexpected(existing.error());
  if (*existing)
    return core::fail(core::Errc::Exists,
                      fmt::format("device {} is already enrolled{}", id,
                                  (*existing)->revoked() ? " (and revoked: a revoked key is never enrolled again)" : ""));
  auto st = db_.prepare("INSERT INTO devices (key_id, public_key, label, enrolled_at) VALUES (?1, ?2, ?3, ?4)");
  if (!st) return unexpected(st);
  st->bind(1, id).bind_blob(2, key.bytes).bind(3, label).bind(4, now);
  if (auto r = st->run(); !r) return unexpected(r);
  Device d;
  d.key_id = id;
  d.public_key = key;
  d.label = label;
  d.enrolled_at = now;
  return d;
}

core::Result<void> Store::revoke_device(const std::string& key_id, const std::string& reason, std::int64_t now) {
  auto existing = find_device(key_id);
  if (!existing) return std::unexpected(existing.error());
  if (!*existing) return core::fail(core::Errc::NotFound, fmt::format("no enrolled device has key id {}", key_id));
  if ((*existing)->revoked()) return core::fail(core::Errc::Exists, fmt::format("device {} is already revoked", key_id));
  auto st = db_.prepare("UPDATE devices SET revoked_at = ?2, revoke_reason = ?3 WHERE key_id = ?1");
  if (!st) return unexpected(st);
  st->bind(1, key_id).bind(2, now).bind(3, reason);
  if (auto r = st->run(); !r) return unexpected(r);
  return {};
}

core::Result<std::optional<Device>> Store::find_device(const std::string& key_id) {
  auto st = db_.prepare(fmt::format("SELECT {} FROM devices WHERE key_id = ?1", kDeviceColumns));
  if (!st) return unexpected(st);
  st->bind(1, key_id);
  auto d = storage::first<Device>(*st, read_device);
  if (!d) return unexpected(d);
  return *d;
}

core::Result<std::vector<Device>> Store::devices() {
  auto st = db_.prepare(fmt::format("SELECT {} FROM devices ORDER BY enrolled_at, key_id", kDeviceColumns));
  if (!st) return unexpected(st);
  auto all = storage::collect<Device>(*st, read_device);
  if (!all) return unexpected(all);
  return *all;
}

core::Result<std::optional<BundleRecord>> Store::find_bundle(const std::string& device, std::uint64_t sequence) {
  auto st = db_.prepare(
      "SELECT bundle_id, bundle_hash, previous_hash, created_at, received_at, bytes, source "
      "FROM bundles WHERE device = ?1 AND sequence = ?2");
  if (!st) return unexpected(st);
  st->bind(1, device).bind(2, static_cast<std::int64_t>(sequence));
  auto b = storage::first<BundleRecord>(*st, [&](const storage::Statement& s) {
    BundleRecord r;
    r.device = device;
    r.sequence = sequence;
    r.bundle_id = s.text(0);
    r.hash = hash_from_blob(s.blob_view(1));
    r.previous_hash = hash_from_blob(s.blob_view(2));
    r.created_at = s.int64(3);
    r.received_at = s.int64(4);
    r.bytes = s.int64(5);
    r.source = s.text(6);
    return r;
  });
  if (!b) return unexpected(b);
  return *b;
}

core::Result<std::vector<std::pair<std::uint64_t, std::uint64_t>>> Store::missing_sequences(const std::string& device,
                                                                                            std::size_t limit) {
  auto d = find_device(device);
  if (!d) return std::unexpected(d.error());
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  if (!*d) return out;
  auto st = db_.prepare("SELECT sequence FROM bundles WHERE device = ?1 AND sequence > ?2 ORDER BY sequence");
  if (!st) return unexpected(st);
  st->bind(1, device).bind(2, static_cast<std::int64_t>((*d)->received_through));
  std::uint64_t expected = (*d)->received_through + 1;
  for (;;) {
    auto row = st->step();
    if (!row) return unexpected(row);
    if (!*row || out.size() >= limit) break;
    const auto seq = static_cast<std::uint64_t>(st->int64(0));
    if (seq > expected) out.emplace_back(expected, seq - 1);
    expected = seq + 1;
  }
  return out;
}

core::Result<ImportCounts> Store::import_bundle(const BundleRecord& bundle, const ChangesPayload& payload) {
  ImportCounts counts;
  std::int64_t writes = 0;
  const auto seq = static_cast<std::int64_t>(bundle.sequence);
  const auto& dev = bundle.device;
  const auto now = bundle.received_at;

  auto body = [&]() -> storage::Result<void> {
    const std::function<storage::Result<void>()> wrote = [&]() -> storage::Result<void> {
      if (fail_after_writes_ && ++writes > *fail_after_writes_)
        return storage::fail(storage::Errc::Io, "injected failure inside the import transaction");
      return {};
    };
    // Cases, then calls: whole snapshots; the newest updated_at wins; a stub keeps what HQ holds.
    const SnapshotImport ctx{db_, dev, seq, now, payload.created_at != 0 ? payload.created_at : now, counts, wrote};
    if (auto r = import_snapshots(kCaseSnapshots, payload.cases(), ctx); !r) return r;
    if (auto r = import_snapshots(kCallSnapshots, payload.calls(), ctx); !r) return r;
    // Beds have no updated_at: the snapshot from the highest sequence wins.
    {
      auto st = db_.prepare(
          "INSERT OR REPLACE INTO beds (device, label, wing, active, record, bundle_sequence, received_at) "
          "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE NOT EXISTS "
          "(SELECT 1 FROM beds WHERE device = ?1 AND label = ?2 AND bundle_sequence > ?6)");
      if (!st) return std::unexpected(st.error());
      for (const auto& b : payload.beds()) {
        st->bind(1, dev).bind(2, b["label"].get<std::string>()).bind(3, opt_str(b, "wing"));
        st->bind(4, static_cast<std::int64_t>(flag(b, "active"))).bind(5, b.dump()).bind(6, seq).bind(7, now);
        if (auto r = st->run(); !r) return r;
        if (db_.changes() > 0) ++counts.updated;
        else ++counts.unchanged;
        if (auto w = wrote(); !w) return w;
      }
    }
    // Audit entries and checkpoints continue the device's chain: what HQ holds never changes.
    {
      auto get = db_.prepare("SELECT hash FROM audit WHERE device = ?1 AND seq = ?2");
      auto ins = db_.prepare(
          "INSERT INTO audit (device, seq, at, actor_id, actor_name, action, entity, entity_id, detail, prev_hash, "
          "hash, bundle_sequence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
      if (!get) return std::unexpected(get.error());
      if (!ins) return std::unexpected(ins.error());
      for (const auto& a : payload.audit()) {
        const auto s = a["seq"].get<std::int64_t>();
        const auto hash = bytes_from_hex(a["hash"].get<std::string>());
        get->bind(1, dev).bind(2, s);
        auto row = get->step();
        if (!row) return std::unexpected(row.error());
        const bool held = *row;
        const bool same = held && std::ranges::equal(get->blob_view(0), hash);
        get->reset();
        if (held) {
          if (!same)
            return storage::fail(storage::Errc::Constraint,
                                 fmt::format("audit entry {} differs from the one HQ holds: the device's audit "
                                             "history was rewritten",
                                             s));
          continue;
        }
        ins->bind(1, dev).bind(2, s).bind(3, a["at"].get<std::int64_t>()).bind(4, opt_int(a, "actor_id"));
        ins->bind(5, opt_str(a, "actor_name")).bind(6, a["action"].get<std::string>()).bind(7, opt_str(a, "entity"));
        ins->bind(8, opt_int(a, "entity_id")).bind(9, opt_str(a, "detail"));
        ins->bind_blob(10, bytes_from_hex(a["prev_hash"].get<std::string>())).bind_blob(11, hash).bind(12, seq);
        if (auto r = ins->run(); !r) return r;
        ++counts.audit_entries;
        if (auto w = wrote(); !w) return w;
      }
    }
    {
      auto get = db_.prepare("SELECT hash, signature FROM checkpoints WHERE device = ?1 AND seq = ?2");
      auto ins = db_.prepare(
          "INSERT INTO checkpoints (device, seq, hash, signature, at, bundle_sequence) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      if (!get) return std::unexpected(get.error());
      if (!ins) return std::unexpected(ins.error());
      for (const auto& cp : payload.checkpoints()) {
        const auto s = cp["seq"].get<std::int64_t>();
        const auto hash = bytes_from_hex(cp["hash"].get<std::string>());
        get->bind(1, dev).bind(2, s);
        auto row = get->step();
        if (!row) return std::unexpected(row.error());
        const bool held = *row;
        const bool same = held && std::ranges::equal(get->blob_view(0), hash);
        get->reset();
        if (held) {
          if (!same)
            return storage::fail(storage::Errc::Constraint,
                                 fmt::format("audit checkpoint {} differs from the one HQ holds", s));
          continue;
        }
        ins->bind(1, dev).bind(2, s).bind_blob(3, hash).bind_blob(4, bytes_from_hex(cp["signature"].get<std::string>()));
        ins->bind(5, opt_int(cp, "at")).bind(6, seq);
        if (auto r = ins->run(); !r) return r;
        ++counts.checkpoints;
        if (auto w = wrote(); !w) return w;
      }
    }
    // The bundle itself, last: its row is what makes a second copy a duplicate.
    {
      auto st = db_.prepare(
          "INSERT INTO bundles (device, sequence, bundle_id, bundle_hash, previous_hash, created_at, received_at, "
          "bytes, source, records) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
      if (!st) return std::unexpected(st.error());
      st->bind(1, dev).bind(2, seq).bind(3, bundle.bundle_id).bind_blob(4, bundle.hash).bind_blob(5, bundle.previous_hash);
      st->bind(6, bundle.created_at).bind(7, now).bind(8, bundle.bytes).bind(9, bundle.source);
      st->bind(10, static_cast<std::int64_t>(payload.record_count()));
      if (auto r = st->run(); !r) return r;
      if (auto w = wrote(); !w) return w;
    }
    // received_through: the longest run 1..N held.
    {
      auto rt = db_.prepare("SELECT received_through FROM devices WHERE key_id = ?1");
      if (!rt) return std::unexpected(rt.error());
      rt->bind(1, dev);
      auto row = rt->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) return storage::fail(storage::Errc::NotFound, "the device is not enrolled");
      auto through = rt->int64(0);
      rt->reset();
      auto has = db_.prepare("SELECT 1 FROM bundles WHERE device = ?1 AND sequence = ?2");
      if (!has) return std::unexpected(has.error());
      for (;;) {
        has->bind(1, dev).bind(2, through + 1);
        auto h = has->step();
        if (!h) return std::unexpected(h.error());
        has->reset();
        if (!*h) break;
        ++through;
      }
      auto upd = db_.prepare("UPDATE devices SET received_through = ?2 WHERE key_id = ?1");
      if (!upd) return std::unexpected(upd.error());
      upd->bind(1, dev).bind(2, through);
      if (auto r = upd->run(); !r) return r;
    }
    return {};
  };
  if (auto r = db_.transaction(body); !r) return std::unexpected(err(r.error()));
  return counts;
}

core::Result<void> Store::log_rejection(const Rejection& r) {
  auto st = db_.prepare(
      "INSERT INTO rejections (received_at, device, sequence, bundle_hash, reason, source, bytes) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!st) return unexpected(st);
  st->bind(1, r.received_at).bind(2, r.device);
  if (r.sequence) st->bind(3, static_cast<std::int64_t>(*r.sequence));
  else st->bind_null(3);
  st->bind_blob(4, r.bundle_hash).bind(5, r.reason).bind(6, r.source).bind(7, r.bytes);
  if (auto x = st->run(); !x) return unexpected(x);
  return {};
}

core::Result<std::vector<Rejection>> Store::rejections(std::size_t limit) {
  auto st = db_.prepare(
      "SELECT received_at, device, sequence, bundle_hash, reason, source, bytes FROM rejections "
      "ORDER BY id DESC LIMIT ?1");
  if (!st) return unexpected(st);
  st->bind(1, static_cast<std::int64_t>(limit));
  auto all = storage::collect<Rejection>(*st, [](const storage::Statement& s) {
    Rejection r;
    r.received_at = s.int64(0);
    r.device = s.opt_text(1);
    if (auto q = s.opt_int64(2)) r.sequence = static_cast<std::uint64_t>(*q);
    r.bundle_hash = hash_from_blob(s.blob_view(3));
    r.reason = s.text(4);
    r.source = s.text(5);
    r.bytes = s.int64(6);
    return r;
  });
  if (!all) return unexpected(all);
  return *all;
}

core::Result<ReportInput> Store::report_input(std::int64_t now) {
  ReportInput input;
  input.generated_at = now;
  auto devs = devices();
  if (!devs) return std::unexpected(devs.error());
  // The record as received, with HQ's own knowledge of its purge laid over it.
  auto load = [&](std::string_view sql, const std::string& dev, bool has_purge,
                  std::vector<json>& out) -> core::Result<void> {
    auto st = db_.prepare(sql);
    if (!st) return unexpected(st);
    st->bind(1, dev);
    for (;;) {
      auto row = st->step();
      if (!row) return unexpected(row);
      if (!*row) break;
      const auto text = st->blob_view(0);
      auto record = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
      if (record.is_discarded())
        return core::fail(core::Errc::Damaged, "a record in the HQ store does not parse; run an integrity check");
      if (has_purge) {
        record["purged"] = st->int64(1) != 0;
        if (!st->is_null(2)) record["purged_at"] = st->int64(2);
      }
      out.push_back(std::move(record));
    }
    return {};
  };
  for (auto& d : *devs) {
    DeviceRecords r;
    r.device_key_id = d.key_id;
    r.label = d.label;
    if (auto x = load("SELECT record, purged, purged_at FROM cases WHERE device = ?1 ORDER BY local_id", d.key_id, true,
                      r.cases);
        !x)
      return std::unexpected(x.error());
    if (auto x = load("SELECT record, purged, purged_at FROM calls WHERE device = ?1 ORDER BY local_id", d.key_id, true,
                      r.calls);
        !x)
      return std::unexpected(x.error());
    if (auto x = load("SELECT record FROM beds WHERE device = ?1 ORDER BY label", d.key_id, false, r.beds); !x)
      return std::unexpected(x.error());
    input.devices.push_back(std::move(r));
  }
  return input;
}

core::Result<std::optional<json>> Store::find_case(const std::string& device, std::int64_t local_id) {
  auto st = db_.prepare("SELECT record, purged FROM cases WHERE device = ?1 AND local_id = ?2");
  if (!st) return unexpected(st);
  st->bind(1, device).bind(2, local_id);
  auto row = st->step();
  if (!row) return unexpected(row);
  if (!*row) return std::optional<json>();
  auto record = json::parse(st->text(0), nullptr, false);
  if (record.is_discarded()) return core::fail(core::Errc::Damaged, "a record in the HQ store does not parse");
  record["purged"] = st->int64(1) != 0;
  return std::optional<json>(std::move(record));
}

core::Result<std::optional<std::int64_t>> Store::case_purged_at(const std::string& device, std::int64_t local_id) {
  auto st = db_.prepare("SELECT purged_at FROM cases WHERE device = ?1 AND local_id = ?2");
  if (!st) return unexpected(st);
  st->bind(1, device).bind(2, local_id);
  auto row = st->step();
  if (!row) return unexpected(row);
  if (!*row) return std::optional<std::int64_t>();
  return st->opt_int64(0);
}

core::Result<StoreCounts> Store::counts() {
  StoreCounts c;
  const std::pair<const char*, std::int64_t*> tables[] = {
      {"devices", &c.devices}, {"bundles", &c.bundles}, {"cases", &c.cases},
      {"calls", &c.calls},     {"beds", &c.beds},       {"audit", &c.audit},
      {"checkpoints", &c.checkpoints}, {"rejections", &c.rejections}};
  for (const auto& [table, out] : tables) {
    auto n = db_.scalar(fmt::format("SELECT count(*) FROM {}", table));
    if (!n) return unexpected(n);
    *out = *n;
  }
  return c;
}

}  // namespace ik::hq
