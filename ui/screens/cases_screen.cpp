// Cases screen.
// Shows: a search field (name, alias, case number or phone, typed on the on-screen keyboard;
// the list follows every keystroke), status filter chips, and the case list: virtualised with
// ImGuiListClipper over pages fetched on demand from CaseService::list (offset/limit), with only
// a small window of pages cached, so 100,000 cases cost what one screenful costs. Each row is a
// big touch target with case number, gender, status, risk and bed, and the name MASKED
// ("••••••"): the mask is its own button.
// Emits: search(text), filter(status), need_rows(first, last) (page fetches), reveal(case) ->
// CaseService::reveal_name (audited, one name, one row), hide(case), open(case) ->
// AppContext::open_case (the case page, itself an audited view). The list scrolls by dragging.
// Never: shows a name that was not tapped open on this visit, keeps a name, a row or the search
// text after wipe() (lock) or after leaving for a case page, or shows rows to a role that may
// not see cases (core refuses; the refusal is shown, not data).
//
// Threads: a typed search (an FTS query and its count, ~20 ms at 100,000 cases) never runs in a
// frame. It runs on a ui::Worker thread over a core::CaseReader: a second, query-only SQLCipher
// connection opened from the session's key. The session's own connection stays with the UI
// thread alone (SQLite connections are not shared between threads here, and the UI thread
// keeps writing on it: audit entries, reveals, drafts), so nothing needs a lock around it; WAL
// gives the reader a consistent snapshot. Why not let the worker borrow the session's
// connection while the UI thread keeps off it: the status bar, a reveal, auto-lock (which
// closes the connection) and every other screen would all have to wait for the search, and one
// forgotten path would be a data race on the database. The plain list (no text: pages straight
// from an index, under 4 ms) is still read in the frame. Results carry a generation number; one
// from an older query is dropped. wipe() (lock, leaving for a case page) stops the worker —
// queued searches dropped, the running one waited for (milliseconds), its result dropped — and
// closes the reader, before the session's key is wiped.
#include <algorithm>
#include <climits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/case_reader.hpp"
#include "core/cases.hpp"
#include "core/permissions.hpp"
#include "core/session.hpp"
#include "ui/app.hpp"
#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/osk.hpp"
#include "ui/scenes.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"
#include "ui/worker.hpp"

namespace ik::ui {
namespace {

// Each fetch costs core a sort and a count over the matching cases (100-300 ms for a filtered
// list of 100,000 cases on the development machine, 5 ms unfiltered), so pages are large and few.
constexpr std::int64_t kPageRows = 200;     // rows per fetch
constexpr std::size_t kCachedPages = 5;     // pages kept around the visible rows
constexpr std::int64_t kPrefetchRows = 30;  // fetch the neighbouring page this close to its edge
// Typing waits for a pause before searching: one query per word, not one per letter.
constexpr double kSearchPause = 0.35;

// Overwrites a string's bytes before letting it go (names must not linger in freed memory).
void scrub(std::string& s) {
  volatile char* p = s.data();
  for (std::size_t i = 0; i < s.size(); ++i) p[i] = 0;
  s.clear();
  s.shrink_to_fit();
}

// A refusal or failure from core, as a sentence for the person at the kiosk (translated).

// ---------------------------------------------------------------------------------------------
// View model and intents

struct CasesVm {
  bool can_reveal = false;
  std::string refusal;  // translated; set when core refused the list
  std::string search;   // as typed (may be a name: personal, wiped)
  std::string status;   // case_status code, "" = every status
  std::int64_t total = 0;
  bool total_capped = false;  // a search with more matches than counted: refine it
  std::map<std::int64_t, std::vector<core::CaseListItem>> pages;  // page index -> rows
  std::map<std::int64_t, std::string> revealed;                   // case id -> name (personal)
  bool scroll_to_top = false;
  bool searching = false;  // a new search runs in the background; the rows shown are the last ones

