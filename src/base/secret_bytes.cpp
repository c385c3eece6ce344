#include "mpsec/secret_bytes.hpp"

#include <openssl/crypto.h>

namespace mpsec {

void secure_wipe(void* data, std::size_t len) noexcept {
  if (data != nullptr && len > 0) OPENSSL_cleanse(data, len);
}

bool ct_equal(ByteView a, ByteView b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void SecretBytes::resize(std::size_t size) {
  if (size < bytes_.size()) secure_wipe(bytes_.data() + size, bytes_.size() - size);
  bytes_.resize(size);
}

void SecretBytes::clear() noexcept {
  // Swapping with an empty vector releases the storage through the wiping allocator.
  Storage().swap(bytes_);
}

}  // namespace mpsec
