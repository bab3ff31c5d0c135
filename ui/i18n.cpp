#include "ui/i18n.hpp"

#include <unistd.h>

#include <array>
#include <unordered_map>

#include <boost/locale.hpp>
#include <fmt/format.h>

#include "core/codes.hpp"

namespace ik::ui {
namespace {

struct State {
  std::array<std::locale, 3> locales;
  std::array<bool, 3> loaded{};
  // msgid -> translation, per language; node-based so returned pointers stay valid.
  std::array<std::unordered_map<std::string, std::string>, 3> cache;
  std::filesystem::path dir;
  Lang current = Lang::Az;
};

State& state() {
  static State s;
  return s;
}

int index(Lang l) { return static_cast<int>(l); }

}  // namespace

std::filesystem::path default_locale_dir() {
  if (const char* env = std::getenv("IK_LOCALE_DIR"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "/usr/share/locale";
  return exe.parent_path().parent_path() / "share" / "locale";
}

core::Result<void> load_catalogues(const std::filesystem::path& dir) {
  auto& s = state();
  boost::locale::generator gen;
  gen.add_messages_path(dir.string());
  gen.add_messages_domain("intake-kiosk");
  for (Lang l : core::kAllLangs) {
    const auto mo = dir / std::string(core::lang_code(l)) / "LC_MESSAGES" / "intake-kiosk.mo";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(mo, ec))
      return core::fail(core::Errc::Io, fmt::format("missing translation catalogue {}", mo.string()));
    try {
      s.locales[index(l)] = gen(fmt::format("{}.UTF-8", core::lang_code(l)));
    } catch (const std::exception&) {
      return core::fail(core::Errc::Damaged, fmt::format("cannot read translation catalogue {}", mo.string()));
    }
    s.loaded[index(l)] = true;
    s.cache[index(l)].clear();
  }
  s.dir = dir;
  return {};
}

void set_language(Lang lang) { state().current = lang; }
Lang language() { return state().current; }

const char* tr(std::string_view msgid) {
  auto& s = state();
  const int i = index(s.current);
  auto& cache = s.cache[i];
  if (auto it = cache.find(std::string(msgid)); it != cache.end()) return it->second.c_str();
  std::string text(msgid);
  if (s.loaded[i]) text = boost::locale::translate(std::string(msgid)).str(s.locales[i]);
  return cache.emplace(std::string(msgid), std::move(text)).first->second.c_str();
}

std::string trf(std::string_view msgid, std::string_view arg) {
  std::string text = tr(msgid);
  if (const auto p = text.find("{}"); p != std::string::npos) text.replace(p, 2, arg);
  return text;
}

const char* tr_code(std::string_view list, std::string_view code) {
  const auto label = core::codes::list(list).label(code);
  return label.empty() ? tr("Unknown") : tr(label);
}

std::string error_message(const core::Error& e) {
  using E = core::Errc;
  switch (e.code) {
    case E::PermissionDenied: return tr("Your role may not do this. The attempt was recorded.");
    case E::Invalid:
      if (!e.fields.empty()) {
        const auto& f = e.fields.front();
        return f.arg.empty() ? std::string(tr(f.msgid)) : trf(f.msgid, tr(f.arg));
      }
      return tr("This was refused: check what you entered.");
    case E::NotFound: return tr("Not found. It may have been removed.");
    case E::UserDisabled: return tr("This account is disabled.");
    default: return tr("This could not be done. Nothing was changed.");
  }
}

std::string country_name(std::string_view alpha2) {
  return core::IsoCodes::system().country_name(alpha2, state().current);
}

std::string language_name(std::string_view alpha3) {
  return core::IsoCodes::system().language_name(alpha3, state().current);
}

}  // namespace ik::ui
