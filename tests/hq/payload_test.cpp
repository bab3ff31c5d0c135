// The payload quarantine on its own: limits enforced while parsing, and the members HQ reads
// checked for presence and type before any import begins.
#include "hq/payload.hpp"

#include <gtest/gtest.h>

#include "tests/hq/payload_builder.hpp"

namespace ik::test {
namespace {

core::Result<hq::ChangesPayload> parse(const json& doc, const std::string& device, std::uint64_t seq) {
  const auto text = doc.dump();
  return hq::parse_changes({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, device, seq);
}

json base() {
  return json{{"format", "intake-kiosk/changes/v1"}, {"device_key_id", "0123456789abcdef"}, {"sequence", 7}};
}

TEST(Payload, MinimalDocumentGetsEmptyArrays) {
  auto p = parse(base(), "0123456789abcdef", 7);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(p->cases().is_array());
  EXPECT_EQ(p->record_count(), 0u);
  auto with = base();
  with["unknown_member"] = {{"anything", 1}};  // ignored, as the spec says
  with["created_at"] = 1764400000;
  auto q = parse(with, "0123456789abcdef", 7);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->created_at, 1764400000);
}

TEST(Payload, LimitsAreEnforced) {
  auto long_key = base();
  long_key[std::string(4097, 'k')] = 1;
  auto p = parse(long_key, "0123456789abcdef", 7);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("4096"), std::string::npos);

  auto at_limit = base();
  at_limit["cases"] = json::array({make_case(1, 1)});
  at_limit["cases"][0]["notes"] = std::string(4096, 'n');
  EXPECT_TRUE(parse(at_limit, "0123456789abcdef", 7));

  auto big = base();
  big["extra"] = json::array();
  for (int i = 0; i <= 100'000; ++i) big["extra"].push_back(0);
  auto q = parse(big, "0123456789abcdef", 7);
  ASSERT_FALSE(q);
  EXPECT_NE(q.error().message.find("100000"), std::string::npos) << q.error().message;
}

TEST(Payload, TypesOfTheMembersHqReads) {
  struct Case {
    const char* what;
    std::function<void(json&)> edit;
    bool ok;
  } cases[] = {
      {"null optional member", [](json& d) { d["cases"][0]["risk_level"] = nullptr; }, true},
      {"float id", [](json& d) { d["cases"][0]["id"] = 1.5; }, false},
      {"zero id", [](json& d) { d["cases"][0]["id"] = 0; }, false},
      {"huge integer", [](json& d) { d["cases"][0]["opened_at"] = 18446744073709551615ULL; }, false},
      {"negative duration", [](json& d) { d["calls"] = json::array({make_call(1, 1)}); d["calls"][0]["duration_s"] = -1; }, false},
      {"person not an object", [](json& d) { d["cases"][0]["person"] = "x"; }, false},
      {"consent granted as string", [](json& d) { d["cases"][0]["consents"][0]["granted"] = "yes"; }, false},
      {"referral ids repeat", [](json& d) { d["cases"][0]["referrals"].push_back(d["cases"][0]["referrals"][0]); }, false},
      {"bed label empty", [](json& d) { d["beds"] = json::array({make_bed("")}); }, false},
      {"bed labels repeat", [](json& d) { d["beds"] = json::array({make_bed("A"), make_bed("A")}); }, false},
      {"checkpoint signature short", [](json& d) { d["checkpoints"] = json::array({make_checkpoint(1)}); d["checkpoints"][0]["signature"] = std::string(64, 'a'); }, false},
      {"uppercase hex", [](json& d) { d["audit"] = json::array({make_audit(1)}); d["audit"][0]["hash"] = std::string(64, 'A'); }, false},
      {"sequence as string", [](json& d) { d["sequence"] = "7"; }, false},
      {"top level array", [](json& d) { d = json::array(); }, false},
  };
  for (const auto& c : cases) {
    auto d = base();
    d["cases"] = json::array({make_case(1, 1)});
    c.edit(d);
    auto r = parse(d, "0123456789abcdef", 7);
    EXPECT_EQ(r.has_value(), c.ok) << c.what << (r ? "" : ": " + r.error().message);
  }
}

TEST(Payload, InvalidUtf8AndTrailingGarbageDoNotParse) {
  const std::string bad = R"({"format":"intake-kiosk/changes/v1","device_key_id":"0123456789abcdef","sequence":7,"x":")"
                          "\xff\xfe" R"("})";
  EXPECT_FALSE(hq::parse_changes({reinterpret_cast<const std::uint8_t*>(bad.data()), bad.size()}, "0123456789abcdef", 7));
  const auto ok = base().dump() + " {}";
  EXPECT_FALSE(hq::parse_changes({reinterpret_cast<const std::uint8_t*>(ok.data()), ok.size()}, "0123456789abcdef", 7));
}

}  // namespace
}  // namespace ik::test
