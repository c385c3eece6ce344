// SecretBytes: bytes that must not outlive their use. The storage is wiped when it is freed,
// on destruction, on move assignment and on every reallocation (the allocator wipes what it
// releases), so growth never leaves a copy behind. Copies are explicit (clone()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
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
  SecretBytes() = default;
  // `size` zero bytes, to be filled in place.
  explicit SecretBytes(std::size_t size);
  explicit SecretBytes(ByteView data);

  SecretBytes(SecretBytes&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      release();
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
      capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
  }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes() { release(); }

  [[nodiscard]] SecretBytes clone() const { return SecretBytes(view()); }

  std::uint8_t* data() noexcept { return data_; }
  const std::uint8_t* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  ByteView view() const noexcept { return {data_, size_}; }
  MutableByteView mutable_view() noexcept { return {data_, size_}; }
  std::uint8_t operator[](std::size_t i) const noexcept { return data_[i]; }

  // Growth moves the bytes to a new buffer and wipes the old one; shrinking wipes the
  // cut-off tail; new bytes are zero.
  void resize(std::size_t size);
  void append(ByteView data);
  void reserve(std::size_t capacity);
  // Wipes the contents and releases the storage.
  void clear() noexcept { release(); }

  // Constant-time comparison.
  friend bool operator==(const SecretBytes& a, const SecretBytes& b) noexcept {
    return ct_equal(a.view(), b.view());
  }

 private:
  void release() noexcept;
  void grow(std::size_t capacity);

  // Raw storage through the wiping allocator, so copies are memcpy and every buffer this
  // object ever owned is wiped when it is given back.
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace mpsec
