// write_outbox() on a real device: changed records -> sealed bundles HQ opens with its own secret,
// the JSON exactly the spec's shape with exactly the records that changed, sequences and the
// previous-hash chain, nothing written when nothing changed, and crashes (a child process killed
// between the bundle file and the database commit) that never leave two bundles with one sequence.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "core/beds.hpp"
#include "hq/payload.hpp"
#include "storage/audit_repo.hpp"
#include "storage/call_repo.hpp"
#include "sync/pinned_keys.hpp"
#include "tests/sync/sync_fixture.hpp"

namespace ik::sync::testing {
namespace {

// --- comparing a JSON record with what the device holds (names fields, never values) ----------

bool same(const json& o, const char* key, const std::string& v) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() && it->get<std::string>() == v;
}
bool same(const json& o, const char* key, const std::optional<std::string>& v) {
  auto it = o.find(key);
  if (it == o.end()) return false;
  return v ? it->is_string() && it->get<std::string>() == *v : it->is_null();
}
bool same(const json& o, const char* key, std::int64_t v) {
  auto it = o.find(key);
  return it != o.end() && it->is_number_integer() && it->get<std::int64_t>() == v;
}
bool same(const json& o, const char* key, const std::optional<std::int64_t>& v) {
  auto it = o.find(key);
  if (it == o.end()) return false;
  return v ? it->is_number_integer() && it->get<std::int64_t>() == *v : it->is_null();
}
bool same_flag(const json& o, const char* key, bool v) {
  auto it = o.find(key);
  return it != o.end() && it->is_boolean() && it->get<bool>() == v;
}
#define EXPECT_FIELD(obj, key, value) EXPECT_TRUE(same((obj), key, (value))) << where << "." << key
#define EXPECT_FLAG(obj, key, value) EXPECT_TRUE(same_flag((obj), key, (value))) << where << "." << key

const std::vector<std::string> kTopMembers = sorted(
    {"format", "device_key_id", "sequence", "created_at", "cases", "calls", "beds", "audit", "checkpoints"});
const std::vector<std::string> kCaseMembers = sorted(
    {"id", "case_number", "origin", "status", "risk_level", "is_witness", "protection_measures", "scope",
     "repatriation_status", "repatriation_destination", "needs", "intake_source", "notes", "opened_at", "closed_at",
     "updated_at", "purged", "person", "consents", "exploitation", "referrals", "stays", "services"});
const std::vector<std::string> kPersonMembers =
    sorted({"given_name", "family_name", "alias", "gender", "birth_date", "age_estimate", "citizenship", "languages",
            "marital_status", "education", "phone"});
const std::vector<std::string> kExploitationMembers = sorted(
    {"types", "labour_sector", "sexual_exploitation", "means_of_control", "recruitment", "recruiter_relation",
     "countries_origin", "countries_transit", "countries_exploitation", "started_on", "ended_on"});
const std::vector<std::string> kCallMembers = sorted(
    {"id", "started_at", "duration_s", "channel", "caller_type", "language", "region", "call_type", "ilo_indicators",
     "actions", "le_referred", "le_unit", "le_date", "follow_up_due", "follow_up_done", "case_id", "caller_name",
     "phone", "notes", "updated_at", "purged"});

void expect_case(const json& j, const CaseDetails& d, const std::string& bed_label) {
  const std::string where = fmt::format("case {}", d.record.id);
  ASSERT_EQ(members(j), kCaseMembers) << where;
  const auto& c = d.record;
  EXPECT_FIELD(j, "id", c.id);
  EXPECT_FIELD(j, "case_number", c.case_number);
  EXPECT_FIELD(j, "origin", c.origin);
  EXPECT_FIELD(j, "status", c.status);
  EXPECT_FIELD(j, "risk_level", c.risk_level);
  EXPECT_FLAG(j, "is_witness", c.is_witness);
  EXPECT_FIELD(j, "protection_measures", c.protection_measures);
  EXPECT_FIELD(j, "scope", c.scope);
  EXPECT_FIELD(j, "repatriation_status", c.repatriation_status);
  EXPECT_FIELD(j, "repatriation_destination", c.repatriation_destination);
  EXPECT_FIELD(j, "needs", c.needs);
  EXPECT_FIELD(j, "intake_source", c.intake_source);
  EXPECT_FIELD(j, "notes", c.notes);
  EXPECT_FIELD(j, "opened_at", c.opened_at);
  EXPECT_FIELD(j, "closed_at", c.closed_at);
  EXPECT_FIELD(j, "updated_at", c.updated_at);
  EXPECT_FLAG(j, "purged", c.purged_at.has_value());

  const auto& p = j.at("person");
  ASSERT_EQ(members(p), kPersonMembers) << where;
  EXPECT_FIELD(p, "given_name", d.person.given_name);
  EXPECT_FIELD(p, "family_name", d.person.family_name);
  EXPECT_FIELD(p, "alias", d.person.alias);
  EXPECT_FIELD(p, "gender", d.person.gender);
  EXPECT_FIELD(p, "birth_date", d.person.birth_date);
  EXPECT_FIELD(p, "age_estimate", d.person.age_estimate);
  EXPECT_FIELD(p, "citizenship", d.person.citizenship);
  EXPECT_FIELD(p, "languages", d.person.languages);
  EXPECT_FIELD(p, "marital_status", d.person.marital_status);
  EXPECT_FIELD(p, "education", d.person.education);
  EXPECT_FIELD(p, "phone", d.person.phone);

  ASSERT_EQ(j.at("consents").size(), d.consents.size()) << where;
  for (std::size_t i = 0; i < d.consents.size(); ++i) {
    const auto& k = j.at("consents")[i];
    EXPECT_EQ(members(k), sorted({"kind", "granted", "given_on"})) << where;
    EXPECT_FIELD(k, "kind", d.consents[i].kind);
    EXPECT_FLAG(k, "granted", d.consents[i].granted);
    EXPECT_FIELD(k, "given_on", d.consents[i].given_on);
  }

  ASSERT_TRUE(d.exploitation.has_value());
  const auto& e = j.at("exploitation");
  ASSERT_EQ(members(e), kExploitationMembers) << where;
  EXPECT_FIELD(e, "types", d.exploitation->types);
  EXPECT_FIELD(e, "labour_sector", d.exploitation->labour_sector);
  EXPECT_FIELD(e, "sexual_exploitation", d.exploitation->sexual_exploitation);
  EXPECT_FIELD(e, "means_of_control", d.exploitation->means_of_control);
  EXPECT_FIELD(e, "recruitment", d.exploitation->recruitment);
  EXPECT_FIELD(e, "recruiter_relation", d.exploitation->recruiter_relation);
  EXPECT_FIELD(e, "countries_origin", d.exploitation->countries_origin);
  EXPECT_FIELD(e, "countries_transit", d.exploitation->countries_transit);
  EXPECT_FIELD(e, "countries_exploitation", d.exploitation->countries_exploitation);
  EXPECT_FIELD(e, "started_on", d.exploitation->started_on);
  EXPECT_FIELD(e, "ended_on", d.exploitation->ended_on);

  ASSERT_EQ(j.at("referrals").size(), d.referrals.size()) << where;
  for (std::size_t i = 0; i < d.referrals.size(); ++i) {
    const auto& r = j.at("referrals")[i];
    const auto& x = d.referrals[i];
    EXPECT_EQ(members(r), sorted({"id", "direction", "organisation_type", "organisation", "status", "reason",
                                  "created_at", "updated_at"}));
    EXPECT_FIELD(r, "id", x.id);
    EXPECT_FIELD(r, "direction", x.direction);
    EXPECT_FIELD(r, "organisation_type", x.organisation_type);
    EXPECT_FIELD(r, "organisation", x.organisation);
    EXPECT_FIELD(r, "status", x.status);
    EXPECT_FIELD(r, "reason", x.reason);
    EXPECT_FIELD(r, "created_at", x.created_at);
    EXPECT_FIELD(r, "updated_at", x.updated_at);
  }

  ASSERT_EQ(j.at("stays").size(), d.stays.size()) << where;
  for (std::size_t i = 0; i < d.stays.size(); ++i) {
    const auto& s = j.at("stays")[i];
    const auto& x = d.stays[i];
    EXPECT_EQ(members(s), sorted({"id", "bed", "wing", "admitted_at", "discharged_at", "discharge_reason"}));
    EXPECT_FIELD(s, "id", x.id);
    EXPECT_FIELD(s, "bed", bed_label);
    EXPECT_FIELD(s, "wing", std::string("women"));
    EXPECT_FIELD(s, "admitted_at", x.admitted_at);
    EXPECT_FIELD(s, "discharged_at", x.discharged_at);
    EXPECT_FIELD(s, "discharge_reason", x.discharge_reason);
  }

  ASSERT_EQ(j.at("services").size(), d.services.size()) << where;
  for (std::size_t i = 0; i < d.services.size(); ++i) {
    const auto& s = j.at("services")[i];
    const auto& x = d.services[i];
    EXPECT_EQ(members(s), sorted({"id", "type", "given_on", "note"}));
    EXPECT_FIELD(s, "id", x.id);
    EXPECT_FIELD(s, "type", x.type);
    EXPECT_FIELD(s, "given_on", x.given_on);
    EXPECT_FIELD(s, "note", x.note);
  }
}

void expect_call(const json& j, const storage::CallRecord& c) {
  const std::string where = fmt::format("call {}", c.id);
  ASSERT_EQ(members(j), kCallMembers) << where;
  EXPECT_FIELD(j, "id", c.id);
  EXPECT_FIELD(j, "started_at", c.started_at);
  EXPECT_FIELD(j, "duration_s", c.duration_s);
  EXPECT_FIELD(j, "channel", c.channel);
  EXPECT_FIELD(j, "caller_type", c.caller_type);
  EXPECT_FIELD(j, "language", c.language);
  EXPECT_FIELD(j, "region", c.region);
  EXPECT_FIELD(j, "call_type", c.call_type);
  EXPECT_FIELD(j, "ilo_indicators", c.ilo_indicators);
  EXPECT_FIELD(j, "actions", c.actions);
  EXPECT_FLAG(j, "le_referred", c.le_referred);
  EXPECT_FIELD(j, "le_unit", c.le_unit);
  EXPECT_FIELD(j, "le_date", c.le_date);
  EXPECT_FIELD(j, "follow_up_due", c.follow_up_due);
  EXPECT_FLAG(j, "follow_up_done", c.follow_up_done);
  EXPECT_FIELD(j, "case_id", c.case_id);
  EXPECT_FIELD(j, "caller_name", c.caller_name);
  EXPECT_FIELD(j, "phone", c.phone);
  EXPECT_FIELD(j, "notes", c.notes);
  EXPECT_FIELD(j, "updated_at", c.updated_at);
  EXPECT_FLAG(j, "purged", c.purged_at.has_value());
}

bool has_bytes(const std::vector<std::uint8_t>& haystack, std::string_view needle) {
  const auto* n = reinterpret_cast<const std::uint8_t*>(needle.data());
  return std::search(haystack.begin(), haystack.end(), n, n + needle.size()) != haystack.end();
}

using Outbox = SyncFixture;

// --- provisioning --------------------------------------------------------------------------------

TEST_F(Outbox, ProvisioningPinsHqKeysAndCreatesTheSyncFolders) {
  auto seal = crypto::read_public_key_file(dir.hq_seal_public_key(), crypto::KeyKind::HqSeal);
  auto sign = crypto::read_public_key_file(dir.hq_sign_public_key(), crypto::KeyKind::HqSign);
  ASSERT_TRUE(seal) << seal.error().message;
  ASSERT_TRUE(sign) << sign.error().message;
  EXPECT_EQ(*seal, hq_seal.pub);
  EXPECT_EQ(*sign, hq_sign.pub);
  for (const auto& d : {dir.outbox(), dir.inbox(), dir.sync_dir()}) EXPECT_TRUE(fs::is_directory(d)) << d.filename();
  auto s = admin();
  auto pinned = storage::SettingsRepo(s.db()).get(kPinnedSealSetting);
  ASSERT_TRUE(pinned && *pinned);
  EXPECT_TRUE(std::ranges::equal(**pinned, hq_seal.pub.bytes));
  pinned = storage::SettingsRepo(s.db()).get(kPinnedSignSetting);
  ASSERT_TRUE(pinned && *pinned);
  EXPECT_TRUE(std::ranges::equal(**pinned, hq_sign.pub.bytes));
}

// --- one bundle ----------------------------------------------------------------------------------

TEST_F(Outbox, ChangedRecordsBecomeOneBundleThatOnlyHqOpens) {
  const auto a = register_case(1, "W-01");
  const auto b = register_case(2);
  {
    auto c = coordinator();
    CaseService cases(c);
    ASSERT_TRUE(cases.add_service(b, {"medical", std::string("2025-02-03"), std::string("Synthetic note")}));
    ASSERT_TRUE(cases.refer(b, {"legal", std::string("Nümunə legal aid"), std::string("Synthetic reason")}));
    ASSERT_TRUE(cases.record_consent(b, "share_law_enforcement", false, "2025-02-04"));
  }
  const auto call = log_call(1);
  ASSERT_TRUE(a && b && call);

  auto s = admin();
  const auto now = now_unix();
  auto r = write_outbox(s, now);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->bundles, 1);
  EXPECT_EQ(r->cases, 2);
  EXPECT_EQ(r->calls, 1);
  EXPECT_EQ(r->beds, 50);
  EXPECT_EQ(r->last_sequence, 1u);
  const auto files = outbox_files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(outbox_names().size(), 1u) << "no temp or hidden file is left";
  const auto opened = open_file(files[0]);
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(files[0].filename().string(),
            fmt::format("0000000000000001-{}.ikb", crypto::bundle_id_hex(opened.manifest.bundle_id)));
  EXPECT_EQ(r->bytes, static_cast<std::int64_t>(opened.file.size()));