  const core::CaseListItem* row(std::int64_t i) const {
    const auto it = pages.find(i / kPageRows);
    if (it == pages.end()) return nullptr;
    const auto k = static_cast<std::size_t>(i % kPageRows);
    return k < it->second.size() ? &it->second[k] : nullptr;
  }
};

struct CasesIntents {
  bool query_changed = false;  // the status filter: at once
  bool search_typed = false;   // the search text: after a pause
  std::optional<std::pair<std::int64_t, std::int64_t>> visible;  // [first, last) rows drawn
  std::optional<std::int64_t> reveal, hide, open;
};

// ---------------------------------------------------------------------------------------------
// Drawing: reads the view model (and edits its search/filter form), queues intents.

ImU32 risk_colour(std::string_view risk) {
  if (risk == "high") return colour::kDanger;
  if (risk == "medium") return colour::kWarn;
  return colour::kOk;
}

void draw_row(const CasesVm& vm, std::int64_t i, float row_h, CasesIntents& out) {
  const auto& m = metrics();
  const float w = ImGui::GetContentRegionAvail().x;
  const float name_w = std::clamp(w * 0.3f, m.touch_px * 4.0f, m.touch_px * 9.0f);
  const float info_w = std::max(m.touch_px * 3, w - name_w - m.gap);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const auto* item = vm.row(i);
  if (item == nullptr) {  // not fetched yet: a quiet placeholder, filled in on the next frame
    ImGui::Dummy(ImVec2(w, row_h));
    dl->AddRectFilled(p, ImVec2(p.x + w, p.y + row_h), IM_COL32(0xEC, 0xE9, 0xE2, 0xFF), m.gap * 0.6f);
    dl->AddText(ImVec2(p.x + m.gap, p.y + (row_h - m.font_px) * 0.5f), colour::kMuted, "\u2026");
    return;
  }
  const std::string id = std::to_string(item->id);
  ImGui::PushID(("row:" + id).c_str());
  const bool tapped = ImGui::InvisibleButton("open", ImVec2(info_w, row_h));
  const bool held = ImGui::IsItemActive();
  ImGui::PopID();
  const ImVec2 end(p.x + info_w, p.y + row_h);
  dl->AddRectFilled(p, end, held ? IM_COL32(0xDD, 0xE8, 0xF2, 0xFF) : colour::kPanel, m.gap * 0.6f);
  dl->AddRect(p, end, IM_COL32(0xD8, 0xD3, 0xCA, 0xFF), m.gap * 0.6f);
  const std::string gender = tr_code("gender", item->gender);
  const std::string status = tr_code("case_status", item->status);
  const std::string risk = tr_code("risk_level", item->risk_level);
  const std::string bed = item->bed_label ? trf("Bed {}", *item->bed_label) : std::string(tr("No bed"));
  dl->PushClipRect(p, end, true);
  const float line1 = p.y + m.gap * 0.6f, line2 = p.y + row_h - m.font_px - m.gap * 0.6f;
  dl->AddText(fonts().bold, m.font_px, ImVec2(p.x + m.gap, line1), colour::kText, item->case_number.c_str());
  const float bed_x = end.x - m.gap - text_width(bed);
  dl->AddText(fonts().body, m.font_px, ImVec2(bed_x, line1), item->bed_label ? colour::kText : colour::kMuted,
              bed.c_str());
  const std::string gs = gender + " \u00B7 " + status + " \u00B7 ";
  dl->AddText(fonts().body, m.font_px, ImVec2(p.x + m.gap, line2), colour::kMuted, gs.c_str());
  dl->AddText(fonts().bold, m.font_px, ImVec2(p.x + m.gap + text_width(gs), line2), risk_colour(item->risk_level),
              risk.c_str());
  dl->PopClipRect();
  semantics().add({ItemKind::Button, "row:" + id,
                   fmt::format("{} \u00B7 {} \u00B7 {} \u00B7 {} \u00B7 {}", item->case_number, gender, status, risk, bed),
                   {}, p, end, true});
  if (tapped) out.open = item->id;

  ImGui::SameLine();
  if (const auto it = vm.revealed.find(item->id); it != vm.revealed.end()) {
    // Tapping the name masks it again.
    if (button(it->second, ImVec2(name_w, row_h), Style::Secondary, true, "name:" + id)) out.hide = item->id;
  } else if (button(core::kMaskedName, ImVec2(name_w, row_h), Style::Secondary, vm.can_reveal, "btn:reveal:" + id)) {
    out.reveal = item->id;
  }
}

void draw_cases(CasesVm& vm, CasesIntents& out) {
  const auto& m = metrics();
  begin_content("##cases");
  title(tr("Cases"));
  if (!vm.refusal.empty()) {
    error_text(vm.refusal);
    end_content();
    return;
  }
  if (ImGui::BeginTable("##case-tools", 2, ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("search", ImGuiTableColumnFlags_WidthStretch, 0.42f);
    ImGui::TableSetupColumn("status", ImGuiTableColumnFlags_WidthStretch, 0.58f);
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    if (text_field("search", tr("Search: name, alias, case number or phone"), &vm.search, FieldKind::Text))
      out.search_typed = true;
    ImGui::TableSetColumnIndex(1);
    ImGui::PushFont(fonts().bold);
    ImGui::TextUnformatted(tr("Status"));
    ImGui::PopFont();
    auto options = code_options("case_status");
    options.insert(options.begin(), {std::string(), std::string(tr("All"))});
    if (choice("status", options, &vm.status)) out.query_changed = true;
    ImGui::EndTable();
  }
  if (vm.searching) muted(tr("Searching\u2026"));
  else
    muted(vm.total_capped ? trf("More than {} cases: type more to narrow the search.", std::to_string(vm.total))
          : vm.total == 1 ? std::string(tr("1 case"))
                          : trf("{} cases", std::to_string(vm.total)));
  if (vm.total == 0 && !vm.searching) {
    muted(tr("No case matches."));
    end_content();
    return;
  }

  const float row_h = std::max(m.touch_px * 1.5f, m.font_px * 2.0f + m.gap * 2.0f);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (begin_scroll("##case-list", ImVec2(avail.x, std::max(avail.y, row_h)))) {
    if (vm.scroll_to_top) {
      ImGui::SetScrollY(0);
      vm.scroll_to_top = false;
    }
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(m.gap, m.gap));
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(std::min<std::int64_t>(vm.total, INT_MAX)), row_h + m.gap);
    std::int64_t first = -1, last = -1;
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        if (first < 0 || i < first) first = i;
        last = std::max<std::int64_t>(last, i);
        draw_row(vm, i, row_h, out);
      }
    }
    ImGui::PopStyleVar();
    if (last >= 0) out.visible = {first, last + 1};
  }
  end_scroll();
  end_content();
}

