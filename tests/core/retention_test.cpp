// Retention: closed cases and finished calls that headquarters confirmed, older than N days,
// become non-personal stubs — and nothing else does. The purged names must leave the database
// file itself: the test decrypts every page of intake.db (and its WAL) with the device's key
// and searches the plaintext.
#include <dlfcn.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/calls.hpp"
#include "core/cases.hpp"
#include "core/retention.hpp"
#include "tests/core/fixture.hpp"

namespace ik::core::testing {
namespace {

// --- reading the database file as SQLite sees it -----------------------------------------------
// SQLCipher 3 pages (cipher_compatibility 3, raw 32-byte key, page size 4096): AES-256-CBC over
// the page minus a 48-byte reserve (IV, HMAC-SHA1, padding to the block size); the IV is the
// first 16 bytes of the reserve; page 1 starts encrypting after its 16-byte salt. libcrypto is
// already loaded (SQLCipher uses it), so its EVP functions are looked up at run time.
struct Evp {
  void* (*ctx_new)() = nullptr;
  void (*ctx_free)(void*) = nullptr;
  const void* (*aes_256_cbc)() = nullptr;
  int (*init)(void*, const void*, void*, const unsigned char*, const unsigned char*) = nullptr;
  int (*padding)(void*, int) = nullptr;
  int (*update)(void*, unsigned char*, int*, const unsigned char*, int) = nullptr;
  bool ok() const { return ctx_new && ctx_free && aes_256_cbc && init && padding && update; }
  static Evp load() {
    Evp e;
    e.ctx_new = reinterpret_cast<decltype(e.ctx_new)>(::dlsym(RTLD_DEFAULT, "EVP_CIPHER_CTX_new"));
    e.ctx_free = reinterpret_cast<decltype(e.ctx_free)>(::dlsym(RTLD_DEFAULT, "EVP_CIPHER_CTX_free"));
    e.aes_256_cbc = reinterpret_cast<decltype(e.aes_256_cbc)>(::dlsym(RTLD_DEFAULT, "EVP_aes_256_cbc"));
    e.init = reinterpret_cast<decltype(e.init)>(::dlsym(RTLD_DEFAULT, "EVP_DecryptInit_ex"));
    e.padding = reinterpret_cast<decltype(e.padding)>(::dlsym(RTLD_DEFAULT, "EVP_CIPHER_CTX_set_padding"));
    e.update = reinterpret_cast<decltype(e.update)>(::dlsym(RTLD_DEFAULT, "EVP_DecryptUpdate"));
    return e;
  }
};

constexpr std::size_t kPage = 4096, kReserve = 48, kSalt = 16;

// Appends the plaintext of one encrypted page (page number `pgno`) to `out`.
void decrypt_page(const Evp& evp, const std::vector<std::uint8_t>& key, const std::uint8_t* page, std::uint32_t pgno,
                  std::vector<std::uint8_t>& out) {
  const std::size_t start = pgno == 1 ? kSalt : 0;
  const std::size_t len = kPage - kReserve - start;
  const std::uint8_t* iv = page + kPage - kReserve;
  std::vector<std::uint8_t> plain(len + 32);
  void* ctx = evp.ctx_new();
  int n = 0;
  evp.init(ctx, evp.aes_256_cbc(), nullptr, key.data(), iv);
  evp.padding(ctx, 0);
  evp.update(ctx, plain.data(), &n, page + start, static_cast<int>(len));
  evp.ctx_free(ctx);
  out.insert(out.end(), plain.begin(), plain.begin() + n);
}

// Every page of the database file and every frame of its WAL, decrypted.
std::vector<std::uint8_t> plaintext_of(const DataDir& dir, const std::vector<std::uint8_t>& key) {
  const Evp evp = Evp::load();
  EXPECT_TRUE(evp.ok()) << "libcrypto's EVP functions are not loaded";
  std::vector<std::uint8_t> out;
  if (!evp.ok()) return out;
  const auto db = test::read_bytes(dir.database());
  EXPECT_EQ(db.size() % kPage, 0u);
  for (std::size_t off = 0; off + kPage <= db.size(); off += kPage)
    decrypt_page(evp, key, db.data() + off, static_cast<std::uint32_t>(off / kPage + 1), out);
  const auto wal_path = dir.database().string() + "-wal";
  if (std::filesystem::exists(wal_path)) {
    const auto wal = test::read_bytes(wal_path);
    for (std::size_t off = 32; off + 24 + kPage <= wal.size(); off += 24 + kPage) {
      const std::uint32_t pgno = (std::uint32_t{wal[off]} << 24) | (std::uint32_t{wal[off + 1]} << 16) |
                                 (std::uint32_t{wal[off + 2]} << 8) | wal[off + 3];
      decrypt_page(evp, key, wal.data() + off + 24, pgno, out);
    }
  }
  return out;
}

// Byte-exact search. (test::contains compares unsigned bytes with plain chars, so it never finds
// a needle that has a non-ASCII byte — every UTF-8 name — and must not be used for this.)
bool has_bytes(const std::vector<std::uint8_t>& haystack, std::string_view needle) {
  const auto* n = reinterpret_cast<const std::uint8_t*>(needle.data());
  return std::search(haystack.begin(), haystack.end(), n, n + needle.size()) != haystack.end();
}

// The raw bytes of the files as they lie on disk.
std::vector<std::uint8_t> raw_files(const DataDir& dir) {
  auto bytes = test::read_bytes(dir.database());
  const auto wal_path = dir.database().string() + "-wal";
  if (std::filesystem::exists(wal_path)) {
    const auto wal = test::read_bytes(wal_path);
    bytes.insert(bytes.end(), wal.begin(), wal.end());
  }
  return bytes;
}

// The purged person: names used nowhere else in this file.
constexpr std::string_view kFamily = "Sınaqzadə", kGiven = "Fiktivə", kAlias = "Uydurma Ləqəb",
                           kPhone = "+994 51 987 65 43", kNotes = "Nümunə qeydi", kServiceNote = "Xidmət sınağı",
                           kReason = "Səbəb nümunəsi";
// How the search index spells them.
const std::vector<std::string> kTraces{std::string(kFamily), std::string(kGiven),  std::string(kAlias),
                                       std::string(kPhone),  std::string(kNotes),  std::string(kServiceNote),
                                       std::string(kReason), "sinaqzade",          "sinaqzada",
                                       "fiktive",            "fiktiva",            "uydurma",
                                       "994519876543",       "519876543",          "Nümunə qeydi"};

struct RetentionFixture : RecordsFixture {
  std::int64_t purged = 0, open_case = 0, unconfirmed = 0, changed = 0, late_service = 0;
  std::int64_t t0 = 0;