  // The manifest.
  EXPECT_EQ(opened.manifest.sequence, 1u);
  EXPECT_EQ(opened.manifest.previous_hash, crypto::Hash{}) << "sequence 1 chains to zeros";
  EXPECT_EQ(opened.manifest.created_at, now);
  EXPECT_EQ(opened.manifest.device_key_id, device_pub().id());
  EXPECT_EQ(opened.manifest.recipient_key_id, hq_seal.pub.id());

  // A finder of the file learns nothing: no name, no case number, no code in clear.
  auto coord = coordinator();  // may view cases (the admin may not)
  auto details = CaseService(coord).open(a);
  ASSERT_TRUE(details);
  for (const auto& needle : {*details->person.family_name, details->record.case_number, std::string("debt_bondage"),
                             std::string("intake-kiosk/changes")})
    EXPECT_FALSE(has_bytes(opened.file, needle)) << "a plaintext string is visible in the bundle file";

  // The payload: the spec's members, exactly the changed records.
  const auto& doc = opened.doc;
  EXPECT_EQ(members(doc), kTopMembers);
  EXPECT_EQ(doc.at("format"), "intake-kiosk/changes/v1");
  EXPECT_EQ(doc.at("device_key_id"), device_pub().id_hex());
  EXPECT_EQ(doc.at("sequence"), 1);
  EXPECT_EQ(doc.at("created_at"), now);
  EXPECT_EQ(ids_of(doc, "cases"), (std::vector<std::int64_t>{a, b}));
  EXPECT_EQ(ids_of(doc, "calls"), (std::vector<std::int64_t>{call}));
  for (const auto& [id, bed] : {std::pair{a, std::string("W-01")}, std::pair{b, std::string()}}) {
    auto d = CaseService(coord).open(id);
    ASSERT_TRUE(d) << d.error().message;
    const auto& cases_json = doc.at("cases");
    const auto it = std::find_if(cases_json.begin(), cases_json.end(), [&](const json& j) { return j.at("id") == id; });
    ASSERT_NE(it, cases_json.end());
    expect_case(*it, *d, bed);
  }
  auto stored_call = storage::CallRepo(s.db()).get(call);
  ASSERT_TRUE(stored_call && *stored_call);
  expect_call(doc.at("calls")[0], **stored_call);