// ---------------------------------------------------------------------------------------------
// Controller: applies the intents through core.

class CasesScreen final : public ScreenController {
 public:
  void enter(AppContext& ctx) override {
    wipe();
    auto* s = ctx.session();
    if (s == nullptr) return;
    vm_.can_reveal = core::allowed(s->actor().role, core::Action::RevealName);
    // Even when the role may not see cases, ask core: it refuses (and records the attempt),
    // and the refusal is what this screen shows.
    fetch(ctx, 0);
  }

  void wipe() override {
    // First the thread and its connection: after this nothing reads the database for this
    // screen and no search result is left to deliver.
    worker_.reset();
    reader_.reset();
    ++generation_;
    in_flight_.clear();
    for (auto& [_, name] : vm_.revealed) scrub(name);
    scrub(vm_.search);
    scrub(searched_);
    vm_ = CasesVm{};
    redraw_ = false;
    search_due_ = 0;
  }

  // Frames come when pages were just fetched or a background result waits to be shown; the
  // pause before a typed search is a timed change, not an animation.
  bool animating() const override { return redraw_ || (worker_ && worker_->has_results()); }
  double seconds_until_next_change(double now) const override {
    return search_due_ > 0 ? std::max(0.0, search_due_ - now) : 3600.0;
  }