  std::int64_t register_one(IntakeForm f, bool via_draft = false) {
    auto o = officer();
    IntakeService intake(o);
    std::int64_t draft = 0;
    if (via_draft) {
      auto d = intake.save_draft(0, f, IntakeStep::Review);
      EXPECT_TRUE(d);
      draft = d.value_or(0);
    }
    auto id = intake.register_intake(f, draft);
    EXPECT_TRUE(id) << id.error().message;
    return id.value_or(0);
  }

  void SetUp() override {
    RecordsFixture::SetUp();
    if (HasFatalFailure()) return;
    t0 = now_unix();
    IntakeForm p = sample_intake(IntakeStep::StatusSource, std::string(kFamily), std::string(kGiven), 1);
    p.person.alias = std::string(kAlias);
    p.person.phone = std::string(kPhone);
    p.person.birth_date = "1990-04-02";
    p.person.age_estimate.reset();
    p.person.gender = "female";
    p.person.citizenship = "UZ";
    p.notes = std::string(kNotes);
    {
      auto o = officer();
      p.bed_id = bed_id(o, "W-07");
    }
    purged = register_one(p, /*via_draft=*/true);
    open_case = register_one(sample_intake(IntakeStep::StatusSource, "Sınaqova", "Leyla", 2));
    unconfirmed = register_one(sample_intake(IntakeStep::StatusSource, "Примерова", "Ольга", 3));
    changed = register_one(sample_intake(IntakeStep::StatusSource, "Nümunəova", "Günay", 4));
    late_service = register_one(sample_intake(IntakeStep::StatusSource, "Örnəkova", "Aysel", 5));
    ASSERT_TRUE(purged && open_case && unconfirmed && changed && late_service);
    auto c = coordinator();
    CaseService cases(c);
    ASSERT_TRUE(cases.add_service(purged, {"legal", std::string("2025-01-10"), std::string(kServiceNote)}));
    ASSERT_TRUE(cases.refer(purged, {"legal", std::string("Nümunə legal aid"), std::string(kReason)}));
    ASSERT_TRUE(BedService(c).release(purged, "reintegration"));
    for (auto id : {purged, unconfirmed, changed, late_service}) ASSERT_TRUE(cases.set_status(id, "closed"));
  }

