#include "core/demo_data.hpp"

#include <array>
#include <random>

#include <fmt/format.h>

#include "core/audit.hpp"
#include "core/beds.hpp"
#include "core/calls.hpp"
#include "core/codes.hpp"
#include "core/intake.hpp"
#include "core/iso_codes.hpp"
#include "core/permissions.hpp"
#include "core/provision.hpp"
#include "core/users_service.hpp"
#include "core/session.hpp"
#include "core/validation.hpp"
#include "storage/bed_repo.hpp"
#include "storage/call_repo.hpp"
#include "storage/case_repo.hpp"

namespace ik::core {
namespace {

constexpr std::array kFemale{"Aysel", "Leyla", "Günay", "Nərmin", "Səbinə", "Ülviyyə", "Zərifə", "Könül",
                             "Şəbnəm", "Анна", "Мария", "Ольга", "Dilnoza", "Gulnora", "Nino", "Olena"};
constexpr std::array kMale{"Elnur", "Rəşad", "Tural", "Orxan", "Şahin", "Cavid", "İlkin", "Ömər",
                           "Иван", "Сергей", "Bekzod", "Rustam", "Giorgi", "Taras"};
// Stems meaning sample / test / example / fictional, so a demo name is never a real one.
constexpr std::array kStemsLatin{"Nümunə", "Sınaq", "Örnək", "Misal", "Fiktiv", "Uydurma", "Test"};
constexpr std::array kStemsCyrillic{"Пример", "Тест", "Образц", "Вымышлен"};
constexpr std::array kCitizenship{"AZ", "AZ", "AZ", "AZ", "UZ", "TJ", "KG", "UA", "RU", "GE", "NP", "PH", "IN", "TM"};
constexpr std::array kExploitCountries{"AZ", "TR", "AE", "RU", "KZ", "GE", "IR", "IL", "CY"};

template <class R, std::size_t N>
const char* pick(R& rng, const std::array<const char*, N>& a) {
  return a[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)];
}
template <class R>
bool chance(R& rng, double p) {
  return std::bernoulli_distribution(p)(rng);
}
template <class R>
std::string pick_code(R& rng, std::string_view list) {
  const auto& l = codes::list(list);
  return std::string(l.codes[std::uniform_int_distribution<std::size_t>(0, l.codes.size() - 1)(rng)].code);
}
template <class R>
std::string pick_codes(R& rng, std::string_view list, double p) {
  std::vector<std::string> out;
  for (const auto& c : codes::list(list).codes)
    if (chance(rng, p)) out.emplace_back(c.code);
  return codes::join(out);
}

std::string language_of(std::string_view country) {
  static constexpr std::pair<std::string_view, std::string_view> kMap[] = {
      {"AZ", "aze"}, {"UZ", "uzb"}, {"TJ", "tgk"}, {"KG", "kir"}, {"UA", "ukr"}, {"RU", "rus"}, {"GE", "kat"},
      {"NP", "nep"}, {"PH", "tgl"}, {"IN", "hin"}, {"TM", "tuk"}};
  for (const auto& [c, l] : kMap)
    if (c == country) return std::string(l);
  return "eng";
}

template <class R>
IntakeForm make_intake(R& rng, std::int64_t opened_at) {
  IntakeForm f;
  const bool female = chance(rng, 0.7);
  const bool cyrillic = chance(rng, 0.25);
  const std::string stem = cyrillic ? pick(rng, kStemsCyrillic) : pick(rng, kStemsLatin);
  f.consent = {chance(rng, 0.92), chance(rng, 0.6), chance(rng, 0.8), today(opened_at)};
  auto& p = f.person;
  p.gender = female ? "female" : "male";
  if (f.consent.manage_data) {
    p.given_name = female ? pick(rng, kFemale) : pick(rng, kMale);
    p.family_name = stem + (cyrillic ? (female ? "ова" : "ов") : (female ? "ova" : "ov"));
    const int age = std::uniform_int_distribution<int>(12, 55)(rng);
    const auto year = std::stoi(today(opened_at).substr(0, 4)) - age;
    p.birth_date = fmt::format("{:04}-{:02}-{:02}", year, std::uniform_int_distribution<int>(1, 12)(rng),
                               std::uniform_int_distribution<int>(1, 28)(rng));
    if (chance(rng, 0.5)) p.phone = fmt::format("+994 50 {:03} {:02} {:02}", std::uniform_int_distribution<int>(100, 999)(rng),
                                                std::uniform_int_distribution<int>(10, 99)(rng),
                                                std::uniform_int_distribution<int>(10, 99)(rng));
  } else {
    p.alias = fmt::format("Anon-{}", std::uniform_int_distribution<int>(1000, 9999)(rng));
    p.age_estimate = std::uniform_int_distribution<int>(14, 50)(rng);
  }
  p.citizenship = std::string(pick(rng, kCitizenship));
  p.languages = language_of(*p.citizenship);
  p.marital_status = pick_code(rng, "marital_status");
  p.education = pick_code(rng, "education");
  auto& e = f.exploitation;
  const bool sexual = female && chance(rng, 0.55);
  e.types = sexual ? (chance(rng, 0.15) ? "forced_labour,sexual" : "sexual") : "forced_labour";
  if (e.types.find("forced_labour") != std::string::npos) e.labour_sector = pick_code(rng, "labour_sector");
  if (sexual) e.sexual_exploitation = pick_code(rng, "sexual_exploitation");
  e.means_of_control = pick_codes(rng, "means_of_control", 0.2);
  e.recruitment = pick_code(rng, "recruitment");
  e.recruiter_relation = pick_code(rng, "recruiter_relation");
  e.countries_origin = *p.citizenship;
  e.countries_exploitation = pick(rng, kExploitCountries);
  f.needs = codes::split(pick_codes(rng, "need", 0.3));
  f.risk_level = pick_code(rng, "risk_level");
  f.is_witness = chance(rng, 0.2);
  f.scope = *p.citizenship == "AZ" && std::string(e.countries_exploitation) == "AZ" ? "national" : "international";
  f.intake_source = pick_code(rng, "intake_source");
  if (f.intake_source == "law_enforcement" || f.intake_source == "ngo") {
    f.source_organisation_type = f.intake_source;
    f.source_organisation = f.intake_source == "ngo" ? "Synthetic NGO" : "Synthetic Police Unit";
  }
  f.repatriation_status = *p.citizenship == "AZ" ? "not_applicable" : pick_code(rng, "repatriation_status");
  if (f.repatriation_status != "not_applicable") f.repatriation_destination = *p.citizenship;
  return f;
}

template <class R>
CallForm make_call(R& rng, std::int64_t started_at) {
  CallForm c;
  c.started_at = started_at;
  c.duration_s = std::uniform_int_distribution<int>(30, 2400)(rng);
  c.channel = pick_code(rng, "call_channel");
  c.caller_type = pick_code(rng, "caller_type");
  c.language = chance(rng, 0.7) ? "aze" : "rus";
  c.region = chance(rng, 0.5) ? "Baku" : "Ganja";
  c.call_type = pick_code(rng, "call_type");
  c.ilo_indicators = pick_codes(rng, "ilo_indicator", 0.15);
  c.actions = pick_codes(rng, "call_action", 0.25);
  c.le_referred = chance(rng, 0.15);
  if (c.le_referred) {
    c.le_unit = "Synthetic Police Unit";
    c.le_date = today(started_at);
  }
  if (chance(rng, 0.3)) {
    c.follow_up_due = today(started_at + 7 * 86400);
    c.follow_up_done = chance(rng, 0.7);
  }
  if (c.caller_type != "anonymous" && chance(rng, 0.5)) {
    c.caller_name = std::string(pick(rng, kFemale)) + " " + pick(rng, kStemsLatin) + "ova";
    c.phone = fmt::format("+994 55 {:03} {:04}", std::uniform_int_distribution<int>(100, 999)(rng),
                          std::uniform_int_distribution<int>(1000, 9999)(rng));
  }
  return c;
}

}  // namespace

