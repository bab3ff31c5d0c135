// docs/data-dictionary.md must stay in step with the code it describes:
// - every code list of core/codes.cpp has a section "### `list`" under "## Code lists", with one
//   row "| `code` | label | CTDC |" per code, the label and CTDC column exactly as in the code, and
//   no row for a code the list does not have;
// - every table of the real schema (a device provisioned in a temp dir, read back with
//   PRAGMA table_info) has a section "## Table `table`", with one row per column, each marked
//   Personal yes/quasi/no/staff, and no row for a column that no longer exists.
// A section runs from its heading to the next "## " or "### " heading.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/codes.hpp"
#include "tests/core/fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace ik::core {
namespace {

const std::filesystem::path kDoc = std::filesystem::path(IK_DOCS_DIR) / "data-dictionary.md";

std::vector<std::string> doc_lines() {
  const auto bytes = test::read_bytes(kDoc);
  std::vector<std::string> out;
  std::string line;
  for (const auto b : bytes) {
    if (b == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      out.push_back(std::move(line));
      line.clear();
    } else {
      line += static_cast<char>(b);
    }
  }
  if (!line.empty()) out.push_back(std::move(line));
  return out;
}

bool is_section_end(std::string_view line) { return line.starts_with("## ") || line.starts_with("### "); }

// The lines under `heading` (a whole line) up to the next "## " or "### " heading; nullopt when
// the heading is missing. `count` receives how many times the heading occurs.
std::optional<std::vector<std::string>> section(const std::vector<std::string>& lines, std::string_view heading,
                                                int* count = nullptr) {
  std::optional<std::vector<std::string>> out;
  int n = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] != heading) continue;
    ++n;
    if (out) continue;
    out.emplace();
    for (std::size_t j = i + 1; j < lines.size() && !is_section_end(lines[j]); ++j) out->push_back(lines[j]);
  }
  if (count) *count = n;
  return out;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// The cells of a Markdown table row "| a | b | c |".
std::vector<std::string> cells(std::string_view row) {
  std::vector<std::string> out;
  if (row.starts_with('|')) row.remove_prefix(1);
  if (row.ends_with('|')) row.remove_suffix(1);
  while (true) {
    const auto bar = row.find('|');
    out.push_back(trim(row.substr(0, bar)));
    if (bar == std::string_view::npos) break;
    row.remove_prefix(bar + 1);
  }
  return out;
}

// Rows of a section whose first cell is a name in backticks: name -> every such row.
std::map<std::string, std::vector<std::vector<std::string>>> named_rows(const std::vector<std::string>& lines) {
  std::map<std::string, std::vector<std::vector<std::string>>> out;
  for (const auto& line : lines) {
    if (!line.starts_with("| `")) continue;
    auto c = cells(line);
    const auto& first = c.front();
    if (first.size() < 3 || first.front() != '`' || first.back() != '`') continue;
    out[first.substr(1, first.size() - 2)].push_back(std::move(c));
  }
  return out;
}

std::string ticked(std::string_view name) { return "`" + std::string(name) + "`"; }

TEST(DataDictionary, DocumentExists) {
  ASSERT_TRUE(std::filesystem::is_regular_file(kDoc)) << kDoc;
  EXPECT_GT(doc_lines().size(), 100u);
}

TEST(DataDictionary, EveryCodeListHasItsSectionUnderCodeLists) {
  const auto lines = doc_lines();
  int count = 0;
  const auto part = section(lines, "## Code lists", &count);
  ASSERT_TRUE(part) << "docs/data-dictionary.md has no \"## Code lists\" heading";
  EXPECT_EQ(count, 1);
  // The "## Code lists" part runs to the next "## " heading (its "### " subsections included).
  std::set<std::string> documented;
  bool inside = false;
  for (const auto& line : lines) {
    if (line == "## Code lists") {
      inside = true;
      continue;
    }
    if (inside && line.starts_with("## ")) break;
    if (inside && line.starts_with("### `") && line.ends_with("`")) documented.insert(line.substr(5, line.size() - 6));
  }
  std::set<std::string> lists;
  for (const auto& l : codes::all_lists()) lists.insert(std::string(l.name));
  EXPECT_EQ(documented, lists) << "the \"### `list`\" headings under \"## Code lists\" must name exactly the lists "
                                  "of core/codes.cpp";
}

