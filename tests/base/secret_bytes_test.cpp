// SecretBytes, SecretArray, WipingAllocator, secure_wipe and ct_equal.
//
// What is testable without undefined behaviour: memory cannot be inspected after it was
// freed (ASan rightly flags that), so the allocator's wipe is observed *inside* the release
// path. WipingAllocator<T> hands memory back through std::allocator<T>; for a test-only
// element type the program may specialize std::allocator ([namespace.std]), and that
// specialization checks the bytes while they still belong to the program, then frees them.
#include "mpsec/secret_bytes.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <new>
#include <type_traits>
#include <vector>

#include "base/test_support.hpp"

namespace mpsec_secret_bytes_probe {

// A byte-sized element type owned by this test.
struct ProbeByte {
  std::uint8_t value;
};

struct ProbeLog {
  static inline int deallocations = 0;
  static inline int unwiped_deallocations = 0;
  static inline std::size_t last_bytes = 0;
  static void reset() {
    deallocations = 0;
    unwiped_deallocations = 0;
    last_bytes = 0;
  }
};

}  // namespace mpsec_secret_bytes_probe

namespace std {
// Records, at the moment memory is handed back, whether every byte of it is zero.
template <>
class allocator<mpsec_secret_bytes_probe::ProbeByte> {
 public:
  using value_type = mpsec_secret_bytes_probe::ProbeByte;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using propagate_on_container_move_assignment = std::true_type;
  using is_always_equal = std::true_type;

  constexpr allocator() noexcept = default;
  template <class U>
  constexpr allocator(const allocator<U>&) noexcept {}

  value_type* allocate(std::size_t n) {
    return static_cast<value_type*>(::operator new(n * sizeof(value_type)));
  }
  void deallocate(value_type* p, std::size_t n) {
    using mpsec_secret_bytes_probe::ProbeLog;
    const auto* bytes = reinterpret_cast<const unsigned char*>(p);
    bool wiped = true;
    for (std::size_t i = 0; i < n * sizeof(value_type); ++i)
      if (bytes[i] != 0) wiped = false;
    ++ProbeLog::deallocations;
    if (!wiped) ++ProbeLog::unwiped_deallocations;
    ProbeLog::last_bytes = n * sizeof(value_type);
    ::operator delete(p, n * sizeof(value_type));
  }
  friend bool operator==(const allocator&, const allocator&) noexcept { return true; }
};
}  // namespace std

