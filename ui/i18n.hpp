#pragma once
// Every string on screen goes through tr(). Catalogues are gettext .po files under ui/po/
// (Azerbaijani default, Russian, English), compiled to .mo by msgfmt at build time and read with
// Boost.Locale; the language switches at runtime, between two frames. The msgid is the English
// text, so a missing translation shows English rather than nothing.
#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/iso_codes.hpp"

namespace ik::ui {

using core::Lang;

// Loads the three catalogues from locale_dir/<lang>/LC_MESSAGES/intake-kiosk.mo.
core::Result<void> load_catalogues(const std::filesystem::path& locale_dir);
// Where the catalogues are for this executable: <exe dir>/../share/locale (build tree and
// installed package alike), or IK_LOCALE_DIR when set.
std::filesystem::path default_locale_dir();

void set_language(Lang lang);
Lang language();

// The translation of `msgid` in the current language; a stable pointer (cached per language).
const char* tr(std::string_view msgid);
// tr() with "{}" replaced by `arg`.
std::string trf(std::string_view msgid, std::string_view arg);
// Label of a code from core::codes (its English label is the msgid).
const char* tr_code(std::string_view list, std::string_view code);
// What to tell a person when core refused something: the first field's message for a form,
// otherwise a sentence by kind (never the English internal message).
std::string error_message(const core::Error& e);
// Country / language names from iso-codes in the current language.
std::string country_name(std::string_view alpha2);
std::string language_name(std::string_view alpha3);

}  // namespace ik::ui
