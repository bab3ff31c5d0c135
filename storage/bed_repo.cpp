#include "storage/bed_repo.hpp"

#include "storage/row_helpers.hpp"

namespace ik::storage {
namespace {
StayRecord read_stay(const Statement& s) {
  return {s.int64(0), s.int64(1), s.int64(2), s.int64(3), s.opt_int64(4), s.opt_text(5)};
}
constexpr const char* kStayCols = "id, case_id, bed_id, admitted_at, discharged_at, discharge_reason";
}  // namespace

Result<std::int64_t> BedRepo::insert_bed(const std::string& wing, const std::string& label) {
  auto st = db_.prepare("INSERT INTO beds (wing, label, active) VALUES (?1, ?2, 1)");
  if (!st) return std::unexpected(st.error());
  st->bind(1, wing).bind(2, label);
  if (auto r = st->run(); !r) return std::unexpected(r.error());
  return db_.last_insert_id();
}

Result<std::vector<BedRecord>> BedRepo::beds() {
  auto st = db_.prepare(
      "SELECT b.id, b.wing, b.label, b.active, s.case_id FROM beds b "
      "LEFT JOIN stays s ON s.bed_id = b.id AND s.discharged_at IS NULL ORDER BY b.wing, b.label");
  if (!st) return std::unexpected(st.error());
  return collect<BedRecord>(*st, [](const Statement& s) {
    return BedRecord{s.int64(0), s.text(1), s.text(2), s.int64(3) != 0, s.opt_int64(4)};
  });
}

Result<std::optional<BedRecord>> BedRepo::bed(std::int64_t id) {
  auto st = db_.prepare(
      "SELECT b.id, b.wing, b.label, b.active, s.case_id FROM beds b "
      "LEFT JOIN stays s ON s.bed_id = b.id AND s.discharged_at IS NULL WHERE b.id = ?1");
  if (!st) return std::unexpected(st.error());
  st->bind(1, id);
  return first<BedRecord>(*st, [](const Statement& s) {
    return BedRecord{s.int64(0), s.text(1), s.text(2), s.int64(3) != 0, s.opt_int64(4)};
  });
}

Result<std::int64_t> BedRepo::count_beds() { return db_.scalar("SELECT count(*) FROM beds WHERE active = 1"); }

Result<std::vector<WingOccupancy>> BedRepo::occupancy() {
  auto st = db_.prepare(
      "SELECT b.wing, count(*), count(s.id) FROM beds b "
      "LEFT JOIN stays s ON s.bed_id = b.id AND s.discharged_at IS NULL WHERE b.active = 1 GROUP BY b.wing ORDER BY b.wing");
  if (!st) return std::unexpected(st.error());
  return collect<WingOccupancy>(*st, [](const Statement& s) { return WingOccupancy{s.text(0), s.int64(1), s.int64(2)}; });
}

Result<std::int64_t> BedRepo::admit(std::int64_t case_id, std::int64_t bed_id, std::int64_t at) {
  auto st = db_.prepare("INSERT INTO stays (case_id, bed_id, admitted_at) VALUES (?1, ?2, ?3)");
  if (!st) return std::unexpected(st.error());
  st->bind(1, case_id).bind(2, bed_id).bind(3, at);
  if (auto r = st->run(); !r) return std::unexpected(r.error());
  return db_.last_insert_id();
}

Result<std::optional<StayRecord>> BedRepo::open_stay(std::int64_t case_id) {
  auto st = db_.prepare(std::string("SELECT ") + kStayCols + " FROM stays WHERE case_id = ?1 AND discharged_at IS NULL");
  if (!st) return std::unexpected(st.error());
  st->bind(1, case_id);
  return first<StayRecord>(*st, read_stay);
}

Result<std::vector<StayRecord>> BedRepo::stays(std::int64_t case_id) {
  auto st = db_.prepare(std::string("SELECT ") + kStayCols + " FROM stays WHERE case_id = ?1 ORDER BY admitted_at, id");
  if (!st) return std::unexpected(st.error());
  st->bind(1, case_id);
  return collect<StayRecord>(*st, read_stay);
}

Result<void> BedRepo::discharge(std::int64_t stay_id, std::int64_t at, const std::string& reason) {
  auto st = db_.prepare(
      "UPDATE stays SET discharged_at = ?2, discharge_reason = ?3 WHERE id = ?1 AND discharged_at IS NULL");
  if (!st) return std::unexpected(st.error());
  st->bind(1, stay_id).bind(2, at).bind(3, reason);
  if (auto r = st->run(); !r) return r;
  if (db_.changes() == 0) return fail(Errc::NotFound, "no open stay to discharge");
  return {};
}

}  // namespace ik::storage
