// Extension types of RFC 9420 §17.3 and helpers to read and write the ones mpsec uses.
#pragma once

#include <optional>
#include <span>

#include "mls/messages.hpp"

namespace mpsec::mls {

enum class ExtensionType : std::uint16_t {
  application_id = 0x0001,
  ratchet_tree = 0x0002,
  required_capabilities = 0x0003,
  external_pub = 0x0004,
  external_senders = 0x0005,
};

// Whether `type` is one of the default extensions every client implements (RFC 9420 §7.2).
bool is_default_extension(std::uint16_t type) noexcept;
// Whether `type` is one of the default proposal types.
bool is_default_proposal(std::uint16_t type) noexcept;

const Extension* find_extension(std::span<const Extension> list, ExtensionType type) noexcept;
// Replaces or appends the extension of that type.
void put_extension(std::vector<Extension>& list, ExtensionType type, Bytes data);
// No extension type appears twice (RFC 9420 §13.4).
[[nodiscard]] Status check_unique_extensions(std::span<const Extension> list);

// The typed content of an extension, if present; a malformed one is a decode_error.
template <class T>
[[nodiscard]] Result<std::optional<T>> read_extension(std::span<const Extension> list,
                                                      ExtensionType type) {
  const Extension* e = find_extension(list, type);
  if (e == nullptr) return std::optional<T>{};
  return std::optional<T>(MPSEC_TRY(codec::decode<T>(e->extension_data)));
}

// struct { HPKEPublicKey external_pub; } ExternalPub;
struct ExternalPub {
  Bytes external_pub;
  MPSEC_TLS_FIELDS(external_pub)
};

}  // namespace mpsec::mls
