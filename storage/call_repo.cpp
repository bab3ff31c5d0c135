#include "storage/call_repo.hpp"

#include <fmt/format.h>

#include "storage/record_rows.hpp"
#include "storage/row_helpers.hpp"

namespace ik::storage {
namespace {

using rows::kCallCols;
using rows::read_call;

void bind_call(Statement& st, const CallRecord& c) {
  st.bind(1, c.started_at).bind(2, c.duration_s).bind(3, c.channel).bind(4, c.caller_type).bind(5, c.language)
      .bind(6, c.region).bind(7, c.call_type).bind(8, c.ilo_indicators).bind(9, c.actions)
      .bind(10, std::int64_t{c.le_referred}).bind(11, c.le_unit).bind(12, c.le_date).bind(13, c.follow_up_due)
      .bind(14, std::int64_t{c.follow_up_done}).bind(15, c.case_id).bind(16, c.caller_name).bind(17, c.phone)
      .bind(18, c.notes).bind(19, c.created_by).bind(20, c.created_at).bind(21, c.updated_at)
      .bind(22, c.hq_confirmed_at).bind(23, c.purged_at);
}

}  // namespace

Result<std::int64_t> CallRepo::insert(const CallRecord& c) {
  auto st = db_.prepare(
      "INSERT INTO calls (started_at, duration_s, channel, caller_type, language, region, call_type, ilo_indicators, "
      "actions, le_referred, le_unit, le_date, follow_up_due, follow_up_done, case_id, caller_name, phone, notes, "
      "created_by, created_at, updated_at, hq_confirmed_at, purged_at) VALUES "
      "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)");
  if (!st) return std::unexpected(st.error());
  bind_call(*st, c);
  if (auto r = st->run(); !r) return std::unexpected(r.error());
  return db_.last_insert_id();
}

Result<void> CallRepo::update(const CallRecord& c) {
  auto st = db_.prepare(
      "UPDATE calls SET started_at = ?1, duration_s = ?2, channel = ?3, caller_type = ?4, language = ?5, region = ?6, "
      "call_type = ?7, ilo_indicators = ?8, actions = ?9, le_referred = ?10, le_unit = ?11, le_date = ?12, "
      "follow_up_due = ?13, follow_up_done = ?14, case_id = ?15, caller_name = ?16, phone = ?17, notes = ?18, "
      "created_by = ?19, created_at = ?20, updated_at = ?21, hq_confirmed_at = ?22, purged_at = ?23 WHERE id = ?24");
  if (!st) return std::unexpected(st.error());
  bind_call(*st, c);
  st->bind(24, c.id);
  if (auto r = st->run(); !r) return r;
  if (db_.changes() == 0) return fail(Errc::NotFound, "no such call");
  return {};
}

Result<std::optional<CallRecord>> CallRepo::get(std::int64_t id) {
  auto st = db_.prepare(fmt::format("SELECT {} FROM calls WHERE id = ?1", kCallCols));
  if (!st) return std::unexpected(st.error());
  st->bind(1, id);
  return first<CallRecord>(*st, read_call);
}

Result<std::vector<CallRecord>> CallRepo::page(std::int64_t offset, std::int64_t limit) {
  auto st = db_.prepare(fmt::format("SELECT {} FROM calls ORDER BY started_at DESC, id DESC LIMIT ?1 OFFSET ?2", kCallCols));
  if (!st) return std::unexpected(st.error());
  st->bind(1, limit).bind(2, offset);
  return collect<CallRecord>(*st, read_call);
}

Result<std::int64_t> CallRepo::count() { return db_.scalar("SELECT count(*) FROM calls"); }

}  // namespace ik::storage
