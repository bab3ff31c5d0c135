#include "core/calls.hpp"

#include <fmt/format.h>

#include "core/audit.hpp"
#include "core/codes.hpp"
#include "core/iso_codes.hpp"
#include "core/permissions.hpp"
#include "core/session.hpp"
#include "core/validation.hpp"
#include "storage/call_repo.hpp"

namespace ik::core {

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

Result<std::int64_t> CallService::log_call(const CallForm& form) {
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