  // Waits until the clock has moved on from `t` (unix seconds).
  static void wait_past(std::int64_t t) {
    while (now_unix() <= t) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  static std::vector<std::int64_t> found(Session& s, const std::string& text) {
    auto page = CaseService(s).list({.status = std::nullopt, .text = text}, 0, 100);
    EXPECT_TRUE(page) << page.error().message;
    std::vector<std::int64_t> ids;
    if (page)
      for (const auto& i : page->items) ids.push_back(i.id);
    return ids;
  }
};

TEST_F(RetentionFixture, OnlyConfirmedOldClosedUnchangedCasesArePurged) {
  auto c = coordinator();
  CaseService cases(c);
  const auto confirmed_at = now_unix();
  ASSERT_TRUE(confirm_received_by_hq(c, {purged, open_case, changed}, {}, confirmed_at));
  wait_past(confirmed_at);
  ASSERT_TRUE(cases.set_risk(changed, "low")) << "changed after headquarters' confirmation";
  const auto before = cases.open(purged);
  ASSERT_TRUE(before);
  // Too recent: nothing is old enough yet.
  auto early = apply_retention(c, 30, now_unix() + 10 * 86400);
  ASSERT_TRUE(early) << early.error().message;
  EXPECT_EQ(early->cases_purged, 0);
  // Old enough: only the closed, confirmed, unchanged case.
  auto late = apply_retention(c, 30, now_unix() + 31 * 86400);
  ASSERT_TRUE(late) << late.error().message;
  EXPECT_EQ(late->cases_purged, 1);
  auto again = apply_retention(c, 30, now_unix() + 31 * 86400);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->cases_purged, 0) << "a stub is purged once";

