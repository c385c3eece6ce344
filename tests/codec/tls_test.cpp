// Generic TLS-syntax encode/decode over MPSEC_TLS_FIELDS structs and custom types.
#include "codec/tls.hpp"

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <vector>

#include "base/test_support.hpp"

namespace mpsec::codec {
namespace {

using testutil::FailsWith;
using testutil::hex;
using testutil::IsOk;

enum class Color : std::uint16_t { red = 1, green = 0x0102 };
enum class Tiny : std::uint8_t { a = 0, b = 7 };

struct Inner {
  std::uint8_t tag = 0;
  Bytes data;
  MPSEC_TLS_FIELDS(tag, data)
  bool operator==(const Inner&) const = default;
};

struct Everything {
  std::uint8_t a8 = 0;
  std::uint16_t a16 = 0;
  std::uint32_t a32 = 0;
  std::uint64_t a64 = 0;
  Color color = Color::red;
  Tiny tiny = Tiny::a;
  Bytes opaque;
  SecretBytes secret;
  std::array<std::uint8_t, 4> fixed{};
  std::vector<std::uint16_t> shorts;
  std::vector<std::vector<std::uint16_t>> nested;
  std::vector<Inner> inners;
  std::vector<SecretBytes> secrets;
  std::optional<Inner> maybe;
  std::optional<std::uint32_t> absent;
  MPSEC_TLS_FIELDS(a8, a16, a32, a64, color, tiny, opaque, secret, fixed, shorts, nested, inners,
                   secrets, maybe, absent)
  bool operator==(const Everything&) const = default;
};

Everything sample() {
  Everything e;
  e.a8 = 0x01;
  e.a16 = 0x0203;
  e.a32 = 0x04050607;
  e.a64 = 0x08090a0b0c0d0e0f;
  e.color = Color::green;
  e.tiny = Tiny::b;
  e.opaque = {0xaa, 0xbb};
  e.secret = SecretBytes(ByteView(Bytes{0x5e, 0xc7}));
  e.fixed = {1, 2, 3, 4};
  e.shorts = {0x1111, 0x2222};
  e.nested = {{0x0001}, {}, {0x0002, 0x0003}};
  e.inners = {Inner{5, {0x61}}, Inner{6, {}}};
  e.secrets.emplace_back(ByteView(Bytes{0x01}));
  e.secrets.emplace_back();
  e.maybe = Inner{9, {0xca, 0xfe}};
  e.absent = std::nullopt;
  return e;
}

// Written out by hand from the TLS presentation language and RFC 9420 §2.1.2.
constexpr const char* kSampleHex =
    "01"                // a8
    "0203"              // a16
    "04050607"          // a32
    "08090a0b0c0d0e0f"  // a64
    "0102"              // color (uint16)
    "07"                // tiny (uint8)
    "02aabb"            // opaque<V>
    "025ec7"            // SecretBytes as opaque<V>
    "01020304"          // opaque[4]: no length
    "04"
    "1111"
    "2222"  // uint16 shorts<V>
    "09"
    "020001"
    "00"
    "0400020003"  // nested<V> of uint16<V>
    "05"
    "050161"
    "0600"  // Inner inners<V>
    "03"
    "0101"
    "00"  // SecretBytes secrets<V>
    "01"
    "09"
    "02cafe"  // optional<Inner>, present
    "00";     // optional<uint32>, absent

TEST(TlsCodec, Encode_IsByteExact) {
  auto enc = encode(sample());
  ASSERT_TRUE(IsOk(enc));
  EXPECT_EQ(to_hex(*enc), kSampleHex);
}

TEST(TlsCodec, Decode_RecoversEveryField) {
  auto dec = decode<Everything>(hex(kSampleHex));
  ASSERT_TRUE(IsOk(dec));
  EXPECT_TRUE(*dec == sample());
  EXPECT_EQ(dec->color, Color::green);
  EXPECT_EQ(dec->nested.size(), 3u);
  EXPECT_TRUE(dec->nested[1].empty());
  ASSERT_TRUE(dec->maybe.has_value());
  EXPECT_EQ(dec->maybe->data, (Bytes{0xca, 0xfe}));
  EXPECT_FALSE(dec->absent.has_value());
  EXPECT_TRUE(equal(dec->secret.view(), Bytes{0x5e, 0xc7}));
}

TEST(TlsCodec, RoundTrip_ReencodesToSameBytes) {
  const Bytes wire = hex(kSampleHex);
  auto dec = decode<Everything>(wire);
  ASSERT_TRUE(IsOk(dec));
  auto again = encode(*dec);
  ASSERT_TRUE(IsOk(again));
  EXPECT_EQ(*again, wire);
}

TEST(TlsCodec, DefaultValue_RoundTrips) {
  auto enc = encode(Everything{});
  ASSERT_TRUE(IsOk(enc));
  auto dec = decode<Everything>(*enc);
  ASSERT_TRUE(IsOk(dec));
  EXPECT_TRUE(*dec == Everything{});
}

TEST(TlsCodec, EveryTruncation_IsDecodeError) {
  const Bytes wire = hex(kSampleHex);
  for (std::size_t n = 0; n < wire.size(); ++n) {
    auto dec = decode<Everything>(ByteView(wire).first(n));
    EXPECT_TRUE(FailsWith(dec, Errc::decode_error)) << "prefix of " << n << " bytes";
  }
}

TEST(TlsCodec, TrailingByte_IsTrailingData) {
  Bytes wire = hex(kSampleHex);
  wire.push_back(0x00);
  EXPECT_TRUE(FailsWith(decode<Everything>(wire), Errc::trailing_data));
}

TEST(TlsCodec, MaxVectorBound_AppliesToFields) {
  // opaque is 2 bytes, the sample's longest vector content is 9 bytes.
  EXPECT_TRUE(IsOk(decode<Everything>(hex(kSampleHex), 9)));
  EXPECT_TRUE(FailsWith(decode<Everything>(hex(kSampleHex), 8), Errc::limit_exceeded));
}

// --- optional ------------------------------------------------------------------------------

struct WithOptional {
  std::optional<std::uint8_t> v;
  MPSEC_TLS_FIELDS(v)
};

TEST(TlsOptional, PresenceByteZeroAndOne) {
  auto absent = decode<WithOptional>(hex("00"));
  ASSERT_TRUE(IsOk(absent));
  EXPECT_FALSE(absent->v.has_value());
  auto present = decode<WithOptional>(hex("0105"));
  ASSERT_TRUE(IsOk(present));
  ASSERT_TRUE(present->v.has_value());
  EXPECT_EQ(*present->v, 5);
}

TEST(TlsOptional, PresenceByteTwo_Rejected) {
  EXPECT_TRUE(FailsWith(decode<WithOptional>(hex("0205")), Errc::decode_error));
  EXPECT_TRUE(FailsWith(decode<WithOptional>(hex("ff05")), Errc::decode_error));
}

TEST(TlsOptional, AbsentWithValueBytes_IsTrailingData) {
  EXPECT_TRUE(FailsWith(decode<WithOptional>(hex("0005")), Errc::trailing_data));
}

TEST(TlsOptional, PresentWithoutValue_IsDecodeError) {
  EXPECT_TRUE(FailsWith(decode<WithOptional>(hex("01")), Errc::decode_error));
}

TEST(TlsOptional, DecodeAbsent_ResetsAnExistingValue) {
  WithOptional w;
  w.v = 9;
  const Bytes wire = hex("00");
  Reader r(wire);
  ASSERT_TRUE(IsOk(decode(r, w)));
  EXPECT_FALSE(w.v.has_value());
}

// --- vectors -------------------------------------------------------------------------------

TEST(TlsVector, Decode_ReplacesRatherThanAppends) {
  std::vector<std::uint16_t> v{1, 2, 3};
  const Bytes wire = hex("02abcd");
  Reader r(wire);
  ASSERT_TRUE(IsOk(decode(r, v)));
  EXPECT_EQ(v, (std::vector<std::uint16_t>{0xabcd}));
}

struct VectorThenTail {
  std::vector<std::uint16_t> v;
  std::uint8_t tail = 0;
  MPSEC_TLS_FIELDS(v, tail)
};

TEST(TlsVector, ElementCannotReadPastItsVector) {
  // v claims 1 byte; a uint16 element would need the tail byte too.
  EXPECT_TRUE(FailsWith(decode<VectorThenTail>(hex("01aabb")), Errc::decode_error));
  auto good = decode<VectorThenTail>(hex("02aabbcc"));
  ASSERT_TRUE(IsOk(good));
  EXPECT_EQ(good->v, (std::vector<std::uint16_t>{0xaabb}));
  EXPECT_EQ(good->tail, 0xcc);
}

TEST(TlsVector, VectorLengthBeyondInput_IsDecodeError) {
  EXPECT_TRUE(FailsWith(decode<VectorThenTail>(hex("0aaabbcc")), Errc::decode_error));
}

TEST(TlsVector, NonMinimalVectorLength_IsDecodeError) {
  EXPECT_TRUE(FailsWith(decode<VectorThenTail>(hex("4002aabbcc")), Errc::decode_error));
}

// Element types that consume no bytes: decoding them from a non-empty vector must fail
// instead of looping forever. (std::vector<std::array<std::uint8_t, 0>> would be the plainest
// such type, but decoding a zero-size std::array does not compile under g++ 12 -O2 -Werror:
// std::copy into its null begin() trips -Wnonnull in tls.hpp.) A custom encoding with an
// empty body, like an empty variant case, is the realistic zero-byte element.
struct Nothing {
  void tls_encode(Writer&) const {}
  Status tls_decode(Reader&) { return ok(); }
};

struct ZeroSizeFields {
  Nothing nothing;
  MPSEC_TLS_FIELDS(nothing)
};

struct VectorOfNothing {
  std::vector<Nothing> items;
  MPSEC_TLS_FIELDS(items)
};

struct VectorOfZeroSizeStructs {
  std::vector<ZeroSizeFields> items;
  MPSEC_TLS_FIELDS(items)
};

TEST(TlsVector, ZeroByteElementsInNonEmptyVector_RejectedInsteadOfLooping) {
  EXPECT_TRUE(FailsWith(decode<VectorOfNothing>(hex("01aa")), Errc::decode_error));
  EXPECT_TRUE(FailsWith(decode<VectorOfZeroSizeStructs>(hex("03aabbcc")), Errc::decode_error));
}

TEST(TlsVector, ZeroByteElementsInEmptyVector_DecodeToEmpty) {
  auto v = decode<VectorOfNothing>(hex("00"));
  ASSERT_TRUE(IsOk(v));
  EXPECT_TRUE(v->items.empty());
}

TEST(TlsVector, ZeroByteElements_EncodeToEmptyVector) {
  VectorOfNothing v;
  v.items.resize(5);
  auto enc = encode(v);
  ASSERT_TRUE(IsOk(enc));
  EXPECT_EQ(to_hex(*enc), "00");
}

TEST(TlsVector, FixedArray_HasNoLengthPrefix) {
  std::array<std::uint8_t, 3> a{7, 8, 9};
  auto enc = encode(a);
  ASSERT_TRUE(IsOk(enc));
  EXPECT_EQ(to_hex(*enc), "070809");
  EXPECT_TRUE(FailsWith(decode<std::array<std::uint8_t, 3>>(hex("0708")), Errc::decode_error));
  EXPECT_TRUE(FailsWith(decode<std::array<std::uint8_t, 3>>(hex("07080900")), Errc::trailing_data));
}

// --- custom encodings ----------------------------------------------------------------------

// A tagged union, the way variants are written: select { case 1: uint16; case 2: opaque<V>; }
struct Choice {
  std::uint8_t kind = 1;
  std::uint16_t number = 0;
  Bytes blob;