  // Beds: every bed configured (the first bundle of a device).
  auto board = BedService(s).board();
  ASSERT_TRUE(board);
  std::set<std::string> labels;
  for (const auto& bed : doc.at("beds")) {
    EXPECT_EQ(members(bed), sorted({"label", "wing", "active"}));
    labels.insert(bed.at("label").get<std::string>());
    EXPECT_TRUE(bed.at("active").get<bool>());
  }
  EXPECT_EQ(labels.size(), board->size());

  // The audit chain from its start, entry for entry, and the checkpoints it reaches.
  auto log = storage::AuditRepo(s.db()).range(1, 100000);
  ASSERT_TRUE(log);
  const auto& audit = doc.at("audit");
  ASSERT_FALSE(audit.empty());
  ASSERT_LE(audit.size(), log->size());
  for (std::size_t i = 0; i < audit.size(); ++i) {
    const auto& j = audit[i];
    const auto& e = (*log)[i];
    const std::string where = fmt::format("audit[{}]", i);
    EXPECT_EQ(members(j), sorted({"seq", "at", "actor_id", "actor_name", "action", "entity", "entity_id", "detail",
                                  "prev_hash", "hash"}));
    EXPECT_FIELD(j, "seq", static_cast<std::int64_t>(i + 1));
    EXPECT_FIELD(j, "at", e.at);
    EXPECT_FIELD(j, "actor_id", e.actor_id);
    EXPECT_FIELD(j, "actor_name", e.actor_name);
    EXPECT_FIELD(j, "action", e.action);
    EXPECT_FIELD(j, "entity", e.entity);
    EXPECT_FIELD(j, "entity_id", e.entity_id);
    EXPECT_FIELD(j, "detail", e.detail);
    EXPECT_FIELD(j, "prev_hash", crypto::to_hex(e.prev_hash));
    EXPECT_FIELD(j, "hash", crypto::to_hex(e.hash));
  }
  auto cps = storage::AuditRepo(s.db()).checkpoints();
  ASSERT_TRUE(cps);
  std::vector<std::int64_t> expected_cps;
  for (const auto& c : *cps)
    if (c.seq <= audit.back().at("seq").get<std::int64_t>()) expected_cps.push_back(c.seq);
  ASSERT_FALSE(expected_cps.empty()) << "every lock signs a checkpoint: the setup locked several times";
  EXPECT_EQ(ids_of(doc, "checkpoints", "seq"), expected_cps);
  for (std::size_t i = 0; i < expected_cps.size(); ++i) {
    const auto& j = doc.at("checkpoints")[i];
    const std::string where = fmt::format("checkpoints[{}]", i);
    EXPECT_EQ(members(j), sorted({"seq", "hash", "signature", "at"}));
    EXPECT_FIELD(j, "hash", crypto::to_hex((*cps)[i].hash));
    EXPECT_FIELD(j, "signature", crypto::to_hex((*cps)[i].signature));
    EXPECT_FIELD(j, "at", (*cps)[i].at);
  }