TEST(DataDictionary, EveryCodeWithItsLabelAndCtdcColumnIsInItsListSection) {
  const auto lines = doc_lines();
  for (const auto& list : codes::all_lists()) {
    const auto heading = "### " + ticked(list.name);
    int count = 0;
    const auto sec = section(lines, heading, &count);
    if (!sec) {
      ADD_FAILURE() << "no section \"" << heading << "\"";
      continue;
    }
    EXPECT_EQ(count, 1) << heading << " appears " << count << " times";
    const auto rows = named_rows(*sec);
    for (const auto& c : list.codes) {
      const std::string code(c.code);
      // The plain requirement: the code appears as `code` inside its list's section.
      const bool mentioned = std::any_of(sec->begin(), sec->end(), [&](const std::string& l) {
        return l.find(ticked(code)) != std::string::npos;
      });
      EXPECT_TRUE(mentioned) << heading << ": code " << ticked(code) << " is not mentioned";
      const auto it = rows.find(code);
      if (it == rows.end()) {
        ADD_FAILURE() << heading << ": no row \"| " << ticked(code) << " | …\"";
        continue;
      }
      EXPECT_EQ(it->second.size(), 1u) << heading << ": several rows for " << ticked(code);
      const auto& row = it->second.front();
      ASSERT_GE(row.size(), 3u) << heading << ": the row of " << ticked(code) << " needs code, label and CTDC cells";
      EXPECT_EQ(row[1], c.label) << heading << ": label of " << ticked(code) << " differs from core/codes.cpp";
      if (c.ctdc.empty()) {
        EXPECT_EQ(row[2].find('`'), std::string::npos)
            << heading << ": " << ticked(code) << " has no CTDC column in core/codes.cpp, but the document names one";
      } else {
        EXPECT_EQ(row[2], ticked(c.ctdc)) << heading << ": CTDC column of " << ticked(code)
                                          << " differs from core/codes.cpp";
      }
    }
    for (const auto& [name, _] : rows)
      EXPECT_TRUE(list.contains(name)) << heading << ": documents " << ticked(name)
                                       << ", which is not a code of the list";
  }
}

// ---- the schema ------------------------------------------------------------------------------

struct Table {
  std::string name;
  std::vector<std::string> columns;
};

struct DataDictionarySchema : testing::DeviceFixture {
  // Every table of the real schema, except SQLite's own and the shadow tables of FTS tables.
  std::vector<Table> schema_tables() {
    auto s = admin();
    EXPECT_TRUE(s.unlocked());
    if (!s.unlocked()) return {};
    std::vector<std::pair<std::string, std::string>> all;  // name, sql
    {
      auto st = s.db().prepare("SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'table' ORDER BY name");
      EXPECT_TRUE(st) << st.error().message;
      if (!st) return {};
      for (;;) {
        auto row = st->step();
        EXPECT_TRUE(row) << row.error().message;
        if (!row || !*row) break;
        all.emplace_back(st->text(0), st->text(1));
      }
    }
    std::vector<std::string> virtual_tables;
    for (const auto& [name, sql] : all)
      if (sql.starts_with("CREATE VIRTUAL TABLE")) virtual_tables.push_back(name);
    auto is_shadow = [&](const std::string& name) {
      for (const auto& v : virtual_tables)
        for (std::string_view suffix : {"_content", "_segments", "_segdir", "_docsize", "_stat"})
          if (name == v + std::string(suffix)) return true;
      return false;
    };
    std::vector<Table> out;
    for (const auto& [name, sql] : all) {
      if (name.starts_with("sqlite_") || is_shadow(name)) continue;
      Table t{name, {}};
      auto st = s.db().prepare("PRAGMA table_info(\"" + name + "\")");
      EXPECT_TRUE(st) << st.error().message;
      if (!st) continue;
      for (;;) {
        auto row = st->step();
        EXPECT_TRUE(row) << row.error().message;
        if (!row || !*row) break;
        t.columns.push_back(st->text(1));
      }
      EXPECT_FALSE(t.columns.empty()) << name;
      out.push_back(std::move(t));
    }
    return out;
  }
};

