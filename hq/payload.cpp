#include "hq/payload.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace ik::hq {
namespace {

using nlohmann::json;

// Thrown from the parser callback to stop at the first limit crossed, before the rest of a
// hostile document is built in memory.
struct LimitExceeded {
  std::string message;
};

enum class Type { Str, Int, Bool, Obj, Arr, Hex32, Hex64 };

struct Field {
  std::string_view name;
  Type type;
  bool required = false;  // present and not null
  std::int64_t min = INT64_MIN;  // Int only
};

// The members HQ reads, per record kind (docs/bundle-format.md). Members not listed are ignored
// (the spec says so), but listed ones must have their type: a report must never meet a surprise.
constexpr Field kPersonFields[] = {
    {"given_name", Type::Str},  {"family_name", Type::Str}, {"alias", Type::Str},
    {"gender", Type::Str},      {"birth_date", Type::Str},  {"age_estimate", Type::Int, false, 0},
    {"citizenship", Type::Str}, {"languages", Type::Str},   {"marital_status", Type::Str},
    {"education", Type::Str},   {"phone", Type::Str},
};
constexpr Field kConsentFields[] = {
    {"kind", Type::Str}, {"granted", Type::Bool}, {"given_on", Type::Str}};
constexpr Field kExploitationFields[] = {
    {"types", Type::Str},           {"labour_sector", Type::Str},     {"sexual_exploitation", Type::Str},
    {"means_of_control", Type::Str}, {"recruitment", Type::Str},      {"recruiter_relation", Type::Str},
    {"countries_origin", Type::Str}, {"countries_transit", Type::Str}, {"countries_exploitation", Type::Str},
    {"started_on", Type::Str},      {"ended_on", Type::Str},
};
constexpr Field kReferralFields[] = {
    {"id", Type::Int, true, 1},   {"direction", Type::Str}, {"organisation_type", Type::Str},
    {"organisation", Type::Str},  {"status", Type::Str},    {"reason", Type::Str},
    {"created_at", Type::Int},    {"updated_at", Type::Int},
};
constexpr Field kStayFields[] = {
    {"id", Type::Int, true, 1}, {"bed", Type::Str},           {"wing", Type::Str},
    {"admitted_at", Type::Int}, {"discharged_at", Type::Int}, {"discharge_reason", Type::Str},
};
constexpr Field kServiceFields[] = {
    {"id", Type::Int, true, 1}, {"type", Type::Str}, {"given_on", Type::Str}, {"note", Type::Str}};
constexpr Field kCaseFields[] = {
    {"id", Type::Int, true, 1},
    {"case_number", Type::Str},
    {"origin", Type::Str},
    {"status", Type::Str},
    {"risk_level", Type::Str},
    {"is_witness", Type::Bool},
    {"protection_measures", Type::Str},
    {"scope", Type::Str},
    {"repatriation_status", Type::Str},
    {"repatriation_destination", Type::Str},
    {"needs", Type::Str},
    {"intake_source", Type::Str},
    {"notes", Type::Str},
    {"opened_at", Type::Int},
    {"closed_at", Type::Int},
    {"updated_at", Type::Int, true},
    {"purged", Type::Bool},
    {"purged_at", Type::Int},
    {"person", Type::Obj},
    {"consents", Type::Arr},
    {"exploitation", Type::Obj},
    {"referrals", Type::Arr},
    {"stays", Type::Arr},
    {"services", Type::Arr},
};
constexpr Field kCallFields[] = {
    {"id", Type::Int, true, 1},  {"started_at", Type::Int},      {"duration_s", Type::Int, false, 0},
    {"channel", Type::Str},      {"caller_type", Type::Str},     {"language", Type::Str},
    {"region", Type::Str},       {"call_type", Type::Str},       {"ilo_indicators", Type::Str},
    {"actions", Type::Str},      {"le_referred", Type::Bool},    {"le_unit", Type::Str},
    {"le_date", Type::Str},      {"follow_up_due", Type::Str},   {"follow_up_done", Type::Bool},
    {"case_id", Type::Int},      {"caller_name", Type::Str},     {"phone", Type::Str},
    {"notes", Type::Str},        {"updated_at", Type::Int, true}, {"purged", Type::Bool},
    {"purged_at", Type::Int},
};
constexpr Field kBedFields[] = {{"label", Type::Str, true}, {"wing", Type::Str}, {"active", Type::Bool}};
constexpr Field kAuditFields[] = {
    {"seq", Type::Int, true, 1},  {"at", Type::Int, true},      {"actor_id", Type::Int},
    {"actor_name", Type::Str},    {"action", Type::Str, true},  {"entity", Type::Str},
    {"entity_id", Type::Int},     {"detail", Type::Str},        {"prev_hash", Type::Hex32, true},
    {"hash", Type::Hex32, true},
};
constexpr Field kCheckpointFields[] = {
    {"seq", Type::Int, true, 1}, {"hash", Type::Hex32, true}, {"signature", Type::Hex64, true}, {"at", Type::Int}};

std::string_view type_words(Type t) {
  switch (t) {
    case Type::Str: return "a string";
    case Type::Int: return "an integer";
    case Type::Bool: return "true or false";
    case Type::Obj: return "an object";
    case Type::Arr: return "an array";
    case Type::Hex32: return "64 lowercase hex digits";
    case Type::Hex64: return "128 lowercase hex digits";
  }
  return "?";
}

bool is_lower_hex(const std::string& s, std::size_t len) {
  return s.size() == len && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// An integer that fits int64 (nlohmann keeps large positive values as unsigned).
bool is_int64(const json& v) {
  if (v.is_number_integer() && !v.is_number_unsigned()) return true;
  return v.is_number_unsigned() && v.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX);
}

bool has_type(const json& v, Type t) {
  switch (t) {
    case Type::Str: return v.is_string();
    case Type::Int: return is_int64(v);
    case Type::Bool: return v.is_boolean();
    case Type::Obj: return v.is_object();
    case Type::Arr: return v.is_array();
    case Type::Hex32: return v.is_string() && is_lower_hex(v.get_ref<const std::string&>(), 64);
    case Type::Hex64: return v.is_string() && is_lower_hex(v.get_ref<const std::string&>(), 128);
  }
  return false;
}

class Validator {
 public:
  std::string error;