  void draw(AppContext& ctx) override {
    redraw_ = false;
    if (ctx.session() == nullptr) return;
    if (worker_ && worker_->deliver() > 0) redraw_ = true;  // the list changed: one more frame
    if (!failed_.empty()) {
      ctx.notify(failed_, true);
      failed_.clear();
    }
    // The pause is over, or the keyboard was closed ("Done"): search now.
    if (search_due_ > 0 && (ctx.now() >= search_due_ || !keyboard().is_active("search"))) {
      search_due_ = 0;
      requery(ctx);
    }
    CasesIntents in;
    draw_cases(vm_, in);
    apply(ctx, in);
  }

 private:
  void requery(AppContext& ctx) {
    ++generation_;  // whatever is still on its way belongs to the old query
    in_flight_.clear();
    scrub(searched_);
    searched_ = vm_.search;
    if (!searched_.empty() && start_worker(ctx)) {
      // The rows on screen stay until the new ones arrive.
      vm_.searching = true;
      post(0);
      return;
    }
    vm_.searching = false;
    vm_.pages.clear();
    vm_.total = 0;
    vm_.scroll_to_top = true;
    fetch(ctx, 0);
    redraw_ = true;
  }

  void apply(AppContext& ctx, const CasesIntents& in) {
    if (in.search_typed) search_due_ = ctx.now() + kSearchPause;
    if (in.query_changed) {
      search_due_ = 0;
      requery(ctx);
    } else if (in.visible && vm_.total > 0 && !vm_.searching) {
      const std::int64_t last_page = (vm_.total - 1) / kPageRows;
      std::int64_t p0 = in.visible->first / kPageRows, p1 = (in.visible->second - 1) / kPageRows;
      if (p0 > 0 && in.visible->first - p0 * kPageRows < kPrefetchRows) --p0;
      if (p1 < last_page && (p1 + 1) * kPageRows - in.visible->second < kPrefetchRows) ++p1;
      for (std::int64_t p = p0; p <= p1; ++p)
        if (!vm_.pages.contains(p) && !in_flight_.contains(p) && vm_.refusal.empty()) redraw_ |= fetch(ctx, p);
      evict(p0, p1);
    }
    if (in.hide) {
      if (auto it = vm_.revealed.find(*in.hide); it != vm_.revealed.end()) {
        scrub(it->second);
        vm_.revealed.erase(it);
      }
    }
    if (in.reveal && ctx.session() != nullptr) {
      auto name = core::CaseService(*ctx.session()).reveal_name(*in.reveal);
      if (name) {
        vm_.revealed[*in.reveal] = name->empty() ? std::string(tr("(no name recorded)")) : *name;
        scrub(*name);  // a copy, then the returned one overwritten (a short name sits inline)
      } else {
        ctx.notify(error_message(name.error()), true);
      }
    }
    if (in.open) {
      const auto id = *in.open;
      wipe();  // nothing of the list stays in memory behind the case page
      ctx.open_case(id);
    }
  }

  core::CaseQuery query() const {
    core::CaseQuery q;
    q.text = searched_;
    if (!vm_.status.empty()) q.status = vm_.status;
    return q;
  }

  // The worker and its reader, opened on first use (on this, the session's, thread).
  bool start_worker(AppContext& ctx) {
    if (worker_) return true;
    auto* s = ctx.session();
    if (s == nullptr) return false;
    auto reader = core::CaseReader::open(*s);
    if (!reader) return false;  // the page is then read in the frame, as before
    reader_ = std::make_shared<core::CaseReader>(std::move(*reader));
    worker_ = std::make_unique<Worker>([wake = ctx.config().wake] {
      if (wake) wake();
    });
    return true;
  }

