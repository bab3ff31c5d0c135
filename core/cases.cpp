#include "core/cases.hpp"

#include <fmt/format.h>

#include "core/audit.hpp"
#include "core/case_reader.hpp"
#include "core/codes.hpp"
#include "core/iso_codes.hpp"
#include "core/permissions.hpp"
#include "core/search.hpp"
#include "core/session.hpp"
#include "core/validation.hpp"
#include "storage/bed_repo.hpp"
#include "storage/case_repo.hpp"

namespace ik::core {
namespace {

// Officers see their shelter's cases; coordinators every case.
std::optional<std::string> origin_scope(const Session& s) {
  if (s.actor().role == Role::Officer) return std::string("shelter");
  return std::nullopt;
}

Result<void> audited(Session& s, std::string_view action, std::int64_t id, std::string detail = {}) {
  return audit(s, action, "case", id, std::move(detail));
}

// A change to something hanging off a case is a change of the case (see CaseRepo::touch), logged.
Result<void> changed(Session& s, std::string_view action, std::int64_t id, std::string detail = {}) {
  if (auto t = storage::CaseRepo(s.db()).touch(id, now_unix()); !t) return std::unexpected(from(t.error()));
  return audited(s, action, id, std::move(detail));
}

// Runs `body` and its audit entry in one transaction.
template <class T>
Result<T> in_transaction(Session& s, const std::function<Result<T>()>& body) {
  std::optional<Error> err;
  auto r = s.db().transaction<T>([&]() -> storage::Result<T> {
    auto v = body();
    if (!v) {
      err = v.error();
      return storage::fail(storage::Errc::Sql, v.error().message);
    }
    if constexpr (std::is_void_v<T>) return {};
    else return std::move(*v);
  });
  if (!r) return std::unexpected(err ? *err : from(r.error()));
  if constexpr (std::is_void_v<T>) return {};
  else return std::move(*r);
}

}  // namespace

Result<CasePage> CaseService::list(const CaseQuery& q, std::int64_t offset, std::int64_t limit) {
  if (auto p = require(s_, Action::ViewCases); !p) return std::unexpected(p.error());
  // The same list the kiosk's search worker reads on its own connection (core/case_reader.hpp).
  return list_cases(s_.db(), origin_scope(s_), q, offset, limit);
}

Result<storage::CaseRecord> CaseService::load_for(std::int64_t case_id) {
  auto c = storage::CaseRepo(s_.db()).get(case_id);
  if (!c) return std::unexpected(from(c.error()));
  if (!*c) return fail(Errc::NotFound, "no such case");
  if (const auto scope = origin_scope(s_); scope && (*c)->origin != *scope) {
    (void)audited(s_, "permission_denied", case_id, "out of scope");
    return fail(Errc::PermissionDenied, "this case belongs to another service");
  }
  return std::move(**c);
}

Result<std::string> CaseService::reveal_name(std::int64_t case_id) {
  if (auto p = require(s_, Action::RevealName); !p) return std::unexpected(p.error());
  auto c = load_for(case_id);
  if (!c) return std::unexpected(c.error());
  auto person = storage::CaseRepo(s_.db()).person(c->person_id);
  if (!person || !*person) return fail(Errc::Damaged, "the case has no person");
  if (auto a = audited(s_, "reveal_name", case_id); !a) return std::unexpected(a.error());
  const auto& p = **person;
  std::string name;
  for (const auto* part : {&p.given_name, &p.family_name})
    if (*part && !(*part)->empty()) name += (name.empty() ? "" : " ") + **part;
  if (p.alias && !p.alias->empty()) name += name.empty() ? *p.alias : fmt::format(" ({})", *p.alias);
  return name;
}

Result<CaseDetails> CaseService::open(std::int64_t case_id) {
  if (auto p = require(s_, Action::ViewCase); !p) return std::unexpected(p.error());
  auto c = load_for(case_id);
  if (!c) return std::unexpected(c.error());
  storage::CaseRepo repo(s_.db());
  CaseDetails d;
  d.record = std::move(*c);
  auto person = repo.person(d.record.person_id);
  auto consents = repo.consents(d.record.person_id);
  auto expl = repo.exploitation(case_id);
  auto refs = repo.referrals(case_id);
  auto services = repo.services(case_id);
  auto stays = storage::BedRepo(s_.db()).stays(case_id);
  if (!person || !*person || !consents || !expl || !refs || !services || !stays)
    return fail(Errc::Internal, "cannot read the case");
  d.person = std::move(**person);
  d.consents = std::move(*consents);
  d.exploitation = std::move(*expl);
  d.referrals = std::move(*refs);
  d.services = std::move(*services);
  d.stays = std::move(*stays);
  if (auto a = audited(s_, "view_case", case_id); !a) return std::unexpected(a.error());
  return d;
}

Result<void> CaseService::save_case(storage::CaseRecord& c, std::string_view what) {
  c.updated_at = now_unix();
  return in_transaction<void>(s_, [&]() -> Result<void> {
    if (auto e = storage::CaseRepo(s_.db()).update_case(c); !e) return std::unexpected(from(e.error()));
    return audited(s_, "update_case", c.id, std::string(what));
  });
}

Result<std::int64_t> CaseService::add_service(std::int64_t case_id, const ServiceForm& form) {
  if (auto p = require(s_, Action::AddService); !p) return std::unexpected(p.error());
  Validator v(now_unix());
  v.code("service_type", form.type, "service_type", true);
  v.date("given_on", form.given_on, true);
  v.text("note", form.note, 1000, false, true);
  if (!v.ok()) return invalid(v.errors());
  auto c = load_for(case_id);
  if (!c) return std::unexpected(c.error());
  return in_transaction<std::int64_t>(s_, [&]() -> Result<std::int64_t> {
    storage::ServiceRecord r{0, case_id, form.type, *form.given_on, s_.actor().id, form.note, now_unix()};
    auto id = storage::CaseRepo(s_.db()).insert_service(r);
    if (!id) return std::unexpected(from(id.error()));
    if (auto a = changed(s_, "add_service", case_id, form.type); !a) return std::unexpected(a.error());
    return *id;
  });
}

Result<std::int64_t> CaseService::refer(std::int64_t case_id, const ReferralForm& form) {
  if (auto p = require(s_, Action::Refer); !p) return std::unexpected(p.error());
  Validator v(now_unix());
  v.code("organisation_type", form.organisation_type, "organisation_type", true);
  v.text("organisation", form.organisation, 200, true);
  v.text("reason", form.reason, 1000, false, true);
  if (!v.ok()) return invalid(v.errors());
  auto c = load_for(case_id);
  if (!c) return std::unexpected(c.error());
  auto consents = storage::CaseRepo(s_.db()).consents(c->person_id);
  if (!consents) return std::unexpected(from(consents.error()));
  auto granted = [&](std::string_view kind) {
    for (const auto& k : *consents)
      if (k.kind == kind) return k.granted;
    return false;
  };
  std::vector<FieldError> refused;
  if (!granted("referral")) refused.push_back({"consent", std::string(msg::kConsentRequiredForReferral), ""});
  if (form.organisation_type == "law_enforcement" && !granted("share_law_enforcement"))
    refused.push_back({"consent", std::string(msg::kConsentRequiredForLaw), ""});
  if (!refused.empty()) {
    (void)audited(s_, "referral_refused", case_id, "no consent");
    return invalid(std::move(refused));
  }
  return in_transaction<std::int64_t>(s_, [&]() -> Result<std::int64_t> {
    const auto now = now_unix();
    storage::ReferralRecord r{0, case_id, "outgoing", form.organisation_type, *form.organisation, "pending",
                              form.reason, now, now, s_.actor().id};
    auto id = storage::CaseRepo(s_.db()).insert_referral(r);
    if (!id) return std::unexpected(from(id.error()));
    if (auto a = changed(s_, "refer", case_id, form.organisation_type); !a) return std::unexpected(a.error());
    return *id;
  });
}

Result<void> CaseService::set_referral_status(std::int64_t referral_id, const std::string& status,
                                              const std::optional<std::string>& reason) {
  if (auto p = require(s_, Action::Refer); !p) return std::unexpected(p.error());
  Validator v(now_unix());
  v.code("status", status, "referral_status", true);
  v.text("reason", reason, 1000, status == "rejected", true);
  if (!v.ok()) return invalid(v.errors());
  storage::CaseRepo repo(s_.db());
  auto r = repo.referral(referral_id);
  if (!r) return std::unexpected(from(r.error()));
  if (!*r) return fail(Errc::NotFound, "no such referral");
  if (auto c = load_for((*r)->case_id); !c) return std::unexpected(c.error());
  const auto& from_status = (*r)->status;
  const bool ok = (from_status == "pending" && (status == "accepted" || status == "rejected")) ||
                  (from_status == "accepted" && status == "done");
  if (!ok)
    return invalid({{"status", IK_N_("A referral cannot go from {} to this status."),
                     std::string(codes::list("referral_status").label(from_status))}});
  (*r)->status = status;
  if (reason) (*r)->reason = reason;
  (*r)->updated_at = now_unix();
  return in_transaction<void>(s_, [&]() -> Result<void> {
    if (auto e = repo.update_referral(**r); !e) return std::unexpected(from(e.error()));
    return changed(s_, "update_referral", (*r)->case_id, fmt::format("{} -> {}", from_status, status));
  });
}

Result<void> CaseService::record_consent(std::int64_t case_id, const std::string& kind, bool granted,
                                         const std::string& given_on) {
  if (auto p = require(s_, Action::UpdateCase); !p) return std::unexpected(p.error());
  Validator v(now_unix());
  v.code("consent_kind", kind, "consent_kind", true);
  v.date("given_on", given_on, true);
  if (!v.ok()) return invalid(v.errors());
  auto c = load_for(case_id);
  if (!c) return std::unexpected(c.error());
  return in_transaction<void>(s_, [&]() -> Result<void> {
    storage::ConsentRecord r{0, c->person_id, kind, granted, given_on, s_.actor().id, now_unix()};
    if (auto e = storage::CaseRepo(s_.db()).insert_consent(r); !e) return std::unexpected(from(e.error()));
    return changed(s_, "record_consent", case_id, fmt::format("{}={}", kind, granted ? "yes" : "no"));
  });
}

Result<void> CaseService::set_status(std::int64_t case_id, const std::string& status) {
  if (auto p = require(s_, Action::UpdateCase); !p) return std::unexpected(p.error());
  if (!codes::list("case_status").contains(status)) return invalid({{"status", std::string(msg::kUnknownCode), ""}});
  auto c = load_for(case_id);
  if (!c) return std::unexpected(c.error());
  const bool closing = status == "closed" || status == "closed_referred";
  if (closing) {
    auto stay = storage::BedRepo(s_.db()).open_stay(case_id);
    if (!stay) return std::unexpected(from(stay.error()));
    if (*stay) return invalid({{"status", IK_N_("Discharge the person from their bed before closing the case."), ""}});
  }
  const auto before = c->status;
  c->status = status;
  c->closed_at = closing ? std::optional<std::int64_t>(now_unix()) : std::nullopt;
  return save_case(*c, fmt::format("status {} -> {}", before, status));
}

Result<void> CaseService::set_risk(std::int64_t case_id, const std::string& risk_level) {
  if (auto p = require(s_, Action::UpdateCase); !p) return std::unexpected(p.error());
  if (!codes::list("risk_level").contains(risk_level)) return invalid({{"risk_level", std::string(msg::kUnknownCode), ""}});
  auto c = load_for(case_id);
  if (!c) return std::unexpected(c.error());
  const auto before = c->risk_level;
  c->risk_level = risk_level;
  return save_case(*c, fmt::format("risk {} -> {}", before, risk_level));
}

Result<void> CaseService::set_repatriation(std::int64_t case_id, const std::string& status,
                                           const std::optional<std::string>& destination) {
  if (auto p = require(s_, Action::UpdateCase); !p) return std::unexpected(p.error());
  Validator v(now_unix());
  v.code("repatriation_status", status, "repatriation_status", true);
  v.country("repatriation_destination", destination, IsoCodes::system());
  if (!v.ok()) return invalid(v.errors());
  auto c = load_for(case_id);
  if (!c) return std::unexpected(c.error());
  c->repatriation_status = status;
  c->repatriation_destination = destination;
  return save_case(*c, fmt::format("repatriation {}", status));
}

}  // namespace ik::core
