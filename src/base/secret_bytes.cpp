#include "mpsec/secret_bytes.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

namespace mpsec {

void secure_wipe(void* data, std::size_t len) noexcept {
  if (data != nullptr && len > 0) OPENSSL_cleanse(data, len);
}

bool ct_equal(ByteView a, ByteView b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

SecretBytes::SecretBytes(std::size_t size) {
  grow(size);
  if (size > 0) std::memset(data_, 0, size);
  size_ = size;
}

SecretBytes::SecretBytes(ByteView data) {
  grow(data.size());
  if (!data.empty()) std::memcpy(data_, data.data(), data.size());
  size_ = data.size();
}

void SecretBytes::release() noexcept {
  if (data_ != nullptr) WipingAllocator<std::uint8_t>{}.deallocate(data_, capacity_);
  data_ = nullptr;
  size_ = 0;
  capacity_ = 0;
}

void SecretBytes::grow(std::size_t capacity) {
  if (capacity <= capacity_ || capacity == 0) return;
  std::uint8_t* fresh = WipingAllocator<std::uint8_t>{}.allocate(capacity);
  if (size_ > 0) std::memcpy(fresh, data_, size_);
  const std::size_t size = size_;
  release();  // wipes the old buffer
  data_ = fresh;
  size_ = size;
  capacity_ = capacity;
}

void SecretBytes::reserve(std::size_t capacity) {
  grow(capacity);
}

void SecretBytes::resize(std::size_t size) {
  if (size < size_) {
    secure_wipe(data_ + size, size_ - size);
  } else if (size > size_) {
    if (size > capacity_) grow(std::max(size, 2 * capacity_));
    std::memset(data_ + size_, 0, size - size_);
  }
  size_ = size;
}

void SecretBytes::append(ByteView data) {
  if (data.empty()) return;
  if (size_ + data.size() > capacity_) grow(std::max(size_ + data.size(), 2 * capacity_));
  std::memcpy(data_ + size_, data.data(), data.size());
  size_ += data.size();
}

}  // namespace mpsec
