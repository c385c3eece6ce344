#include "mls/extensions.hpp"

#include <algorithm>

namespace mpsec::mls {

bool is_default_extension(std::uint16_t type) noexcept {
  return type >= 1 && type <= 5;
}
bool is_default_proposal(std::uint16_t type) noexcept {
  return type >= 1 && type <= 7;
}

const Extension* find_extension(std::span<const Extension> list, ExtensionType type) noexcept {
  for (const auto& e : list)
    if (e.extension_type == static_cast<std::uint16_t>(type)) return &e;
  return nullptr;
}

void put_extension(std::vector<Extension>& list, ExtensionType type, Bytes data) {
  for (auto& e : list) {
    if (e.extension_type == static_cast<std::uint16_t>(type)) {
      e.extension_data = std::move(data);
      return;
    }
  }
  list.push_back({static_cast<std::uint16_t>(type), std::move(data)});
}

Status check_unique_extensions(std::span<const Extension> list) {
  std::vector<std::uint16_t> types;
  for (const auto& e : list)
    types.push_back(e.extension_type);
  std::sort(types.begin(), types.end());
  MPSEC_ENSURE(std::adjacent_find(types.begin(), types.end()) == types.end(), Errc::decode_error,
               "an extension type appears twice");
  return ok();
}

}  // namespace mpsec::mls