  // HQ's own strict parser (hq/payload.hpp) accepts it as the contract says.
  auto parsed = hq::parse_changes(opened.payload, device_pub().id_hex(), 1);
  EXPECT_TRUE(parsed) << parsed.error().message;

  // The bundle's own audit entry: counts only.
  auto after = storage::AuditRepo(s.db()).range(audit.back().at("seq").get<std::int64_t>() + 1, 100);
  ASSERT_TRUE(after);
  ASSERT_FALSE(after->empty());
  EXPECT_EQ(after->front().action, "outbox_write");
  EXPECT_EQ(after->front().entity_id, 1);
  EXPECT_TRUE(after->front().detail.starts_with("cases=2 calls=1 beds=50 audit=")) << after->front().detail;
}

TEST_F(Outbox, NothingChangedWritesNothingButASeenCaseIsReported) {
  register_case(1);
  {
    auto s = admin();
    auto r = write_outbox(s, now_unix());
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->bundles, 1);
  }
  const auto before = test::snapshot(dir.outbox());
  for (int i = 0; i < 2; ++i) {  // each unlock and each run writes housekeeping entries only
    auto s = admin();
    auto r = write_outbox(s, now_unix());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->bundles, 0);
    EXPECT_EQ(r->last_sequence, 0u);
  }
  EXPECT_EQ(test::snapshot(dir.outbox()), before);
  {
    auto s = admin();
    auto sum = outbox_summary(s);
    ASSERT_TRUE(sum);
    EXPECT_EQ(sum->pending, 1);
    EXPECT_EQ(sum->queued_records, 0);
  }
  // Someone looked at a case: that is for HQ to know (the audit log), so it makes a bundle
  // without records.
  std::int64_t case_id = 0;
  {
    auto c = coordinator();
    auto page = CaseService(c).list({}, 0, 10);
    ASSERT_TRUE(page && !page->items.empty());
    case_id = page->items[0].id;
    ASSERT_TRUE(CaseService(c).open(case_id));
  }
  auto s = admin();
  auto r = write_outbox(s, now_unix());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->bundles, 1);
  EXPECT_EQ(r->cases, 0);
  const auto files = outbox_files();
  ASSERT_EQ(files.size(), 2u);
  const auto opened = open_file(files[1]);
  EXPECT_TRUE(opened.doc.at("cases").empty());
  bool seen = false;
  for (const auto& e : opened.doc.at("audit"))
    seen |= e.at("action") == "view_case" && e.at("entity_id") == case_id;
  EXPECT_TRUE(seen);
}

