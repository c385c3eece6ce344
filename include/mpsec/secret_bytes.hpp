// SecretBytes: bytes that must not outlive their use. The storage is wiped when it is freed,
// on destruction, on move assignment and on every reallocation (the allocator wipes what it
// releases), so growth never leaves a copy behind. Copies are explicit (clone()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "mpsec/bytes.hpp"

namespace mpsec {

// Overwrites memory in a way the compiler may not elide.
void secure_wipe(void* data, std::size_t len) noexcept;

// Equality whose running time depends only on the lengths, not on the contents.
[[nodiscard]] bool ct_equal(ByteView a, ByteView b) noexcept;

template <class T>
struct WipingAllocator {
  using value_type = T;
  using is_always_equal = std::true_type;
  WipingAllocator() noexcept = default;
  template <class U>
  WipingAllocator(const WipingAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    secure_wipe(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  template <class U>
  bool operator==(const WipingAllocator<U>&) const noexcept {
    return true;
  }
};

// A fixed-size secret scratch buffer on the stack, wiped when it goes out of scope.
template <std::size_t N>
class SecretArray {
 public:
  SecretArray() noexcept : bytes_{} {}
  SecretArray(const SecretArray&) = delete;
  SecretArray& operator=(const SecretArray&) = delete;
  ~SecretArray() { secure_wipe(bytes_, N); }
  std::uint8_t* data() noexcept { return bytes_; }
  const std::uint8_t* data() const noexcept { return bytes_; }
  static constexpr std::size_t size() noexcept { return N; }
  ByteView view(std::size_t n = N) const noexcept { return {bytes_, n}; }

 private:
  std::uint8_t bytes_[N];
};

class SecretBytes {
 public:
  using Storage = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;

  SecretBytes() = default;
  // `size` zero bytes, to be filled in place.
  explicit SecretBytes(std::size_t size) : bytes_(size) {}
  explicit SecretBytes(ByteView data) : bytes_(data.begin(), data.end()) {}

  SecretBytes(SecretBytes&&) noexcept = default;
  SecretBytes& operator=(SecretBytes&&) noexcept = default;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes() = default;

  [[nodiscard]] SecretBytes clone() const { return SecretBytes(view()); }

  std::uint8_t* data() noexcept { return bytes_.data(); }
  const std::uint8_t* data() const noexcept { return bytes_.data(); }
  std::size_t size() const noexcept { return bytes_.size(); }
  bool empty() const noexcept { return bytes_.empty(); }
  ByteView view() const noexcept { return {bytes_.data(), bytes_.size()}; }
  MutableByteView mutable_view() noexcept { return {bytes_.data(), bytes_.size()}; }
  std::uint8_t operator[](std::size_t i) const noexcept { return bytes_[i]; }

  // Growth reallocates through the wiping allocator; shrinking wipes the cut-off tail.
  void resize(std::size_t size);
  void append(ByteView data) { bytes_.insert(bytes_.end(), data.begin(), data.end()); }
  void reserve(std::size_t capacity) { bytes_.reserve(capacity); }
  // Wipes the contents and releases the storage.
  void clear() noexcept;

  // Constant-time comparison.
  friend bool operator==(const SecretBytes& a, const SecretBytes& b) noexcept {
    return ct_equal(a.view(), b.view());
  }

 private:
  Storage bytes_;
};

}  // namespace mpsec