namespace mpsec {
namespace {

using mpsec_secret_bytes_probe::ProbeByte;
using mpsec_secret_bytes_probe::ProbeLog;
using testutil::all_zero;

// --- WipingAllocator -----------------------------------------------------------------------

TEST(WipingAllocator, ProbeDetectsUnwipedRelease) {
  // The probe must be able to fail: plain std::allocator releases the bytes as they are.
  ProbeLog::reset();
  std::allocator<ProbeByte> plain;
  ProbeByte* p = plain.allocate(8);
  for (int i = 0; i < 8; ++i)
    p[i].value = 0xa5;
  plain.deallocate(p, 8);
  EXPECT_EQ(ProbeLog::deallocations, 1);
  EXPECT_EQ(ProbeLog::unwiped_deallocations, 1);
}

TEST(WipingAllocator, Deallocate_WipesBeforeReleasing) {
  ProbeLog::reset();
  WipingAllocator<ProbeByte> alloc;
  ProbeByte* p = alloc.allocate(32);
  for (int i = 0; i < 32; ++i)
    p[i].value = static_cast<std::uint8_t>(0x80 | i);
  alloc.deallocate(p, 32);
  EXPECT_EQ(ProbeLog::deallocations, 1);
  EXPECT_EQ(ProbeLog::unwiped_deallocations, 0);
  EXPECT_EQ(ProbeLog::last_bytes, 32u);
}

TEST(WipingAllocator, VectorGrowth_WipesEveryReleasedBuffer) {
  ProbeLog::reset();
  {
    std::vector<ProbeByte, WipingAllocator<ProbeByte>> v;
    for (int i = 0; i < 1000; ++i)
      v.push_back(ProbeByte{0xee});
    v.shrink_to_fit();
  }
  // Several reallocations plus the final release, none of which left the secret behind.
  EXPECT_GE(ProbeLog::deallocations, 3);
  EXPECT_EQ(ProbeLog::unwiped_deallocations, 0);
}

TEST(WipingAllocator, AllInstancesCompareEqual) {
  WipingAllocator<std::uint8_t> a;
  WipingAllocator<int> b;
  EXPECT_TRUE(a == b);
  static_assert(WipingAllocator<std::uint8_t>::is_always_equal::value);
}

// SecretBytes allocates and releases its storage through WipingAllocator (tested above):
// every buffer it gives back, on growth or destruction, is wiped first.
static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(!std::is_copy_assignable_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);
static_assert(std::is_nothrow_move_assignable_v<SecretBytes>);

// --- secure_wipe ---------------------------------------------------------------------------

TEST(SecureWipe, ZeroesExactlyTheGivenRange) {
  std::uint8_t buf[16];
  std::memset(buf, 0xcc, sizeof(buf));
  secure_wipe(buf + 4, 8);
  for (int i = 0; i < 16; ++i) {
    if (i >= 4 && i < 12)
      EXPECT_EQ(buf[i], 0) << i;
    else
      EXPECT_EQ(buf[i], 0xcc) << i;
  }
}

TEST(SecureWipe, NullOrEmpty_IsNoOp) {
  secure_wipe(nullptr, 0);
  secure_wipe(nullptr, 16);
  std::uint8_t b = 0x11;
  secure_wipe(&b, 0);
  EXPECT_EQ(b, 0x11);
}

// --- ct_equal ------------------------------------------------------------------------------

TEST(CtEqual, EqualContents) {
  const Bytes a{1, 2, 3, 4};
  const Bytes b{1, 2, 3, 4};
  EXPECT_TRUE(ct_equal(a, b));
}

TEST(CtEqual, DifferentContents_FirstOrLastByte) {
  const Bytes a{1, 2, 3, 4};
  EXPECT_FALSE(ct_equal(a, Bytes{0, 2, 3, 4}));
  EXPECT_FALSE(ct_equal(a, Bytes{1, 2, 3, 5}));
}

TEST(CtEqual, DifferentLengths_AreUnequalEvenForAPrefix) {
  const Bytes a{1, 2, 3, 4};
  EXPECT_FALSE(ct_equal(a, Bytes{1, 2, 3}));
  EXPECT_FALSE(ct_equal(Bytes{1, 2, 3}, a));
  EXPECT_FALSE(ct_equal(a, Bytes{}));
}

TEST(CtEqual, BothEmpty_AreEqual) {
  EXPECT_TRUE(ct_equal(Bytes{}, Bytes{}));
}

// --- SecretBytes ---------------------------------------------------------------------------

TEST(SecretBytes, DefaultIsEmpty) {
  SecretBytes s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.size(), 0u);
}

TEST(SecretBytes, SizedConstructor_IsZeroFilled) {
  SecretBytes s(40);
  EXPECT_EQ(s.size(), 40u);
  EXPECT_TRUE(all_zero(s.view()));
}

TEST(SecretBytes, FromView_CopiesTheBytes) {
  Bytes src{9, 8, 7};
  SecretBytes s{ByteView(src)};
  src[0] = 0;
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0], 9);
  EXPECT_EQ(s[2], 7);
}

TEST(SecretBytes, MoveConstruct_TransfersBufferAndLeavesSourceEmpty) {
  SecretBytes a{ByteView(Bytes{1, 2, 3, 4, 5})};
  const std::uint8_t* buffer = a.data();
  SecretBytes b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is tested
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(b.size(), 5u);
  EXPECT_EQ(b[4], 5);
  // The same storage changed hands: no second copy of the secret was made.
  EXPECT_EQ(b.data(), buffer);
}

TEST(SecretBytes, MoveAssign_TransfersBufferAndLeavesSourceEmpty) {
  SecretBytes a{ByteView(Bytes{1, 2, 3})};
  SecretBytes b{ByteView(Bytes{7, 7, 7, 7, 7, 7})};
  const std::uint8_t* buffer = a.data();
  b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0], 1);
  EXPECT_EQ(b.data(), buffer);
}

TEST(SecretBytes, Clone_IsEqualAndIndependent) {
  SecretBytes a{ByteView(Bytes{0x10, 0x20, 0x30})};
  SecretBytes c = a.clone();
  EXPECT_TRUE(c == a);
  EXPECT_NE(c.data(), a.data());
  c.data()[1] = 0xff;
  EXPECT_EQ(a[1], 0x20);
  EXPECT_FALSE(c == a);
  a.data()[0] = 0x00;
  EXPECT_EQ(c[0], 0x10);
}

