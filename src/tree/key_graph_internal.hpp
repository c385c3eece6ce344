// Pieces shared by the two key graphs (lkh_tree.cpp, flat_table.cpp) and key_graph.cpp: the
// raw forms of wrap/revise that work straight on key bytes held in an arena, the key arena,
// and the store format's header. Not part of the tree module's interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "codec/reader.hpp"
#include "codec/writer.hpp"
#include "tree/key_graph.hpp"

namespace mpsec::tree::detail {

// ExpandWithLabel labels (the suite prefixes "MLS 1.0 ").
inline constexpr std::string_view kWrapKeyLabel = "mpsec keygraph wrap key";
inline constexpr std::string_view kWrapNonceLabel = "mpsec keygraph wrap nonce";
inline constexpr std::string_view kReviseLabel = "mpsec keygraph revise";

// The store format: struct { uint8 format; GraphKind kind; uint16 cipher_suite;
// opaque context<V>; select (kind) { ... } } (see lkh_tree.cpp and flat_table.cpp).
inline constexpr std::uint8_t kStoreFormat = 1;
enum class GraphKind : std::uint8_t { lkh = 1, flat = 2 };

void write_header(codec::Writer& w, GraphKind kind, const crypto::CipherSuite& suite,
                  ByteView context);

// A fresh key of Nh bytes.
[[nodiscard]] Result<SecretBytes> fresh_key(const crypto::CipherSuite& suite, Random& rng);

// wrap_key on raw bytes: `key` (node, version) sealed under `under_key` (under_node,
// under_version).
[[nodiscard]] Result<KeyWrap> wrap_raw(const crypto::CipherSuite& suite, ByteView context,
                                       std::uint32_t node, std::uint32_t version, ByteView key,
                                       std::uint32_t under_node, std::uint32_t under_version,
                                       ByteView under_key);
// revise_key on raw bytes: the key of `node` at `new_version` from its bytes at new_version - 1.
[[nodiscard]] Result<SecretBytes> revise_raw(const crypto::CipherSuite& suite, std::uint32_t node,
                                             std::uint32_t new_version, ByteView key,
                                             const GraphKey* group_key);

// Keys of one size in one contiguous wiping buffer: no heap allocation per key, and the whole
// store is wiped when it is freed or outgrown. Grows by doubling, so memory_bytes() may be up
// to twice what the keys need.
class KeyArena {
 public:
  explicit KeyArena(std::size_t key_size) : key_size_(key_size) {}

  std::size_t size() const noexcept { return count_; }
  std::size_t key_size() const noexcept { return key_size_; }
  ByteView get(std::size_t i) const noexcept { return {buf_.data() + i * key_size_, key_size_}; }
  // `key` must be key_size() bytes.
  void set(std::size_t i, ByteView key) noexcept;
  void wipe(std::size_t i) noexcept;
  void push_back(ByteView key);
  void reserve(std::size_t count);
  std::size_t memory_bytes() const noexcept { return buf_.size(); }

 private:
  std::size_t key_size_;
  std::size_t count_ = 0;
  SecretBytes buf_;  // capacity * key_size_ bytes
};

// Per-kind decoders, after the header (context already read).
[[nodiscard]] Result<std::unique_ptr<KeyGraph>> decode_lkh_tree(const crypto::CipherSuite& suite,
                                                                Bytes context, codec::Reader& r);
[[nodiscard]] Result<std::unique_ptr<KeyGraph>> decode_flat_table(const crypto::CipherSuite& suite,
                                                                  Bytes context, codec::Reader& r);

}  // namespace mpsec::tree::detail