  bool fields(const json& obj, std::span<const Field> spec, const std::string& where) {
    if (!obj.is_object()) return fail(fmt::format("{} must be an object", where));
    for (const auto& f : spec) {
      const auto it = obj.find(f.name);
      if (it == obj.end() || it->is_null()) {
        if (f.required) return fail(fmt::format("{}.{} is required", where, f.name));
        continue;
      }
      if (!has_type(*it, f.type))
        return fail(fmt::format("{}.{} must be {}{}", where, f.name, type_words(f.type), f.required ? "" : " or null"));
      if (f.type == Type::Int && it->get<std::int64_t>() < f.min)
        return fail(fmt::format("{}.{} must be at least {}", where, f.name, f.min));
    }
    return true;
  }

  // Each element an object of `spec`, and `key` (an id) unique within the array.
  bool array(const json& arr, std::span<const Field> spec, const std::string& where, std::string_view key) {
    if (!arr.is_array()) return fail(fmt::format("{} must be an array", where));
    std::set<std::string> seen;
    for (std::size_t i = 0; i < arr.size(); ++i) {
      const auto at = fmt::format("{}[{}]", where, i);
      if (!fields(arr[i], spec, at)) return false;
      if (key.empty()) continue;
      const auto& k = arr[i][std::string(key)];
      if (!seen.insert(k.is_string() ? k.get<std::string>() : k.dump()).second)
        return fail(fmt::format("{}.{} repeats an earlier entry of the same bundle", at, key));
    }
    return true;
  }

  bool one_case(const json& c, const std::string& where) {
    if (!fields(c, kCaseFields, where)) return false;
    if (auto p = c.find("person"); p != c.end() && !p->is_null() && !fields(*p, kPersonFields, where + ".person"))
      return false;
    if (auto e = c.find("exploitation");
        e != c.end() && !e->is_null() && !fields(*e, kExploitationFields, where + ".exploitation"))
      return false;
    const struct {
      std::string_view name;
      std::span<const Field> spec;
      std::string_view key;
    } subs[] = {{"consents", kConsentFields, ""},
                {"referrals", kReferralFields, "id"},
                {"stays", kStayFields, "id"},
                {"services", kServiceFields, "id"}};
    for (const auto& s : subs) {
      if (auto a = c.find(s.name); a != c.end() && !a->is_null() &&
                                   !array(*a, s.spec, fmt::format("{}.{}", where, s.name), s.key))
        return false;
    }
    return true;
  }