TEST(SecretBytes, CloneOfEmpty_IsEmpty) {
  SecretBytes a;
  SecretBytes c = a.clone();
  EXPECT_TRUE(c.empty());
  EXPECT_TRUE(c == a);
}

TEST(SecretBytes, ResizeShrinking_KeepsPrefix) {
  SecretBytes s{ByteView(Bytes{1, 2, 3, 4, 5, 6, 7, 8})};
  s.resize(3);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_TRUE(equal(s.view(), Bytes{1, 2, 3}));
}

TEST(SecretBytes, ResizeShrinkThenGrow_DoesNotResurrectCutBytes) {
  SecretBytes s{ByteView(Bytes{1, 2, 3, 4, 5, 6, 7, 8})};
  s.resize(2);
  s.resize(8);
  EXPECT_TRUE(equal(s.view(), Bytes{1, 2, 0, 0, 0, 0, 0, 0}));
}

TEST(SecretBytes, ResizeToZero_IsEmpty) {
  SecretBytes s{ByteView(Bytes{1, 2, 3})};
  s.resize(0);
  EXPECT_TRUE(s.empty());
}

TEST(SecretBytes, ResizeGrowing_ZeroFillsAndKeepsContent) {
  SecretBytes s{ByteView(Bytes{0xaa, 0xbb})};
  s.resize(1000);
  ASSERT_EQ(s.size(), 1000u);
  EXPECT_EQ(s[0], 0xaa);
  EXPECT_EQ(s[1], 0xbb);
  EXPECT_TRUE(all_zero(s.view().subspan(2)));
}

TEST(SecretBytes, Append_Concatenates) {
  SecretBytes s{ByteView(Bytes{1})};
  s.reserve(1);
  s.append(Bytes{2, 3});
  s.append(Bytes{});
  s.append(Bytes(100, 4));
  ASSERT_EQ(s.size(), 103u);
  EXPECT_EQ(s[0], 1);
  EXPECT_EQ(s[2], 3);
  EXPECT_EQ(s[102], 4);
}

TEST(SecretBytes, Clear_LeavesSizeZeroAndIsReusable) {
  SecretBytes s{ByteView(Bytes(64, 0x5a))};
  s.clear();
  EXPECT_EQ(s.size(), 0u);
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(s.view().empty());
  s.append(Bytes{1, 2});
  EXPECT_TRUE(equal(s.view(), Bytes{1, 2}));
  s.clear();
  s.clear();  // clearing twice is harmless
  EXPECT_TRUE(s.empty());
}

TEST(SecretBytes, MutableView_WritesThrough) {
  SecretBytes s(4);
  MutableByteView m = s.mutable_view();
  ASSERT_EQ(m.size(), 4u);
  m[3] = 0x42;
  EXPECT_EQ(s[3], 0x42);
}

TEST(SecretBytesEquality, EqualContents_AreEqual) {
  SecretBytes a{ByteView(Bytes{1, 2, 3})};
  SecretBytes b{ByteView(Bytes{1, 2, 3})};
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(a != b);
}

TEST(SecretBytesEquality, OneByteDifferent_AreUnequal) {
  SecretBytes a{ByteView(Bytes{1, 2, 3})};
  SecretBytes first{ByteView(Bytes{0, 2, 3})};
  SecretBytes last{ByteView(Bytes{1, 2, 4})};
  EXPECT_FALSE(a == first);
  EXPECT_FALSE(a == last);
  EXPECT_TRUE(a != last);
}

TEST(SecretBytesEquality, DifferentLengths_AreUnequal) {
  SecretBytes a{ByteView(Bytes{1, 2, 3})};
  SecretBytes prefix{ByteView(Bytes{1, 2})};
  SecretBytes empty;
  EXPECT_FALSE(a == prefix);
  EXPECT_FALSE(prefix == a);
  EXPECT_FALSE(a == empty);
  EXPECT_TRUE(empty == SecretBytes());
}

// --- SecretArray ---------------------------------------------------------------------------

TEST(SecretArray, StartsZeroedAndViewsAPrefix) {
  SecretArray<24> a;
  static_assert(SecretArray<24>::size() == 24);
  EXPECT_TRUE(all_zero(a.view()));
  EXPECT_EQ(a.view().size(), 24u);
  a.data()[0] = 7;
  ByteView first = a.view(1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0], 7);
  EXPECT_EQ(a.view().data(), a.data());
}

static_assert(!std::is_copy_constructible_v<SecretArray<8>>);
static_assert(!std::is_copy_assignable_v<SecretArray<8>>);

}  // namespace
}  // namespace mpsec