  void tls_encode(Writer& w) const {
    w.u8(kind);
    if (kind == 1) w.u16(number);
    if (kind == 2) w.opaque(blob);
  }
  Status tls_decode(Reader& r) {
    kind = MPSEC_TRY(r.u8());
    switch (kind) {
      case 1:
        number = MPSEC_TRY(r.u16());
        return ok();
      case 2:
        blob = to_bytes(MPSEC_TRY(r.opaque()));
        return ok();
      default:
        return fail(Errc::decode_error, "unknown choice");
    }
  }
};

struct HoldsChoices {
  std::vector<Choice> choices;
  std::uint8_t end = 0;
  MPSEC_TLS_FIELDS(choices, end)
};

TEST(TlsCustom, EncodeAndDecodeThroughTheCustomFunctions) {
  HoldsChoices h;
  h.choices.push_back(Choice{1, 0x1234, {}});
  h.choices.push_back(Choice{2, 0, {0xde, 0xad}});
  h.end = 0x7e;
  auto enc = encode(h);
  ASSERT_TRUE(IsOk(enc));
  EXPECT_EQ(to_hex(*enc),
            "07"
            "011234"
            "0202dead"
            "7e");
  auto dec = decode<HoldsChoices>(*enc);
  ASSERT_TRUE(IsOk(dec));
  ASSERT_EQ(dec->choices.size(), 2u);
  EXPECT_EQ(dec->choices[0].number, 0x1234);
  EXPECT_EQ(dec->choices[1].blob, (Bytes{0xde, 0xad}));
  EXPECT_EQ(dec->end, 0x7e);
}

TEST(TlsCustom, CustomDecodeError_Propagates) {
  EXPECT_TRUE(FailsWith(decode<HoldsChoices>(hex("0103"
                                                 "00")),
                        Errc::decode_error));
}

// --- whole values --------------------------------------------------------------------------

TEST(TlsCodec, TopLevelIntegers) {
  auto enc = encode(std::uint32_t{0xdeadbeef});
  ASSERT_TRUE(IsOk(enc));
  EXPECT_EQ(to_hex(*enc), "deadbeef");
  auto dec = decode<std::uint32_t>(*enc);
  ASSERT_TRUE(IsOk(dec));
  EXPECT_EQ(*dec, 0xdeadbeefu);
}

TEST(TlsCodec, SecretBytes_RoundTrip) {
  SecretBytes s{ByteView(Bytes(70, 0x33))};
  auto enc = encode(s);
  ASSERT_TRUE(IsOk(enc));
  EXPECT_EQ(enc->size(), 72u);  // two-byte length for 70 bytes
  auto dec = decode<SecretBytes>(*enc);
  ASSERT_TRUE(IsOk(dec));
  EXPECT_TRUE(*dec == s);
}

}  // namespace
}  // namespace mpsec::codec