TEST_F(Outbox, SequencesCountUpAndEachBundleChainsToThePreviousOne) {
  const auto a = register_case(1);
  const auto b = register_case(2);
  std::int64_t call = 0;
  for (int round = 0; round < 3; ++round) {
    if (round == 1) {
      auto c = coordinator();
      ASSERT_TRUE(CaseService(c).set_risk(a, "low"));
    }
    if (round == 2) call = log_call(7);
    auto s = admin();
    auto r = write_outbox(s, now_unix());
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->bundles, 1) << "round " << round;
    EXPECT_EQ(r->last_sequence, static_cast<std::uint64_t>(round + 1));
  }
  const auto files = outbox_files();
  ASSERT_EQ(files.size(), 3u);
  std::vector<OpenedFile> opened;
  for (const auto& f : files) opened.push_back(open_file(f));
  ASSERT_FALSE(HasFailure());
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(opened[i].manifest.sequence, i + 1);
    EXPECT_EQ(opened[i].doc.at("sequence"), i + 1);
    EXPECT_TRUE(files[i].filename().string().starts_with(fmt::format("{:016}-", i + 1)));
    EXPECT_EQ(opened[i].hash, crypto::bundle_hash(crypto::encode_manifest(opened[i].manifest),
                                                  crypto::open_bundle(opened[i].file, hq_seal)->signature));
  }
  EXPECT_EQ(opened[0].manifest.previous_hash, crypto::Hash{});
  EXPECT_EQ(opened[1].manifest.previous_hash, opened[0].hash);
  EXPECT_EQ(opened[2].manifest.previous_hash, opened[1].hash);
  // Only what changed since the previous bundle.
  EXPECT_EQ(ids_of(opened[0].doc, "cases"), (std::vector<std::int64_t>{a, b}));
  EXPECT_EQ(ids_of(opened[1].doc, "cases"), (std::vector<std::int64_t>{a}));
  EXPECT_TRUE(opened[1].doc.at("calls").empty());
  EXPECT_TRUE(opened[1].doc.at("beds").empty());
  EXPECT_TRUE(opened[2].doc.at("cases").empty());
  EXPECT_EQ(ids_of(opened[2].doc, "calls"), (std::vector<std::int64_t>{call}));
  EXPECT_EQ(opened[1].doc.at("cases")[0].at("risk_level"), "low");
  // The audit chain continues from bundle to bundle without a gap or an overlap.
  for (std::size_t i = 1; i < 3; ++i) {
    const auto& prev = opened[i - 1].doc.at("audit");
    const auto& next = opened[i].doc.at("audit");
    ASSERT_FALSE(prev.empty());
    ASSERT_FALSE(next.empty());
    EXPECT_EQ(next.front().at("seq").get<std::int64_t>(), prev.back().at("seq").get<std::int64_t>() + 1);
    EXPECT_EQ(next.front().at("prev_hash"), prev.back().at("hash"));
  }
}

