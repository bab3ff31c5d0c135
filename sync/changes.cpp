#include "sync/changes.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <new>

#include <fmt/format.h>

#include "crypto/keys.hpp"

namespace ik::sync {

// --- SecureText ----------------------------------------------------------------------------------

void SecureText::reserve(std::size_t extra) {
  if (used_ + extra <= buf_.size()) return;
  std::size_t cap = std::max<std::size_t>(buf_.size(), 64 * 1024);
  while (cap < used_ + extra) cap *= 2;
  crypto::SecureBuffer bigger(cap);
  if (used_ > 0) std::memcpy(bigger.data(), buf_.data(), used_);
  buf_ = std::move(bigger);  // the old buffer is wiped as it is released
}

void SecureText::append(std::string_view s) {
  if (s.empty()) return;
  reserve(s.size());
  std::memcpy(buf_.data() + used_, s.data(), s.size());
  used_ += s.size();
}

void SecureText::push(char c) {
  reserve(1);
  buf_.data()[used_++] = static_cast<std::uint8_t>(c);
}

crypto::SecureBuffer SecureText::take() {
  buf_.truncate(used_);
  used_ = 0;
  return std::move(buf_);
}

// --- the JSON writer -----------------------------------------------------------------------------

struct ChangesPayload::Json {
  SecureText& out;
  std::size_t& repaired;
  bool first = true;  // no comma before the first member of the current object

  void raw(std::string_view s) { out.append(s); }
  void key(std::string_view k) {
    if (!first) out.push(',');
    first = false;
    out.push('"');
    out.append(k);
    out.append("\":");
  }
  void begin_object() {
    out.push('{');
    first = true;
  }
  void end_object() {
    out.push('}');
    first = false;
  }
  void integer(std::int64_t v) {
    char buf[24];
    auto end = fmt::format_to_n(buf, sizeof buf, "{}", v).out;
    out.append({buf, static_cast<std::size_t>(end - buf)});
  }
  void boolean(bool v) { out.append(v ? "true" : "false"); }

  // Length in bytes of a valid UTF-8 sequence starting at s[i], or 0 when it is not one.
  static std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    std::uint32_t cp = n == 1 ? b : n == 2 ? (b & 0x1Fu) : n == 3 ? (b & 0x0Fu) : (b & 0x07u);
    for (std::size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return 0;
    return n;
  }

  void string(std::string_view s) {
    out.push('"');
    std::size_t kept = 0;  // bytes of the decoded string written so far
    bool repair = false;
    for (std::size_t i = 0; i < s.size();) {
      std::size_t n = utf8_length(s, i);
      std::string_view piece = n ? s.substr(i, n) : std::string_view("\xEF\xBF\xBD");  // U+FFFD
      if (n == 0) repair = true;
      if (kept + piece.size() > kMaxJsonString) {
        repair = true;
        break;
      }
      kept += piece.size();
      i += n ? n : 1;
      if (piece.size() == 1) {
        const auto c = static_cast<unsigned char>(piece[0]);
        switch (c) {
          case '"': out.append("\\\""); continue;
          case '\\': out.append("\\\\"); continue;
          case '\n': out.append("\\n"); continue;
          case '\r': out.append("\\r"); continue;
          case '\t': out.append("\\t"); continue;
          default:
            if (c < 0x20 || c == 0x7F) {
              char buf[8];
              auto end = fmt::format_to_n(buf, sizeof buf, "\\u{:04x}", c).out;
              out.append({buf, static_cast<std::size_t>(end - buf)});
              continue;
            }
        }
      }
      out.append(piece);
    }
    out.push('"');
    if (repair) ++repaired;
  }
  void opt(const std::optional<std::string>& v) {
    if (v) string(*v);
    else raw("null");
  }
  void opt(const std::optional<std::int64_t>& v) {
    if (v) integer(*v);
    else raw("null");
  }
  void hex(std::span<const std::uint8_t> bytes) {
    out.push('"');
    static constexpr char kDigits[] = "0123456789abcdef";
    for (auto b : bytes) {
      out.push(kDigits[b >> 4]);
      out.push(kDigits[b & 0xF]);
    }
    out.push('"');
  }