TEST_F(DataDictionarySchema, TheSchemaIsTheOneDescribed) {
  // A sanity check of the reading above, so that an empty schema cannot pass the next tests.
  std::set<std::string> names;
  for (const auto& t : schema_tables()) names.insert(t.name);
  for (const char* expected : {"persons", "cases", "consents", "exploitations", "referrals", "beds", "stays",
                               "services", "calls", "drafts", "audit_log", "audit_checkpoints", "case_search",
                               "users", "settings"})
    EXPECT_TRUE(names.contains(expected)) << expected;
  EXPECT_FALSE(names.contains("case_search_content"));
  EXPECT_FALSE(names.contains("case_search_segments"));
  EXPECT_FALSE(names.contains("case_search_segdir"));
}

TEST_F(DataDictionarySchema, EveryColumnOfEveryTableIsInItsTableSection) {
  const auto lines = doc_lines();
  const auto tables = schema_tables();
  ASSERT_FALSE(tables.empty());
  for (const auto& t : tables) {
    const auto heading = "## Table " + ticked(t.name);
    int count = 0;
    const auto sec = section(lines, heading, &count);
    if (!sec) {
      ADD_FAILURE() << "no section \"" << heading << "\" for table " << t.name;
      continue;
    }
    EXPECT_EQ(count, 1) << heading << " appears " << count << " times";
    const auto rows = named_rows(*sec);
    for (const auto& column : t.columns) {
      const bool mentioned = std::any_of(sec->begin(), sec->end(), [&](const std::string& l) {
        return l.find(ticked(column)) != std::string::npos;
      });
      EXPECT_TRUE(mentioned) << heading << ": column " << ticked(column) << " is not mentioned";
      const auto it = rows.find(column);
      if (it == rows.end()) {
        ADD_FAILURE() << heading << ": no row \"| " << ticked(column) << " | …\"";
        continue;
      }
      EXPECT_EQ(it->second.size(), 1u) << heading << ": several rows for " << ticked(column);
      // Column | Meaning | Type / format | Rule | Personal | Retention | HTCDS / CTDC
      const auto& row = it->second.front();
      ASSERT_EQ(row.size(), 7u) << heading << ": the row of " << ticked(column) << " must have 7 cells";
      for (std::size_t i = 1; i < row.size(); ++i)
        EXPECT_FALSE(row[i].empty()) << heading << ": the row of " << ticked(column) << " has an empty cell " << i;
      const auto& personal = row[4];
      const bool marked = personal.starts_with("**yes**") || personal.starts_with("quasi") ||
                          personal.starts_with("no") || personal.starts_with("staff");
      EXPECT_TRUE(marked) << heading << ": the Personal cell of " << ticked(column)
                          << " must start with **yes**, quasi, no or staff, not \"" << personal << "\"";
    }
    for (const auto& [name, _] : rows)
      EXPECT_TRUE(std::find(t.columns.begin(), t.columns.end(), name) != t.columns.end())
          << heading << ": documents " << ticked(name) << ", which is not a column of " << t.name;
  }
  // No section for a table that does not exist.
  std::set<std::string> names;
  for (const auto& t : tables) names.insert(t.name);
  for (const auto& line : lines) {
    if (!line.starts_with("## Table `") || !line.ends_with("`")) continue;
    const auto name = line.substr(10, line.size() - 11);
    EXPECT_TRUE(names.contains(name)) << "\"" << line << "\" names no table of the schema";
  }
}

}  // namespace
}  // namespace ik::core