TEST_F(Outbox, ALargeChangeIsSplitIntoSeveralChainedBundles) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(register_case(10 + i));
  auto s = admin();
  OutboxOptions small;
  small.target_bytes = 3000;  // about one case per bundle
  auto r = write_outbox(s, now_unix(), small);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_GE(r->bundles, 3);
  EXPECT_EQ(r->cases, 6);
  const auto files = outbox_files();
  ASSERT_EQ(files.size(), static_cast<std::size_t>(r->bundles));
  std::vector<std::int64_t> seen;
  crypto::Hash previous{};
  std::size_t beds = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto opened = open_file(files[i]);
    ASSERT_FALSE(HasFailure());
    EXPECT_EQ(opened.manifest.sequence, i + 1);
    EXPECT_EQ(opened.manifest.previous_hash, previous);
    previous = opened.hash;
    for (auto id : ids_of(opened.doc, "cases")) seen.push_back(id);
    beds += opened.doc.at("beds").size();
  }
  EXPECT_EQ(seen, ids) << "every changed case exactly once, in order";
  EXPECT_EQ(beds, 50u);
  // All sent: the next run has nothing to do.
  auto again = write_outbox(s, now_unix(), small);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->bundles, 0);
}

TEST_F(Outbox, WithoutHqsSealKeyOrWithAnotherOneNothingIsWritten) {
  register_case(1);
  const auto pinned = test::read_bytes(dir.hq_seal_public_key());
  fs::remove(dir.hq_seal_public_key());
  {
    auto s = admin();
    auto r = write_outbox(s, now_unix());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::NotProvisioned);
    EXPECT_NE(r.error().message.find("hq-seal.pub"), std::string::npos) << r.error().message;
  }
  // A key file swapped for another HQ's (say, by whoever can write the data directory).
  ASSERT_TRUE(crypto::write_public_key_file(dir.hq_seal_public_key(),
                                            crypto::generate_key_pair(crypto::KeyKind::HqSeal).pub));
  {
    auto s = admin();
    auto r = write_outbox(s, now_unix());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::WrongKey) << r.error().message;
  }
  EXPECT_TRUE(outbox_names().empty());
  test::write_bytes(dir.hq_seal_public_key(), pinned);
  auto s = admin();
  auto r = write_outbox(s, now_unix());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->bundles, 1);
}

