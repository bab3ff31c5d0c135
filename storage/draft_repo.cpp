#include "storage/draft_repo.hpp"

#include "storage/row_helpers.hpp"

namespace ik::storage {
namespace {
DraftRecord read_draft(const Statement& s) {
  return {s.int64(0), s.int64(1), s.text(2), static_cast<int>(s.int64(3)), s.text(4), s.int64(5), s.int64(6)};
}
constexpr const char* kCols = "SELECT id, user_id, kind, step, payload, created_at, updated_at FROM drafts ";
}  // namespace

Result<std::int64_t> DraftRepo::save(const DraftRecord& d) {
  if (d.id == 0) {
    auto st = db_.prepare(
        "INSERT INTO drafts (user_id, kind, step, payload, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st) return std::unexpected(st.error());
    st->bind(1, d.user_id).bind(2, d.kind).bind(3, std::int64_t{d.step}).bind(4, d.payload).bind(5, d.created_at)
        .bind(6, d.updated_at);
    if (auto r = st->run(); !r) return std::unexpected(r.error());
    return db_.last_insert_id();
  }
  auto st = db_.prepare("UPDATE drafts SET step = ?2, payload = ?3, updated_at = ?4 WHERE id = ?1 AND user_id = ?5");
  if (!st) return std::unexpected(st.error());
  st->bind(1, d.id).bind(2, std::int64_t{d.step}).bind(3, d.payload).bind(4, d.updated_at).bind(5, d.user_id);
  if (auto r = st->run(); !r) return std::unexpected(r.error());
  if (db_.changes() == 0) return fail(Errc::NotFound, "no such draft");
  return d.id;
}

Result<std::optional<DraftRecord>> DraftRepo::get(std::int64_t id) {
  auto st = db_.prepare(std::string(kCols) + "WHERE id = ?1");
  if (!st) return std::unexpected(st.error());
  st->bind(1, id);
  return first<DraftRecord>(*st, read_draft);
}

Result<std::vector<DraftRecord>> DraftRepo::for_user(std::int64_t user_id, const std::string& kind) {
  auto st = db_.prepare(std::string(kCols) + "WHERE user_id = ?1 AND kind = ?2 ORDER BY updated_at DESC");
  if (!st) return std::unexpected(st.error());
  st->bind(1, user_id).bind(2, kind);
  return collect<DraftRecord>(*st, read_draft);
}

Result<void> DraftRepo::remove(std::int64_t id) {
  auto st = db_.prepare("DELETE FROM drafts WHERE id = ?1");
  if (!st) return std::unexpected(st.error());
  st->bind(1, id);
  return st->run();
}

}  // namespace ik::storage