 private:
  bool fail(std::string message) {
    error = std::move(message);
    return false;
  }
};

}  // namespace

std::size_t ChangesPayload::record_count() const {
  return cases().size() + calls().size() + beds().size() + audit().size() + checkpoints().size();
}

core::Result<ChangesPayload> parse_changes(std::span<const std::uint8_t> bytes, std::string_view device_key_id_hex,
                                           std::uint64_t sequence) {
  auto invalid = [](std::string message) {
    return core::fail(core::Errc::Invalid, fmt::format("the payload is not valid changes JSON: {}", message));
  };
  ChangesPayload out;
  // Limits are enforced while parsing: depth on every container start, string length on every
  // key and string value, array size as each array closes.
  const json::parser_callback_t limits = [](int depth, json::parse_event_t event, json& parsed) -> bool {
    using E = json::parse_event_t;
    if ((event == E::object_start || event == E::array_start) && depth >= kMaxJsonDepth)
      throw LimitExceeded{fmt::format("nested deeper than {} levels", kMaxJsonDepth)};
    if ((event == E::key || event == E::value) && parsed.is_string() &&
        parsed.get_ref<const std::string&>().size() > kMaxJsonString)
      throw LimitExceeded{fmt::format("a string is longer than {} bytes", kMaxJsonString)};
    if (event == E::array_end && parsed.size() > kMaxJsonArray)
      throw LimitExceeded{fmt::format("an array has more than {} entries", kMaxJsonArray)};
    return true;
  };
  try {
    const auto* first = reinterpret_cast<const char*>(bytes.data());
    out.doc = json::parse(first, first + bytes.size(), limits, /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const LimitExceeded& e) {
    return invalid(e.message);
  } catch (const json::parse_error& e) {
    // nlohmann's message names a byte position and the kind of token, not the text around it.
    return invalid(fmt::format("it does not parse (byte {})", e.byte));
  } catch (const json::exception&) {
    return invalid("it does not parse");
  }

  auto& doc = out.doc;
  if (!doc.is_object()) return invalid("the top level must be an object");
  {
    auto f = doc.find("format");
    if (f == doc.end() || !f->is_string() || f->get_ref<const std::string&>() != kChangesFormat)
      return invalid(fmt::format("\"format\" must be \"{}\"", kChangesFormat));
    auto d = doc.find("device_key_id");
    if (d == doc.end() || !d->is_string() || d->get_ref<const std::string&>() != device_key_id_hex)
      return invalid("\"device_key_id\" is missing or differs from the signed manifest's");
    auto s = doc.find("sequence");
    if (s == doc.end() || !s->is_number_unsigned() || s->get<std::uint64_t>() != sequence)
      return invalid("\"sequence\" is missing or differs from the signed manifest's");
    if (auto c = doc.find("created_at"); c != doc.end() && !c->is_null()) {
      if (!is_int64(*c)) return invalid("\"created_at\" must be an integer");
      out.created_at = c->get<std::int64_t>();
    }
  }

  Validator v;
  const struct {
    std::string_view name;
    std::span<const Field> spec;
    std::string_view key;
  } arrays[] = {{"cases", kCaseFields, "id"},      {"calls", kCallFields, "id"},
                {"beds", kBedFields, "label"},     {"audit", kAuditFields, "seq"},
                {"checkpoints", kCheckpointFields, "seq"}};
  for (const auto& a : arrays) {
    auto it = doc.find(a.name);
    if (it == doc.end() || it->is_null()) {
      doc[std::string(a.name)] = json::array();
      continue;
    }
    if (a.name == "cases") {
      if (!it->is_array()) return invalid("\"cases\" must be an array");
      std::set<std::int64_t> ids;
      for (std::size_t i = 0; i < it->size(); ++i) {
        const auto where = fmt::format("cases[{}]", i);
        if (!v.one_case((*it)[i], where)) return invalid(v.error);
        if (!ids.insert((*it)[i]["id"].get<std::int64_t>()).second)
          return invalid(fmt::format("{}.id repeats an earlier entry of the same bundle", where));
      }
    } else if (!v.array(*it, a.spec, std::string(a.name), a.key)) {
      return invalid(v.error);
    }
  }
  for (const auto& bed : doc["beds"]) {
    const auto& label = bed["label"].get_ref<const std::string&>();
    if (label.empty() || label.size() > 64) return invalid("a bed label must be 1 to 64 bytes");
  }
  return out;
}

}  // namespace ik::hq