// --- crashes -------------------------------------------------------------------------------------

// Runs write_outbox in a child process that is killed (SIGKILL) at `point`.
void write_and_die_at(const DataDir& dir, testing::CrashPoint point) {
  static testing::CrashPoint target;
  target = point;
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    testing::set_crash_hook([](testing::CrashPoint p) {
      if (p == target) ::raise(SIGKILL);
    });
    auto s = unlock(dir, "Admin Aysel", test::secret("admin passphrase 1"));
    if (!s) ::_exit(2);
    (void)write_outbox(*s, now_unix());
    ::_exit(3);  // the hook did not fire: the parent sees a plain exit and fails
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child was not killed at the crash point (exit " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1) << ")";
}

TEST_F(Outbox, KilledAfterWritingTheFileBeforeTheCommitTheNextRunWritesOneBundle) {
  const auto a = register_case(1);
  write_and_die_at(dir, testing::CrashPoint::FileWritten);
  ASSERT_FALSE(HasFatalFailure());
  // The killed run left its bundle under a hidden name only: nothing the sync agent would send.
  auto names = outbox_names();
  ASSERT_EQ(names.size(), 1u);
  EXPECT_TRUE(names[0].starts_with(".0000000000000001-") && names[0].ends_with(".ikb.pending")) << names[0];
  EXPECT_TRUE(outbox_files().empty());

  const auto b = register_case(2);
  auto s = admin();
  auto r = write_outbox(s, now_unix());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->recovered, 1);
  EXPECT_EQ(r->bundles, 1);
  EXPECT_EQ(r->last_sequence, 1u) << "the uncommitted sequence is used again: no one saw it";
  names = outbox_names();
  ASSERT_EQ(names.size(), 1u) << "one file for sequence 1, the orphan gone";
  const auto opened = open_file(outbox_files().at(0));
  EXPECT_EQ(opened.manifest.sequence, 1u);
  EXPECT_EQ(ids_of(opened.doc, "cases"), (std::vector<std::int64_t>{a, b})) << "nothing lost with the crash";
}

