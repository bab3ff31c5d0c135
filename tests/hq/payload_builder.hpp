#pragma once
// Synthetic devices and bundles for HQ's tests and benchmarks: payload JSON in the shape of
// docs/bundle-format.md (payload kind 1), sealed with the real crypto::seal_bundle. Every value
// is made up.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/bundle.hpp"
#include "crypto/keys.hpp"

namespace ik::test {

using nlohmann::json;

inline std::string hex_of(std::uint64_t seed, std::size_t digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  std::uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
  while (out.size() < digits) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 29;
    out.push_back(kHex[x & 15]);
  }
  return out;
}

inline json make_case(std::int64_t id, std::int64_t updated_at, bool purged = false) {
  json person = {{"given_name", purged ? json(nullptr) : json("Synthetic")},
                 {"family_name", purged ? json(nullptr) : json("Person " + std::to_string(id))},
                 {"alias", nullptr},
                 {"gender", id % 2 == 0 ? "female" : "male"},
                 {"birth_date", purged ? json(nullptr) : json("1999-04-02")},
                 {"age_estimate", purged ? json(26) : json(nullptr)},
                 {"citizenship", "UZ"},
                 {"languages", "uzb,rus"},
                 {"marital_status", nullptr},
                 {"education", nullptr},
                 {"phone", purged ? json(nullptr) : json("+99450000" + std::to_string(1000 + id % 9000))}};
  return json{
      {"id", id},
      {"case_number", "SH-2026-" + std::to_string(10000 + id)},
      {"origin", "shelter"},
      {"status", purged ? "closed" : "active"},
      {"risk_level", "high"},
      {"is_witness", false},
      {"protection_measures", nullptr},
      {"scope", "international"},
      {"repatriation_status", "requested"},
      {"repatriation_destination", "UZ"},
      {"needs", "medical,legal"},
      {"intake_source", "police"},
      {"notes", purged ? json(nullptr) : json("synthetic note")},
      {"opened_at", 1764300000 + id},
      {"closed_at", purged ? json(1764390000) : json(nullptr)},
      {"updated_at", updated_at},
      {"purged", purged},
      {"person", person},
      {"consents", json::array({{{"kind", "manage_data"}, {"granted", true}, {"given_on", "2026-11-20"}}})},
      {"exploitation",
       {{"types", "forced_labour"},
        {"labour_sector", "construction"},
        {"sexual_exploitation", nullptr},
        {"means_of_control", "debt_bondage"},
        {"recruitment", "job_offer"},
        {"recruiter_relation", "acquaintance"},
        {"countries_origin", "UZ"},
        {"countries_transit", "KZ,RU"},
        {"countries_exploitation", "AZ"},
        {"started_on", nullptr},
        {"ended_on", nullptr}}},
      {"referrals", json::array({{{"id", id * 10},
                                   {"direction", "outgoing"},
                                   {"organisation_type", "legal_aid"},
                                   {"organisation", "Synthetic Legal Aid"},
                                   {"status", "pending"},
                                   {"reason", purged ? json(nullptr) : json("synthetic reason")},
                                   {"created_at", 1764300100},
                                   {"updated_at", 1764300100}}})},
      {"stays", json::array({{{"id", id * 10},
                               {"bed", "W-03"},
                               {"wing", "women"},
                               {"admitted_at", 1764300200},
                               {"discharged_at", nullptr},
                               {"discharge_reason", nullptr}}})},
      {"services", json::array({{{"id", id * 10}, {"type", "medical"}, {"given_on", "2026-11-21"},
                                 {"note", purged ? json(nullptr) : json("synthetic")}}})},
  };
}

inline json make_call(std::int64_t id, std::int64_t updated_at, bool purged = false) {
  return json{{"id", id},
              {"started_at", 1764350000 + id},
              {"duration_s", 420},
              {"channel", "phone"},
              {"caller_type", "victim"},
              {"language", "aze"},
              {"region", nullptr},
              {"call_type", "potential_case"},
              {"ilo_indicators", "abuse_of_vulnerability,debt_bondage"},
              {"actions", "referred_le"},
              {"le_referred", true},
              {"le_unit", purged ? json(nullptr) : json("Synthetic unit")},
              {"le_date", "2026-11-22"},
              {"follow_up_due", nullptr},
              {"follow_up_done", false},
              {"case_id", nullptr},
              {"caller_name", purged ? json(nullptr) : json("Synthetic Caller")},
              {"phone", nullptr},
              {"notes", nullptr},
              {"updated_at", updated_at},
              {"purged", purged}};
}

inline json make_bed(const std::string& label, bool active = true) {
  return json{{"label", label}, {"wing", "women"}, {"active", active}};
}

inline json make_audit(std::int64_t seq, std::uint64_t variant = 0) {
  return json{{"seq", seq},
              {"at", 1764390000 + seq},
              {"actor_id", 2},
              {"actor_name", "Synthetic Officer"},
              {"action", "case.update"},
              {"entity", "case"},
              {"entity_id", 12},
              {"detail", "status"},
              {"prev_hash", hex_of(static_cast<std::uint64_t>(seq) * 7 + variant, 64)},
              {"hash", hex_of(static_cast<std::uint64_t>(seq) * 7 + 1 + variant, 64)}};
}

inline json make_checkpoint(std::int64_t seq) {
  return json{{"seq", seq}, {"hash", hex_of(static_cast<std::uint64_t>(seq) * 7 + 1, 64)},
              {"signature", hex_of(static_cast<std::uint64_t>(seq), 128)}, {"at", 1764390001 + seq}};
}

inline json make_changes(const crypto::PublicKey& device, std::uint64_t sequence) {
  return json{{"format", "intake-kiosk/changes/v1"}, {"device_key_id", device.id_hex()}, {"sequence", sequence},
              {"created_at", 1764400000},           {"cases", json::array()},          {"calls", json::array()},
              {"beds", json::array()},              {"audit", json::array()},          {"checkpoints", json::array()}};
}

// A device writing bundles in order, as a kiosk's outbox does.
struct SyntheticDevice {
  crypto::KeyPair key = crypto::generate_key_pair(crypto::KeyKind::DeviceSign);
  std::uint64_t next_sequence = 1;
  crypto::Hash previous{};

  std::string id() const { return key.pub.id_hex(); }
  json changes() const { return make_changes(key.pub, next_sequence); }

  // Seals `payload` bytes as the next bundle.
  crypto::SealedBundle seal_bytes(const crypto::PublicKey& hq_seal, const std::string& payload,
                                  std::int64_t created_at = 1764400000) {
    crypto::SealRequest req;
    req.device = &key;
    req.hq_seal = hq_seal;
    req.sequence = next_sequence;
    req.created_at = created_at;
    req.previous_hash = previous;
    req.payload = {reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()};
    auto sealed = crypto::seal_bundle(req);
    if (!sealed) throw std::runtime_error("seal_bundle failed: " + sealed.error().message);
    previous = sealed->hash;
    ++next_sequence;
    return std::move(*sealed);
  }
  crypto::SealedBundle seal(const crypto::PublicKey& hq_seal, const json& payload) {
    return seal_bytes(hq_seal, payload.dump());
  }
};

}  // namespace ik::test