Result<DemoDataResult> generate_demo_data(Session& s, const DemoDataOptions& o) {
  if (auto p = require(s, Action::GenerateDemoData); !p) return std::unexpected(p.error());
  if (o.intakes < 0 || o.calls < 0 || o.intakes > 1'000'000 || o.calls > 2'000'000 || o.years_back < 1 ||
      o.years_back > 20)
    return fail(Errc::Invalid, "demo data sizes out of range");
  std::mt19937_64 rng(o.seed);
  const auto now = now_unix();
  const std::int64_t span = std::int64_t{o.years_back} * 365 * 86400;
  DemoDataResult out;
  const auto& iso = IsoCodes::system();

  // Intakes oldest first, so case numbers follow time; a batch is one transaction.
  std::vector<std::int64_t> times(static_cast<std::size_t>(o.intakes));
  for (auto& t : times) t = now - std::uniform_int_distribution<std::int64_t>(3600, span)(rng);
  std::sort(times.begin(), times.end());
  std::vector<std::int64_t> case_ids;
  for (std::size_t start = 0; start < times.size(); start += 1000) {
    auto r = s.db().transaction([&]() -> storage::Result<void> {
      for (std::size_t i = start; i < std::min(times.size(), start + 1000); ++i) {
        auto form = make_intake(rng, times[i]);
        if (auto errors = validate_step(form, IntakeStep::Review, iso, now); !errors.empty())
          return storage::fail(storage::Errc::Sql, "demo generator made an invalid form: " + render(errors.front()));
        auto id = store_intake(s, form, times[i]);
        if (!id) return storage::fail(storage::Errc::Sql, id.error().message);
        case_ids.push_back(*id);
        ++out.intakes;
      }
      return {};
    });
    if (!r) return std::unexpected(from(r.error()));
  }

  // Older cases are mostly closed; the newest active ones get the free beds.
  storage::CaseRepo cases(s.db());
  storage::BedRepo beds(s.db());
  auto r = s.db().transaction([&]() -> storage::Result<void> {
    for (std::size_t i = 0; i < case_ids.size(); ++i) {
      if (now - times[i] > 120 * 86400 && chance(rng, 0.85)) {
        auto c = cases.get(case_ids[i]);
        if (!c || !*c) return storage::fail(storage::Errc::Sql, "case vanished");
        (*c)->status = chance(rng, 0.3) ? "closed_referred" : "closed";
        (*c)->closed_at = times[i] + std::uniform_int_distribution<std::int64_t>(7, 100)(rng) * 86400;
        if (auto e = cases.update_case(**c); !e) return e;
        ++out.closed;
      }
    }
    if (!o.assign_beds) return {};
    auto all = beds.beds();
    if (!all) return std::unexpected(all.error());
    // Newest active cases first, each into a free bed of the wing that fits them.
    for (std::size_t i = case_ids.size(); i-- > 0;) {
      auto c = cases.get(case_ids[i]);
      if (!c || !*c) return storage::fail(storage::Errc::Sql, "case vanished");
      if ((*c)->status != "active") continue;
      auto p = cases.person((*c)->person_id);
      if (!p || !*p) return storage::fail(storage::Errc::Sql, "person vanished");
      const auto wing = suggested_wing((*p)->gender, (*p)->birth_date, (*p)->age_estimate, times[i]);
      if (!wing) continue;
      for (auto& b : *all) {
        if (b.occupied_by_case || !b.active || b.wing != *wing) continue;
        if (auto e = beds.admit(case_ids[i], b.id, times[i]); !e) return std::unexpected(e.error());
        b.occupied_by_case = case_ids[i];
        ++out.beds_assigned;
        break;
      }
    }
    return {};
  });
  if (!r) return std::unexpected(from(r.error()));

  for (int start = 0; start < o.calls; start += 1000) {
    auto rc = s.db().transaction([&]() -> storage::Result<void> {
      storage::CallRepo calls(s.db());
      for (int i = start; i < std::min(o.calls, start + 1000); ++i) {
        auto c = make_call(rng, now - std::uniform_int_distribution<std::int64_t>(60, span)(rng));
        if (auto errors = validate_call(c, now); !errors.empty())
          return storage::fail(storage::Errc::Sql, "demo generator made an invalid call: " + render(errors.front()));
        c.created_by = s.actor().id;
        c.created_at = c.updated_at = now;
        if (auto e = calls.insert(c); !e) return std::unexpected(e.error());
        ++out.calls;
      }
      return {};
    });
    if (!rc) return std::unexpected(from(rc.error()));
  }
  if (auto a = audit(s, "demo_data", "device", 0, fmt::format("intakes={} calls={}", out.intakes, out.calls)); !a)
    return std::unexpected(a.error());
  return out;
}

