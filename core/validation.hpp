#pragma once
// Field validation shared by the kiosk screens and intakectl. A problem is a FieldError: the
// field's name and an English message that is also its gettext msgid (with "{}" for its one
// argument), so every client shows the same rule in its user's language.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace ik::core {

class IsoCodes;

// English message with the argument filled in (for the CLI and logs; screens translate msgid).
std::string render(const FieldError& e);

// A list of problems, filled by the validators below.
class Validator {
 public:
  explicit Validator(std::int64_t now) : now_(now) {}
  std::int64_t now() const { return now_; }
  const std::vector<FieldError>& errors() const { return errors_; }
  bool ok() const { return errors_.empty(); }
  void add(std::string_view field, std::string_view msgid, std::string arg = {});

  // Text: valid UTF-8, no control characters (newlines only when multiline), at most max_chars.
  void text(std::string_view field, const std::optional<std::string>& value, std::size_t max_chars,
            bool required = false, bool multiline = false);
  void code(std::string_view field, const std::optional<std::string>& value, std::string_view list,
            bool required = false);
  void codes(std::string_view field, std::string_view joined, std::string_view list);
  // "YYYY-MM-DD", a real calendar day, not after today, not before 1900.
  void date(std::string_view field, const std::optional<std::string>& value, bool required = false,
            bool allow_future = false);
  void date_order(std::string_view from_field, const std::optional<std::string>& from,
                  std::string_view to_field, const std::optional<std::string>& to);
  void integer(std::string_view field, const std::optional<std::int64_t>& value, std::int64_t min,
               std::int64_t max, std::string_view msgid);
  void country(std::string_view field, const std::optional<std::string>& value, const IsoCodes& iso);
  void countries(std::string_view field, std::string_view joined, const IsoCodes& iso);
  void languages(std::string_view field, std::string_view joined, const IsoCodes& iso);
  void phone(std::string_view field, const std::optional<std::string>& value);

 private:
  std::int64_t now_;
  std::vector<FieldError> errors_;
};

// Helpers also used by search and services.
bool valid_utf8(std::string_view s);
std::size_t utf8_length(std::string_view s);
std::optional<std::chrono::year_month_day> parse_date(std::string_view s);
std::string today(std::int64_t now);  // local date "YYYY-MM-DD"
// Age in whole years on `now` for a valid birth date.
std::optional<int> age_on(std::string_view birth_date, std::int64_t now);

namespace msg {
inline constexpr std::string_view kRequired = IK_N_("This field is required.");
inline constexpr std::string_view kUnknownCode = IK_N_("Choose one of the listed options.");
inline constexpr std::string_view kBadDate = IK_N_("Enter a date as YYYY-MM-DD.");
inline constexpr std::string_view kFutureDate = IK_N_("This date is in the future.");
inline constexpr std::string_view kTooOldDate = IK_N_("This date is too far in the past.");
inline constexpr std::string_view kDateOrder = IK_N_("This date is before the start date.");
inline constexpr std::string_view kTooLong = IK_N_("At most {} characters.");
inline constexpr std::string_view kControlChars = IK_N_("Control characters are not allowed.");
inline constexpr std::string_view kNotText = IK_N_("This is not valid text.");
inline constexpr std::string_view kUnknownCountry = IK_N_("Unknown country.");
inline constexpr std::string_view kUnknownLanguage = IK_N_("Unknown language.");
inline constexpr std::string_view kBadPhone = IK_N_("Enter a phone number: digits, spaces and + - ( ) only.");
inline constexpr std::string_view kAgeRange = IK_N_("Enter an age between 0 and 120.");
inline constexpr std::string_view kDurationRange = IK_N_("Enter a duration between 0 and 24 hours.");
inline constexpr std::string_view kNoConsentNoIdentity =
    IK_N_("Without consent to manage personal data, leave names, birth date and phone empty.");
inline constexpr std::string_view kConsentRequiredForReferral = IK_N_("The person has not consented to be referred.");
inline constexpr std::string_view kConsentRequiredForLaw =
    IK_N_("The person has not consented to share data with law enforcement.");
inline constexpr std::string_view kBedTaken = IK_N_("This bed is already taken.");
inline constexpr std::string_view kUnknownBed = IK_N_("Unknown bed.");
inline constexpr std::string_view kNameOrAlias = IK_N_("Enter a name or an alias.");
inline constexpr std::string_view kLawUnitRequired = IK_N_("Name the law enforcement unit.");
}  // namespace msg

}  // namespace ik::core