  // Members, in the order the spec shows them.
  void field(std::string_view k, std::string_view v) {
    key(k);
    string(v);
  }
  void field(std::string_view k, const std::string& v) { field(k, std::string_view(v)); }
  void field(std::string_view k, const std::optional<std::string>& v) {
    key(k);
    opt(v);
  }
  void field(std::string_view k, const std::optional<std::int64_t>& v) {
    key(k);
    opt(v);
  }
  void field(std::string_view k, std::int64_t v) {
    key(k);
    integer(v);
  }
  void flag(std::string_view k, bool v) {
    key(k);
    boolean(v);
  }
};

ChangesPayload::ChangesPayload(std::string device_key_id_hex, std::uint64_t sequence, std::int64_t created_at)
    : device_key_id_(std::move(device_key_id_hex)), sequence_(sequence), created_at_(created_at) {}

void ChangesPayload::add_case(const storage::CaseSnapshot& s) {
  if (cases_n_++ > 0) cases_.push(',');
  Json j{cases_, repaired_};
  const auto& c = s.record;
  j.begin_object();
  j.field("id", c.id);
  j.field("case_number", c.case_number);
  j.field("origin", c.origin);
  j.field("status", c.status);
  j.field("risk_level", c.risk_level);
  j.flag("is_witness", c.is_witness);
  j.field("protection_measures", c.protection_measures);
  j.field("scope", c.scope);
  j.field("repatriation_status", c.repatriation_status);
  j.field("repatriation_destination", c.repatriation_destination);
  j.field("needs", c.needs);
  j.field("intake_source", c.intake_source);
  j.field("notes", c.notes);
  j.field("opened_at", c.opened_at);
  j.field("closed_at", c.closed_at);
  j.field("updated_at", c.updated_at);
  j.flag("purged", c.purged_at.has_value());

  const auto& p = s.person;
  j.key("person");
  j.begin_object();
  j.field("given_name", p.given_name);
  j.field("family_name", p.family_name);
  j.field("alias", p.alias);
  j.field("gender", p.gender);
  j.field("birth_date", p.birth_date);
  j.field("age_estimate", p.age_estimate);
  j.field("citizenship", p.citizenship);
  j.field("languages", p.languages);
  j.field("marital_status", p.marital_status);
  j.field("education", p.education);
  j.field("phone", p.phone);
  j.end_object();

  j.key("consents");
  j.raw("[");
  for (std::size_t i = 0; i < s.consents.size(); ++i) {
    if (i) j.raw(",");
    const auto& k = s.consents[i];
    j.begin_object();
    j.field("kind", k.kind);
    j.flag("granted", k.granted);
    j.field("given_on", k.given_on);
    j.end_object();
  }
  j.raw("]");

  j.key("exploitation");
  if (const auto& e = s.exploitation) {
    j.begin_object();
    j.field("types", e->types);
    j.field("labour_sector", e->labour_sector);
    j.field("sexual_exploitation", e->sexual_exploitation);
    j.field("means_of_control", e->means_of_control);
    j.field("recruitment", e->recruitment);
    j.field("recruiter_relation", e->recruiter_relation);
    j.field("countries_origin", e->countries_origin);
    j.field("countries_transit", e->countries_transit);
    j.field("countries_exploitation", e->countries_exploitation);
    j.field("started_on", e->started_on);
    j.field("ended_on", e->ended_on);
    j.end_object();
  } else {
    j.raw("null");
  }

  j.key("referrals");
  j.raw("[");
  for (std::size_t i = 0; i < s.referrals.size(); ++i) {
    if (i) j.raw(",");
    const auto& r = s.referrals[i];
    j.begin_object();
    j.field("id", r.id);
    j.field("direction", r.direction);
    j.field("organisation_type", r.organisation_type);
    j.field("organisation", r.organisation);
    j.field("status", r.status);
    j.field("reason", r.reason);
    j.field("created_at", r.created_at);
    j.field("updated_at", r.updated_at);
    j.end_object();
  }
  j.raw("]");

  j.key("stays");
  j.raw("[");
  for (std::size_t i = 0; i < s.stays.size(); ++i) {
    if (i) j.raw(",");
    const auto& st = s.stays[i];
    j.begin_object();
    j.field("id", st.stay.id);
    j.field("bed", st.bed_label);
    j.field("wing", st.wing);
    j.field("admitted_at", st.stay.admitted_at);
    j.field("discharged_at", st.stay.discharged_at);
    j.field("discharge_reason", st.stay.discharge_reason);
    j.end_object();
  }
  j.raw("]");

  j.key("services");
  j.raw("[");
  for (std::size_t i = 0; i < s.services.size(); ++i) {
    if (i) j.raw(",");
    const auto& sv = s.services[i];
    j.begin_object();
    j.field("id", sv.id);
    j.field("type", sv.type);
    j.field("given_on", sv.given_on);
    j.field("note", sv.note);
    j.end_object();
  }
  j.raw("]");
  j.end_object();
}

void ChangesPayload::add_call(const storage::CallRecord& c) {
  if (calls_n_++ > 0) calls_.push(',');
  Json j{calls_, repaired_};
  j.begin_object();
  j.field("id", c.id);
  j.field("started_at", c.started_at);
  j.field("duration_s", c.duration_s);
  j.field("channel", c.channel);
  j.field("caller_type", c.caller_type);
  j.field("language", c.language);
  j.field("region", c.region);
  j.field("call_type", c.call_type);
  j.field("ilo_indicators", c.ilo_indicators);
  j.field("actions", c.actions);
  j.flag("le_referred", c.le_referred);
  j.field("le_unit", c.le_unit);
  j.field("le_date", c.le_date);
  j.field("follow_up_due", c.follow_up_due);
  j.flag("follow_up_done", c.follow_up_done);
  j.field("case_id", c.case_id);
  j.field("caller_name", c.caller_name);
  j.field("phone", c.phone);
  j.field("notes", c.notes);
  j.field("updated_at", c.updated_at);
  j.flag("purged", c.purged_at.has_value());
  j.end_object();
}

void ChangesPayload::add_bed(const storage::BedRecord& b) {
  if (beds_n_++ > 0) beds_.push(',');
  Json j{beds_, repaired_};
  j.begin_object();
  j.field("label", b.label);
  j.field("wing", b.wing);
  j.flag("active", b.active);
  j.end_object();
}

void ChangesPayload::add_audit(const storage::AuditRecord& a) {
  if (audit_n_++ > 0) audit_.push(',');
  Json j{audit_, repaired_};
  j.begin_object();
  j.field("seq", a.seq);
  j.field("at", a.at);
  j.field("actor_id", a.actor_id);
  j.field("actor_name", a.actor_name);
  j.field("action", a.action);
  j.field("entity", a.entity);
  j.field("entity_id", a.entity_id);
  j.field("detail", a.detail);
  j.key("prev_hash");
  j.hex(a.prev_hash);
  j.key("hash");
  j.hex(a.hash);
  j.end_object();
}

void ChangesPayload::add_checkpoint(const storage::CheckpointRecord& c) {
  if (checkpoints_n_++ > 0) checkpoints_.push(',');
  Json j{checkpoints_, repaired_};
  j.begin_object();
  j.field("seq", c.seq);
  j.key("hash");
  j.hex(c.hash);
  j.key("signature");
  j.hex(c.signature);
  j.field("at", c.at);
  j.end_object();
}

std::size_t ChangesPayload::largest_array() const {
  return std::max({cases_n_, calls_n_, beds_n_, audit_n_, checkpoints_n_});
}

std::size_t ChangesPayload::bytes() const {
  // The head ("format", ids, sequence, time, array names) is under 256 bytes.
  return 256 + cases_.size() + calls_.size() + beds_.size() + audit_.size() + checkpoints_.size();
}

crypto::SecureBuffer ChangesPayload::finish() {
  SecureText out;
  Json j{out, repaired_};
  j.begin_object();
  j.field("format", kChangesFormat);
  j.field("device_key_id", device_key_id_);
  j.field("sequence", static_cast<std::int64_t>(sequence_));
  j.field("created_at", created_at_);
  for (auto [name, part] : {std::pair<std::string_view, SecureText*>{"cases", &cases_},
                            {"calls", &calls_},
                            {"beds", &beds_},
                            {"audit", &audit_},
                            {"checkpoints", &checkpoints_}}) {
    j.key(name);
    out.push('[');
    out.append(part->view());
    out.push(']');
    part->take();  // released (and wiped) now, not kept until the payload object dies
  }
  j.end_object();
  cases_n_ = calls_n_ = beds_n_ = audit_n_ = checkpoints_n_ = 0;
  return out.take();
}

// --- scrubbing -----------------------------------------------------------------------------------

namespace {
void wipe(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
  s.clear();
}
void wipe(std::optional<std::string>& s) {
  if (s) wipe(*s);
  s.reset();
}
}  // namespace

void scrub(storage::CaseSnapshot& s) {
  auto& c = s.record;
  for (auto* t : {&c.case_number, &c.origin, &c.status, &c.risk_level, &c.scope, &c.repatriation_status, &c.needs,
                  &c.intake_source})
    wipe(*t);
  for (auto* t : {&c.protection_measures, &c.repatriation_destination, &c.notes}) wipe(*t);
  auto& p = s.person;
  for (auto* t : {&p.given_name, &p.family_name, &p.alias, &p.birth_date, &p.citizenship, &p.marital_status,
                  &p.education, &p.phone})
    wipe(*t);
  wipe(p.gender);
  wipe(p.languages);
  for (auto& k : s.consents) {
    wipe(k.kind);
    wipe(k.given_on);
  }
  if (auto& e = s.exploitation) {
    for (auto* t : {&e->types, &e->means_of_control, &e->countries_origin, &e->countries_transit,
                    &e->countries_exploitation})
      wipe(*t);
    for (auto* t : {&e->labour_sector, &e->sexual_exploitation, &e->recruitment, &e->recruiter_relation,
                    &e->started_on, &e->ended_on})
      wipe(*t);
  }
  for (auto& r : s.referrals) {
    for (auto* t : {&r.direction, &r.organisation_type, &r.organisation, &r.status}) wipe(*t);
    wipe(r.reason);
  }
  for (auto& st : s.stays) {
    wipe(st.bed_label);
    wipe(st.wing);
    wipe(st.stay.discharge_reason);
  }
  for (auto& sv : s.services) {
    wipe(sv.type);
    wipe(sv.given_on);
    wipe(sv.note);
  }
}

void scrub(storage::CallRecord& c) {
  for (auto* t : {&c.channel, &c.caller_type, &c.call_type, &c.ilo_indicators, &c.actions}) wipe(*t);
  for (auto* t : {&c.language, &c.region, &c.le_unit, &c.le_date, &c.follow_up_due, &c.caller_name, &c.phone, &c.notes})
    wipe(*t);
}

}  // namespace ik::sync