  auto d = cases.open(purged);
  ASSERT_TRUE(d) << d.error().message;
  // Gone: everything that identifies her.
  EXPECT_FALSE(d->person.given_name);
  EXPECT_FALSE(d->person.family_name);
  EXPECT_FALSE(d->person.alias);
  EXPECT_FALSE(d->person.birth_date);
  EXPECT_FALSE(d->person.phone);
  EXPECT_FALSE(d->record.notes);
  EXPECT_FALSE(d->record.protection_measures);
  ASSERT_EQ(d->services.size(), 1u);
  EXPECT_FALSE(d->services[0].note);
  for (const auto& r : d->referrals) EXPECT_FALSE(r.reason);
  EXPECT_TRUE(d->record.purged_at);
  // Kept: what reports need.
  EXPECT_EQ(d->record.case_number, before->record.case_number);
  EXPECT_EQ(d->record.status, "closed");
  EXPECT_EQ(d->person.gender, "female");
  EXPECT_EQ(d->person.citizenship, "UZ");
  EXPECT_EQ(d->person.languages, "aze,rus");
  ASSERT_TRUE(d->person.age_estimate) << "the age at intake survives the birth date";
  EXPECT_EQ(d->person.age_estimate, age_on("1990-04-02", before->record.opened_at));
  EXPECT_EQ(d->services[0].type, "legal");
  ASSERT_TRUE(d->exploitation);
  EXPECT_EQ(d->exploitation->types, "forced_labour,sexual");
  EXPECT_EQ(d->consents.size(), 3u);
  EXPECT_EQ(d->stays.size(), 1u);
  EXPECT_EQ(cases.reveal_name(purged).value_or("?"), "");
  // Not purged: open, unconfirmed, changed after confirmation.
  for (auto id : {open_case, unconfirmed, changed}) {
    auto k = cases.open(id);
    ASSERT_TRUE(k);
    EXPECT_FALSE(k->record.purged_at) << id;
    EXPECT_TRUE(k->person.family_name) << id;
    EXPECT_TRUE(k->person.phone) << id;
    EXPECT_TRUE(k->record.notes) << id;
  }
  // Search no longer finds her; it finds the others.
  for (const auto& q : {std::string(kFamily), std::string("sinaqzada"), std::string(kGiven), std::string("Uydurma"),
                        std::string(kPhone), std::string("0519876543")})
    EXPECT_TRUE(found(c, q).empty()) << q;
  EXPECT_EQ(found(c, "Примерова"), std::vector<std::int64_t>{unconfirmed});
  EXPECT_EQ(found(c, "Nümunəova"), std::vector<std::int64_t>{changed});
  c.lock();
  auto au = auditor();
  EXPECT_EQ(count_audit(whole_audit_log(au), "retention_purge", "device", 0, "cases=1 calls=0 drafts=0"), 1);
}

TEST_F(RetentionFixture, AServiceAddedAfterConfirmationKeepsTheCase) {
  // Headquarters confirmed the case, then a service with a note was added: headquarters never
  // received that note, so the case must not be purged (core/retention.hpp: "Nothing that HQ has
  // not confirmed is ever purged").
  auto c = coordinator();
  CaseService cases(c);
  const auto confirmed_at = now_unix();
  ASSERT_TRUE(confirm_received_by_hq(c, {late_service}, {}, confirmed_at));
  wait_past(confirmed_at);
  ASSERT_TRUE(cases.add_service(late_service, {"medical", today(now_unix()), std::string("Added after the receipt.")}));
  auto r = apply_retention(c, 30, now_unix() + 31 * 86400);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->cases_purged, 0) << "a case with data headquarters never received was purged";
  auto d = cases.open(late_service);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->record.purged_at);
}

TEST_F(RetentionFixture, PurgedNamesLeaveTheDatabaseFile) {
  std::vector<std::uint8_t> key;
  {
    auto c = coordinator();
    key.assign(c.database_key().data(), c.database_key().data() + c.database_key().size());
    ASSERT_EQ(key.size(), 32u);
  }
  // With every session closed: the files on disk are encrypted, and decrypted they hold her
  // name (so the check below can fail).
  {
    const auto raw = raw_files(dir);
    for (const auto& t : kTraces) EXPECT_FALSE(has_bytes(raw, t)) << "plaintext in the raw file";
    const auto plain = plaintext_of(dir, key);
    ASSERT_GT(plain.size(), 16u);
    // Page 1 decrypted: the page size (4096, big-endian) at offset 16 of the header, 64/32/32 after.
    EXPECT_EQ(plain[0], 0x10);
    EXPECT_EQ(plain[1], 0x00);
    EXPECT_EQ(plain[4], kReserve);
    EXPECT_EQ(plain[5], 64);
    EXPECT_EQ(plain[6], 32);
    EXPECT_EQ(plain[7], 32);
    for (const auto& t : kTraces)
      EXPECT_TRUE(has_bytes(plain, t)) << "before the purge every trace is in the file, else the check proves nothing";
  }
  {
    auto c = coordinator();
    ASSERT_TRUE(confirm_received_by_hq(c, {purged}, {}, now_unix()));
    auto r = apply_retention(c, 30, now_unix() + 31 * 86400);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->cases_purged, 1);
  }
  const auto raw = raw_files(dir);
  for (const auto& t : kTraces) EXPECT_FALSE(has_bytes(raw, t));
  const auto plain = plaintext_of(dir, key);
  ASSERT_GT(plain.size(), 4096u);
  for (const auto& t : kTraces) EXPECT_FALSE(has_bytes(plain, t)) << "a trace of the purged person is still in the file";
  // The others are still there, as they should be.
  EXPECT_TRUE(has_bytes(plain, "Примерова"));
}

