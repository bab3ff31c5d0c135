#include "core/calls.hpp"

#include <type_traits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/audit.hpp"
#include "core/codes.hpp"
#include "core/iso_codes.hpp"
#include "core/permissions.hpp"
#include "core/session.hpp"
#include "core/validation.hpp"
#include "storage/call_repo.hpp"
#include "storage/draft_repo.hpp"

namespace ik::core {
namespace {
constexpr std::size_t kMaxCallDraftJson = 16 * 1024;  // notes are 2,000 characters at most
constexpr const char* kCallDraft = "call";
}  // namespace

std::vector<FieldError> validate_call(const CallForm& f, std::int64_t now) {
  Validator v(now);
  if (f.started_at <= 0 || f.started_at > now + 60) v.add("started_at", msg::kFutureDate);
  v.integer("duration_s", f.duration_s, 0, 24 * 3600, msg::kDurationRange);
  v.code("channel", f.channel, "call_channel", true);
  v.code("caller_type", f.caller_type, "caller_type", true);
  if (f.language && !f.language->empty() && !IsoCodes::system().is_language(*f.language))
    v.add("language", msg::kUnknownLanguage);
  v.text("region", f.region, 100);
  v.code("call_type", f.call_type, "call_type", true);
  v.codes("ilo_indicators", f.ilo_indicators, "ilo_indicator");
  v.codes("actions", f.actions, "call_action");
  if (f.le_referred) {
    if (!f.le_unit || f.le_unit->empty()) v.add("le_unit", msg::kLawUnitRequired);
    v.text("le_unit", f.le_unit, 200);
    v.date("le_date", f.le_date, true);
  } else {
    v.text("le_unit", f.le_unit, 200);
    v.date("le_date", f.le_date);
  }
  v.date("follow_up_due", f.follow_up_due, false, true);
  v.text("caller_name", f.caller_name, 100);
  v.phone("phone", f.phone);
  v.text("notes", f.notes, 2000, false, true);
  if (f.caller_type == "anonymous" && ((f.caller_name && !f.caller_name->empty()) || (f.phone && !f.phone->empty())))
    v.add("caller_name", IK_N_("An anonymous caller has no name or phone number here."));
  return v.errors();
}

// --- drafts as JSON -------------------------------------------------------------------------

std::string to_json(const CallForm& f) {
  using nlohmann::json;
  json j;
  j["v"] = 1;
  auto put = [&](const char* k, const std::optional<std::string>& v) {
    if (v) j[k] = *v;
  };
  j["started_at"] = f.started_at;
  j["duration_s"] = f.duration_s;
  j["channel"] = f.channel;
  j["caller_type"] = f.caller_type;
  put("language", f.language);
  put("region", f.region);
  j["call_type"] = f.call_type;
  j["ilo_indicators"] = f.ilo_indicators;
  j["actions"] = f.actions;
  j["le_referred"] = f.le_referred;
  put("le_unit", f.le_unit);
  put("le_date", f.le_date);
  put("follow_up_due", f.follow_up_due);
  put("caller_name", f.caller_name);
  put("phone", f.phone);
  put("notes", f.notes);
  return j.dump();
}

Result<CallForm> call_from_json(std::string_view text) {
  using nlohmann::json;
  if (text.size() > kMaxCallDraftJson) return fail(Errc::Damaged, "call draft is too large");
  try {
    const json j = json::parse(text);
    if (!j.is_object() || j.value("v", 0) != 1) return fail(Errc::Damaged, "call draft has an unknown format");
    CallForm f;
    auto get = [&](const char* k, auto& v) {
      if (j.contains(k) && !j.at(k).is_null()) v = j.at(k).get<std::remove_reference_t<decltype(v)>>();
    };
    auto get_opt = [&](const char* k, std::optional<std::string>& v) {
      if (j.contains(k) && !j.at(k).is_null()) v = j.at(k).get<std::string>();
    };
    get("started_at", f.started_at);
    get("duration_s", f.duration_s);
    get("channel", f.channel);
    get("caller_type", f.caller_type);
    get_opt("language", f.language);
    get_opt("region", f.region);
    get("call_type", f.call_type);
    get("ilo_indicators", f.ilo_indicators);
    get("actions", f.actions);
    get("le_referred", f.le_referred);
    get_opt("le_unit", f.le_unit);
    get_opt("le_date", f.le_date);
    get_opt("follow_up_due", f.follow_up_due);
    get_opt("caller_name", f.caller_name);
    get_opt("phone", f.phone);
    get_opt("notes", f.notes);
    return f;
  } catch (const json::exception&) {
    return fail(Errc::Damaged, "call draft is not readable");
  }
}

// --- service ----------------------------------------------------------------------------------

Result<std::int64_t> CallService::save_draft(std::int64_t draft_id, const CallForm& form) {
  if (auto p = require(s_, Action::LogCall); !p) return std::unexpected(p.error());
  const auto now = now_unix();
  storage::DraftRepo repo(s_.db());
  std::int64_t id = 0;
  auto r = s_.db().transaction([&]() -> storage::Result<void> {
    if (draft_id == 0) {  // a new call: an older call draft of this operator's is superseded
      auto old = repo.for_user(s_.actor().id, kCallDraft);
      if (!old) return std::unexpected(old.error());
      for (const auto& d : *old)
        if (auto e = repo.remove(d.id); !e) return e;
    }
    auto saved = repo.save({draft_id, s_.actor().id, kCallDraft, 0, to_json(form), now, now});
    if (!saved) return std::unexpected(saved.error());
    id = *saved;
    return {};
  });
  if (!r) return std::unexpected(from(r.error()));
  return id;
}

Result<std::optional<CallDraft>> CallService::latest_draft() {
  if (auto p = require(s_, Action::LogCall); !p) return std::unexpected(p.error());
  auto rows = storage::DraftRepo(s_.db()).for_user(s_.actor().id, kCallDraft);
  if (!rows) return std::unexpected(from(rows.error()));
  if (rows->empty()) return std::optional<CallDraft>();
  const auto& row = rows->front();  // newest first
  auto form = call_from_json(row.payload);
  if (!form) {
    (void)storage::DraftRepo(s_.db()).remove(row.id);
    return std::unexpected(form.error());
  }
  return std::optional<CallDraft>(CallDraft{row.id, std::move(*form), row.updated_at});
}

Result<void> CallService::discard_draft(std::int64_t draft_id) {
  if (auto p = require(s_, Action::LogCall); !p) return std::unexpected(p.error());
  storage::DraftRepo repo(s_.db());
  auto row = repo.get(draft_id);
  if (!row) return std::unexpected(from(row.error()));
  if (!*row || (*row)->user_id != s_.actor().id || (*row)->kind != kCallDraft) return fail(Errc::NotFound, "no such draft");
  if (auto e = repo.remove(draft_id); !e) return std::unexpected(from(e.error()));
  return {};
}

Result<std::int64_t> CallService::log_call(const CallForm& form, std::int64_t draft_id) {
  if (auto p = require(s_, Action::LogCall); !p) return std::unexpected(p.error());
  const auto now = now_unix();
  auto errors = validate_call(form, now);
  if (!errors.empty()) return invalid(std::move(errors));
  CallForm c = form;
  c.id = 0;
  c.created_by = s_.actor().id;
  c.created_at = c.updated_at = now;
  c.hq_confirmed_at = c.purged_at = std::nullopt;
  c.case_id = std::nullopt;
  std::optional<std::int64_t> id;
  auto r = s_.db().transaction([&]() -> storage::Result<void> {
    auto i = storage::CallRepo(s_.db()).insert(c);
    if (!i) return std::unexpected(i.error());
    id = *i;
    if (auto a = audit(s_, "log_call", "call", *i, c.call_type); !a)
      return storage::fail(storage::Errc::Sql, a.error().message);
    if (draft_id != 0) {
      storage::DraftRepo drafts(s_.db());
      auto d = drafts.get(draft_id);
      if (!d) return std::unexpected(d.error());
      // Only this operator's own call draft; anything else is left alone.
      if (*d && (*d)->user_id == s_.actor().id && (*d)->kind == kCallDraft)
        if (auto e = drafts.remove(draft_id); !e) return e;
    }
    return {};
  });
  if (!r) return std::unexpected(from(r.error()));
  return *id;
}

Result<std::vector<CallListItem>> CallService::list(std::int64_t offset, std::int64_t limit) {
  if (auto p = require(s_, Action::ViewCalls); !p) return std::unexpected(p.error());
  auto rows = storage::CallRepo(s_.db()).page(std::max<std::int64_t>(offset, 0), std::clamp<std::int64_t>(limit, 1, 500));
  if (!rows) return std::unexpected(from(rows.error()));
  std::vector<CallListItem> out;
  for (auto& c : *rows)
    out.push_back({c.id, c.started_at, c.duration_s, c.channel, c.caller_type, c.call_type, c.le_referred,
                   c.follow_up_due, c.follow_up_done, c.case_id});
  return out;
}

Result<CallForm> CallService::open(std::int64_t call_id) {
  if (auto p = require(s_, Action::ViewCalls); !p) return std::unexpected(p.error());
  auto c = storage::CallRepo(s_.db()).get(call_id);
  if (!c) return std::unexpected(from(c.error()));
  if (!*c) return fail(Errc::NotFound, "no such call");
  if (auto a = audit(s_, "view_call", "call", call_id); !a) return std::unexpected(a.error());
  return std::move(**c);
}

Result<void> CallService::complete_follow_up(std::int64_t call_id) {
  if (auto p = require(s_, Action::LogCall); !p) return std::unexpected(p.error());
  storage::CallRepo repo(s_.db());
  auto c = repo.get(call_id);
  if (!c) return std::unexpected(from(c.error()));
  if (!*c) return fail(Errc::NotFound, "no such call");
  (*c)->follow_up_done = true;
  (*c)->updated_at = now_unix();
  auto r = s_.db().transaction([&]() -> storage::Result<void> {
    if (auto e = repo.update(**c); !e) return e;
    if (auto a = audit(s_, "follow_up_done", "call", call_id); !a)
      return storage::fail(storage::Errc::Sql, a.error().message);
    return {};
  });
  if (!r) return std::unexpected(from(r.error()));
  return {};
}

Result<IntakeForm> CallService::intake_from_call(std::int64_t call_id) {
  // It hands over the caller's details: only for who may both see calls and register intakes.
  if (auto p = require(s_, Action::ViewCalls); !p) return std::unexpected(p.error());
  if (auto p = require(s_, Action::RegisterIntake); !p) return std::unexpected(p.error());
  auto c = storage::CallRepo(s_.db()).get(call_id);
  if (!c) return std::unexpected(from(c.error()));
  if (!*c) return fail(Errc::NotFound, "no such call");
  if (auto a = audit(s_, "call_to_intake", "call", call_id); !a) return std::unexpected(a.error());
  IntakeForm f;
  f.from_call_id = call_id;
  f.intake_source = "hotline";
  if ((*c)->caller_type == "potential_victim") {
    f.person.given_name = (*c)->caller_name;
    f.person.phone = (*c)->phone;
  }
  if ((*c)->language) f.person.languages = *(*c)->language;
  // ILO indicators suggest HTCDS means of control; the officer confirms them on the form.
  static constexpr std::pair<std::string_view, std::string_view> kMap[] = {
      {"debt_bondage", "debt_bondage"},           {"withholding_of_wages", "takes_earnings"},
      {"retention_of_documents", "withholds_documents"}, {"restriction_of_movement", "restricts_movement"},
      {"intimidation_threats", "threats"},         {"physical_sexual_violence", "physical_abuse"},
      {"deception", "false_promises"},             {"excessive_overtime", "excessive_working_hours"},
  };
  std::vector<std::string> means;
  for (const auto& ind : codes::split((*c)->ilo_indicators))
    for (const auto& [ilo, htcds] : kMap)
      if (ind == ilo) means.emplace_back(htcds);
  f.exploitation.means_of_control = codes::join(means);
  if ((*c)->notes) f.notes = (*c)->notes;
  return f;
}

}  // namespace ik::core
