#include "core/data_dir.hpp"

namespace ik::core {

bool DataDir::provisioned() const {
  std::error_code ec;
  return std::filesystem::exists(database(), ec) && std::filesystem::exists(keyslots(), ec);
}

}  // namespace ik::core
