#pragma once
// Small helpers shared by the repositories: run a statement and gather its rows.
#include <optional>
#include <vector>

#include "storage/statement.hpp"

namespace ik::storage {

template <class T, class Read>
Result<std::vector<T>> collect(Statement& st, Read read) {
  std::vector<T> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back(read(st));
  }
}

template <class T, class Read>
Result<std::optional<T>> first(Statement& st, Read read) {
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<T>();
  return std::optional<T>(read(st));
}

}  // namespace ik::storage
