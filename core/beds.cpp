#include "core/beds.hpp"

#include <fmt/format.h>

#include "core/audit.hpp"
#include "core/codes.hpp"
#include "core/permissions.hpp"
#include "core/session.hpp"
#include "core/validation.hpp"
#include "storage/bed_repo.hpp"
#include "storage/case_repo.hpp"

namespace ik::core {

int BedLayout::total() const {
  int n = 0;
  for (const auto& [_, count] : beds_per_wing) n += count;
  return n;
}

std::optional<std::string> suggested_wing(const std::string& gender, const std::optional<std::string>& birth_date,
                                          const std::optional<std::int64_t>& age_estimate, std::int64_t now) {
  std::optional<int> age;
  if (birth_date) age = age_on(*birth_date, now);
  if (!age && age_estimate) age = static_cast<int>(*age_estimate);
  if (!age || (gender != "female" && gender != "male")) return std::nullopt;
  if (gender == "female") return std::string(*age < 18 ? "girls" : "women");
  return std::string(*age < 18 ? "boys" : "men");
}

Result<int> BedService::configure(const BedLayout& layout) {
  if (auto p = require(s_, Action::ManageDevice); !p) return std::unexpected(p.error());
  for (const auto& [wing, count] : layout.beds_per_wing) {
    if (!codes::list("wing").contains(wing)) return invalid({{"wing", std::string(msg::kUnknownCode), ""}});
    if (count < 0 || count > 500) return invalid({{"beds", IK_N_("Enter a number of beds between 0 and 500."), ""}});
  }
  storage::BedRepo repo(s_.db());
  auto existing = repo.beds();
  if (!existing) return std::unexpected(from(existing.error()));
  int added = 0;
  auto r = s_.db().transaction([&]() -> storage::Result<void> {
    for (const auto& [wing, count] : layout.beds_per_wing) {
      int have = 0;
      for (const auto& b : *existing) have += b.wing == wing;
      for (int i = have + 1; i <= count; ++i) {
        const auto label = fmt::format("{}-{:02}", static_cast<char>(std::toupper(wing[0])), i);
        if (auto e = repo.insert_bed(wing, label); !e) return std::unexpected(e.error());
        ++added;
      }
    }
    if (auto a = audit(s_, "configure_beds", "bed", 0, fmt::format("added {}", added)); !a)
      return storage::fail(storage::Errc::Sql, a.error().message);
    return {};
  });
  if (!r) return std::unexpected(from(r.error()));
  return added;
}

Result<std::vector<BedView>> BedService::board() {
  if (auto p = require(s_, Action::ViewBeds); !p) return std::unexpected(p.error());
  auto beds = storage::BedRepo(s_.db()).beds();
  if (!beds) return std::unexpected(from(beds.error()));
  storage::CaseRepo cases(s_.db());
  std::vector<BedView> out;
  for (const auto& b : *beds) {
    if (!b.active) continue;
    BedView v{b.id, b.wing, b.label, std::nullopt, b.occupied_by_case};
    if (b.occupied_by_case) {
      auto c = cases.get(*b.occupied_by_case);
      if (c && *c) v.case_number = (*c)->case_number;
    }
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<WingView>> BedService::occupancy() {
  if (auto p = require(s_, Action::ViewBeds); !p) return std::unexpected(p.error());
  auto occ = storage::BedRepo(s_.db()).occupancy();
  if (!occ) return std::unexpected(from(occ.error()));
  std::vector<WingView> out;
  for (const auto& w : *occ) out.push_back({w.wing, w.beds, w.occupied});
  return out;
}

Result<void> BedService::assign(std::int64_t case_id, std::int64_t bed_id) {
  if (auto p = require(s_, Action::ManageBeds); !p) return std::unexpected(p.error());
  storage::BedRepo beds(s_.db());
  auto bed = beds.bed(bed_id);
  if (!bed) return std::unexpected(from(bed.error()));
  if (!*bed || !(*bed)->active) return invalid({{"bed", std::string(msg::kUnknownBed), ""}});
  if ((*bed)->occupied_by_case) return invalid({{"bed", std::string(msg::kBedTaken), ""}});
  auto c = storage::CaseRepo(s_.db()).get(case_id);
  if (!c) return std::unexpected(from(c.error()));
  if (!*c) return fail(Errc::NotFound, "no such case");
  if ((*c)->status == "closed" || (*c)->status == "closed_referred")
    return invalid({{"bed", IK_N_("A closed case cannot be given a bed."), ""}});
  std::optional<Error> refusal;
  auto r = s_.db().transaction([&]() -> storage::Result<void> {
    if (auto e = beds.admit(case_id, bed_id, now_unix()); !e) {
      if (e.error().code == storage::Errc::Constraint)
        refusal = Error{Errc::Invalid, "bed taken or person already in a bed",
                        {{"bed", IK_N_("This bed is taken, or the person already has a bed."), ""}}};
      return std::unexpected(e.error());
    }
    if (auto t = storage::CaseRepo(s_.db()).touch(case_id, now_unix()); !t) return t;
    if (auto a = audit(s_, "admit", "case", case_id, (*bed)->label); !a)
      return storage::fail(storage::Errc::Sql, a.error().message);
    return {};
  });
  if (!r) return std::unexpected(refusal ? *refusal : from(r.error()));
  return {};
}

Result<void> BedService::release(std::int64_t case_id, const std::string& reason) {
  if (auto p = require(s_, Action::ManageBeds); !p) return std::unexpected(p.error());
  if (!codes::list("discharge_reason").contains(reason))
    return invalid({{"discharge_reason", std::string(msg::kUnknownCode), ""}});
  storage::BedRepo beds(s_.db());
  auto stay = beds.open_stay(case_id);
  if (!stay) return std::unexpected(from(stay.error()));
  if (!*stay) return fail(Errc::NotFound, "this person has no bed to release");
  auto r = s_.db().transaction([&]() -> storage::Result<void> {
    if (auto e = beds.discharge((*stay)->id, now_unix(), reason); !e) return e;
    if (auto t = storage::CaseRepo(s_.db()).touch(case_id, now_unix()); !t) return t;
    if (auto a = audit(s_, "discharge", "case", case_id, reason); !a)
      return storage::fail(storage::Errc::Sql, a.error().message);
    return {};
  });
  if (!r) return std::unexpected(from(r.error()));
  return {};
}

}  // namespace ik::core