TEST_F(RetentionFixture, RetentionDaysMustBeSensible) {
  auto c = coordinator();
  ASSERT_TRUE(confirm_received_by_hq(c, {purged}, {}, now_unix()));
  for (int days : {0, -5, 3651}) {
    auto r = apply_retention(c, days, now_unix() + 4000LL * 86400);
    ASSERT_FALSE(r) << days;
    EXPECT_EQ(r.error().code, Errc::Invalid);
  }
  EXPECT_FALSE(CaseService(c).open(purged)->record.purged_at);
  c.lock();
  auto locked = apply_retention(c, 30, now_unix());
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, Errc::PermissionDenied);
}

// --- calls ------------------------------------------------------------------------------------

TEST_F(StaffFixture, CallsArePurgedOnlyWhenFinishedConfirmedAndOld) {
  CallForm base;
  base.started_at = now_unix() - 300;
  base.duration_s = 240;
  base.caller_type = "potential_victim";
  base.caller_name = "Fiktiv Zəngçi";
  base.phone = "+994 55 321 00 99";
  base.notes = "Synthetic call notes.";
  base.language = "aze";
  base.region = "Gəncə";
  base.call_type = "crisis";
  base.ilo_indicators = "deception";
  base.le_referred = true;
  base.le_unit = "Nümunə unit";
  base.le_date = today(now_unix());
  std::int64_t finished = 0, open_follow_up = 0, done_follow_up = 0, not_confirmed = 0;
  {
    auto h = hotline();
    CallService calls(h);
    finished = *calls.log_call(base);
    CallForm f = base;
    f.follow_up_due = today(now_unix() + 7 * 86400);
    open_follow_up = *calls.log_call(f);
    done_follow_up = *calls.log_call(f);
    ASSERT_TRUE(calls.complete_follow_up(done_follow_up));
    not_confirmed = *calls.log_call(base);
    ASSERT_TRUE(confirm_received_by_hq(h, {}, {finished, open_follow_up, done_follow_up}, now_unix()));
    auto early = apply_retention(h, 30, now_unix() + 10 * 86400);
    ASSERT_TRUE(early);
    EXPECT_EQ(early->calls_purged, 0) << "too recent";
    auto r = apply_retention(h, 30, now_unix() + 31 * 86400);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->calls_purged, 2);
    EXPECT_EQ(r->cases_purged, 0);
  }
  auto h = hotline();
  CallService calls(h);
  for (auto id : {finished, done_follow_up}) {
    auto c = calls.open(id);
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->purged_at) << id;
    EXPECT_FALSE(c->caller_name);
    EXPECT_FALSE(c->phone);
    EXPECT_FALSE(c->notes);
    EXPECT_FALSE(c->le_unit);
    // Kept: codes and moments.
    EXPECT_EQ(c->caller_type, "potential_victim");
    EXPECT_EQ(c->call_type, "crisis");
    EXPECT_EQ(c->ilo_indicators, "deception");
    EXPECT_EQ(c->language, "aze");
    EXPECT_EQ(c->started_at, base.started_at);
    EXPECT_EQ(c->duration_s, 240);
    EXPECT_TRUE(c->le_referred);
    EXPECT_EQ(c->le_date, base.le_date);
  }
  for (auto id : {open_follow_up, not_confirmed}) {
    auto c = calls.open(id);
    ASSERT_TRUE(c);
    EXPECT_FALSE(c->purged_at) << id;
    EXPECT_TRUE(c->caller_name) << id;
    EXPECT_TRUE(c->phone) << id;
    EXPECT_TRUE(c->notes) << id;
  }
}

}  // namespace
}  // namespace ik::core::testing