TEST_F(Outbox, KilledAfterTheCommitBeforeTheRenameTheNextRunFinishesIt) {
  const auto a = register_case(1);
  write_and_die_at(dir, testing::CrashPoint::Recorded);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_EQ(outbox_names().size(), 1u);
  EXPECT_TRUE(outbox_files().empty());

  auto s = admin();
  auto r = write_outbox(s, now_unix());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->recovered, 1);
  EXPECT_EQ(r->bundles, 0) << "the recorded bundle is the one that goes out; nothing else changed";
  const auto files = outbox_files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(outbox_names().size(), 1u);
  const auto opened = open_file(files[0]);
  EXPECT_EQ(opened.manifest.sequence, 1u);
  EXPECT_EQ(ids_of(opened.doc, "cases"), (std::vector<std::int64_t>{a}));
  // The next change gets sequence 2, chained to the recovered bundle.
  register_case(2);
  auto next = write_outbox(s, now_unix());
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->last_sequence, 2u);
  const auto second = open_file(outbox_files().at(1));
  EXPECT_EQ(second.manifest.previous_hash, opened.hash);
}

TEST_F(Outbox, AVisibleFileNoBundleRowNamesIsRemovedBeforeWriting) {
  register_case(1);
  const auto orphan = dir.outbox() / "0000000000000001-00112233445566778899aabbccddeeff.ikb";
  test::write_bytes(orphan, {1, 2, 3});
  test::write_text(dir.outbox() / "..0000000000000001-00112233445566778899aabbccddeeff.ikb.pending.0011223344556677.tmp", "x");
  test::write_text(dir.outbox() / "README", "left alone");
  auto s = admin();
  auto r = write_outbox(s, now_unix());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->recovered, 2);
  EXPECT_FALSE(fs::exists(orphan));
  const auto files = outbox_files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(open_file(files[0]).manifest.sequence, 1u);
  EXPECT_EQ(outbox_names(), sorted({files[0].filename().string(), "README"}));
}

TEST_F(Outbox, ABundleWhoseFileVanishedIsLostAndItsRecordsAreSentAgain) {
  const auto a = register_case(1);
  auto s = admin();
  ASSERT_TRUE(write_outbox(s, now_unix()));
  ASSERT_EQ(outbox_files().size(), 1u);
  fs::remove(outbox_files()[0]);
  auto r = write_outbox(s, now_unix());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->lost, 1);
  EXPECT_EQ(r->bundles, 1);
  EXPECT_EQ(r->last_sequence, 2u) << "a sequence is never reused once recorded";
  const auto opened = open_file(outbox_files().at(0));
  EXPECT_EQ(ids_of(opened.doc, "cases"), (std::vector<std::int64_t>{a}));
  auto sum = outbox_summary(s);
  ASSERT_TRUE(sum);
  EXPECT_EQ(sum->pending, 1);
}

}  // namespace
}  // namespace ik::sync::testing