  // A page of the current search, on the worker; its result comes back through deliver().
  void post(std::int64_t page) {
    in_flight_.insert(page);
    worker_->post([this, reader = reader_, q = query(), page, gen = generation_]() mutable -> Worker::Deliver {
      auto r = std::make_shared<core::Result<core::CasePage>>(reader->list(q, page * kPageRows, kPageRows));
      scrub(q.text);
      return [this, r, page, gen] { received(page, gen, std::move(*r)); };
    });
  }

  // On the UI thread: a page of a background search.
  void received(std::int64_t page, std::uint64_t gen, core::Result<core::CasePage> r) {
    if (gen != generation_) return;  // an older query's answer
    in_flight_.erase(page);
    if (vm_.searching && page == 0) {
      vm_.searching = false;
      vm_.pages.clear();
      vm_.scroll_to_top = true;
    }
    if (!r) {
      if (page == 0) vm_.total = 0;
      vm_.pages[page] = {};  // do not ask again for this page on every frame
      failed_ = error_message(r.error());
      return;
    }
    vm_.total = r->total;
    vm_.total_capped = r->total_capped;
    vm_.pages[page] = std::move(r->items);
  }

  // Fetches one page: in the frame for the plain list, on the worker for a search (false: no
  // rows yet). False (with the refusal or a banner) when core said no.
  bool fetch(AppContext& ctx, std::int64_t page) {
    auto* s = ctx.session();
    if (s == nullptr) return false;
    if (!searched_.empty() && start_worker(ctx)) {
      post(page);
      return false;
    }
    auto r = core::CaseService(*s).list(query(), page * kPageRows, kPageRows);
    if (!r) {
      vm_.pages[page] = {};  // do not ask again for this page on every frame
      if (r.error().code == core::Errc::PermissionDenied) {
        vm_.refusal = error_message(r.error());
        vm_.pages.clear();
        vm_.total = 0;
      }
      ctx.notify(error_message(r.error()), true);
      return false;
    }
    vm_.total = r->total;
    vm_.total_capped = r->total_capped;
    vm_.pages[page] = std::move(r->items);
    return true;
  }

  // Keeps the cache to a window around the visible pages.
  void evict(std::int64_t p0, std::int64_t p1) {
    while (vm_.pages.size() > kCachedPages) {
      const auto lo = vm_.pages.begin(), hi = std::prev(vm_.pages.end());
      const auto d_lo = p0 - lo->first, d_hi = hi->first - p1;
      if (d_lo <= 0 && d_hi <= 0) break;
      vm_.pages.erase(d_lo >= d_hi ? lo : hi);
    }
  }

  CasesVm vm_;
  bool redraw_ = false;
  double search_due_ = 0;  // when the typed search runs (0: none waiting)
  std::string searched_;   // the text of the query in force (vm_.search is what is typed)
  std::string failed_;     // a background search's failure, told in the next frame (translated)
  std::uint64_t generation_ = 0;
  std::set<std::int64_t> in_flight_;  // pages asked of the worker for this generation
  // Declared last, destroyed first: the worker (whose jobs share the reader) stops before the
  // reader closes and before the view model goes.
  std::shared_ptr<core::CaseReader> reader_;
  std::unique_ptr<Worker> worker_;
};

}  // namespace

std::unique_ptr<ScreenController> make_cases_screen() { return std::make_unique<CasesScreen>(); }

namespace {
// The first row's mask, whatever its case id.
bool tap_first(Driver& d, std::string_view prefix) {
  for (const auto& it : semantics().items())
    if (it.id.starts_with(prefix)) return d.tap(std::string(it.id));
  return false;
}

const bool kScenes = register_scene({40, "cases", [](Driver& d) {
                                       return unlock_demo(d, "Leyla") && d.tap(tr("Cases")) && tap_first(d, "btn:reveal:");
                                     }}) &&
                     register_scene({41, "cases-search", [](Driver& d) {
                                       return unlock_demo(d, "Aysel") && d.tap(tr("Cases")) && d.tap("status=active") &&
                                              d.tap("field:search") && d.type("test") && (d.frames(30), true);
                                     }});
}  // namespace

}  // namespace ik::ui