Result<void> provision_demo_device(const DataDir& dir, int intakes, int calls, const DemoHqKeys* hq_keys) {
  const auto kdf = crypto::KdfParams::fastest();
  // Without HQ's keys, a throwaway HQ: a demo device is never recovered and its bundles never read.
  DemoHqKeys hq;
  if (hq_keys != nullptr) {
    hq = *hq_keys;
  } else {
    hq.seal = crypto::generate_key_pair(crypto::KeyKind::HqSeal).pub;
    hq.sign = crypto::generate_key_pair(crypto::KeyKind::HqSign).pub;
    hq.recovery = crypto::generate_key_pair(crypto::KeyKind::HqRecovery).pub;
  }
  auto pass_of = [](std::string_view p) {
    return crypto::SecureBuffer::copy_of({reinterpret_cast<const std::uint8_t*>(p.data()), p.size()});
  };
  const auto& admin = kDemoStaff[3];
  auto admin_pass = pass_of(admin.passphrase);
  if (auto r = provision({dir, std::string(admin.name), &admin_pass, hq.recovery, kdf, hq.seal, hq.sign}); !r)
    return std::unexpected(r.error());
  {
    auto s = unlock(dir, admin.name, admin_pass);
    if (!s) return std::unexpected(s.error());
    UsersService users(*s);
    for (const auto& st : kDemoStaff) {
      if (st.role == "admin") continue;
      if (auto r = users.add(st.name, *parse_role(st.role), pass_of(st.passphrase), kdf); !r) return r;
    }
    if (auto r = BedService(*s).configure(BedLayout{}); !r) return std::unexpected(r.error());
    if (auto r = generate_demo_data(*s, {intakes, calls, 7}); !r) return std::unexpected(r.error());
  }
  return {};
}

}  // namespace ik::core
