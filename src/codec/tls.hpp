// Generic TLS-syntax serialization, declared beside each struct:
//
//   // struct { uint16 length; opaque label<V>; opaque context<V>; } KDFLabel;
//   struct KdfLabel {
//     std::uint16_t length; Bytes label; Bytes context;
//     MPSEC_TLS_FIELDS(length, label, context)
//   };
//
// The C++ type of a field selects its encoding:
//   uint8/16/32/64_t        fixed-width big-endian integers
//   enum class E : uintN_t  its underlying integer
//   Bytes, SecretBytes      opaque<V>
//   std::array<uint8_t, N>  fixed-size opaque[N]
//   std::vector<T>          T elements<V>
//   std::optional<T>        optional<T> (presence byte 0 or 1)
//   a struct with MPSEC_TLS_FIELDS   its fields in order
//   a struct with tls_encode(Writer&) const / tls_decode(Reader&)   custom (variants)
#pragma once

#include <array>
#include <concepts>
#include <optional>
#include <tuple>
#include <type_traits>
#include <vector>

#include "codec/reader.hpp"
#include "codec/writer.hpp"
#include "mpsec/secret_bytes.hpp"

#define MPSEC_TLS_FIELDS(...)     \
  auto tls_fields() {             \
    return std::tie(__VA_ARGS__); \
  }                               \
  auto tls_fields() const {       \
    return std::tie(__VA_ARGS__); \
  }

namespace mpsec::codec {

template <class T>
concept TlsFields = requires(T& t, const T& c) {
  t.tls_fields();
  c.tls_fields();
};

template <class T>
concept TlsCustom = requires(const T& c, T& t, Writer& w, Reader& r) {
  c.tls_encode(w);
  { t.tls_decode(r) } -> std::same_as<Status>;
};

template <class T>
concept TlsUnsigned = std::unsigned_integral<T> && !std::same_as<T, bool>;

template <class T>
struct IsStdVector : std::false_type {};
template <class T>
struct IsStdVector<std::vector<T>> : std::true_type {};
template <class T>
struct IsStdOptional : std::false_type {};
template <class T>
struct IsStdOptional<std::optional<T>> : std::true_type {};
template <class T>
struct IsByteArray : std::false_type {};
template <std::size_t N>
struct IsByteArray<std::array<std::uint8_t, N>> : std::true_type {};

template <class T>
void encode(Writer& w, const T& v);
template <class T>
[[nodiscard]] Status decode(Reader& r, T& v);

template <class T>
void encode(Writer& w, const T& v) {
  if constexpr (TlsCustom<T>) {
    v.tls_encode(w);
  } else if constexpr (TlsFields<T>) {
    std::apply([&w](const auto&... f) { (encode(w, f), ...); }, v.tls_fields());
  } else if constexpr (std::is_enum_v<T>) {
    encode(w, static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (TlsUnsigned<T>) {
    if constexpr (sizeof(T) == 1)
      w.u8(v);
    else if constexpr (sizeof(T) == 2)
      w.u16(v);
    else if constexpr (sizeof(T) == 4)
      w.u32(v);
    else
      w.u64(v);
  } else if constexpr (std::same_as<T, Bytes>) {
    w.opaque(v);
  } else if constexpr (std::same_as<T, SecretBytes>) {
    w.opaque(v.view());
  } else if constexpr (IsByteArray<T>::value) {
    w.raw(v);
  } else if constexpr (IsStdVector<T>::value) {
    w.vector([&v](Writer& inner) {
      for (const auto& e : v)
        encode(inner, e);
    });
  } else if constexpr (IsStdOptional<T>::value) {
    w.u8(v.has_value() ? 1 : 0);
    if (v) encode(w, *v);
  } else {
    static_assert(sizeof(T) == 0, "no TLS encoding for this type");
  }
}

template <class T>
Status decode(Reader& r, T& v) {
  if constexpr (TlsCustom<T>) {
    return v.tls_decode(r);
  } else if constexpr (TlsFields<T>) {
    return std::apply(
        [&r](auto&... f) -> Status {
          Status s = ok();
          ((s = s ? decode(r, f) : s), ...);
          return s;
        },
        v.tls_fields());
  } else if constexpr (std::is_enum_v<T>) {
    std::underlying_type_t<T> raw{};
    MPSEC_TRY(decode(r, raw));
    v = static_cast<T>(raw);
    return ok();
  } else if constexpr (TlsUnsigned<T>) {
    if constexpr (sizeof(T) == 1)
      v = MPSEC_TRY(r.u8());
    else if constexpr (sizeof(T) == 2)
      v = MPSEC_TRY(r.u16());
    else if constexpr (sizeof(T) == 4)
      v = MPSEC_TRY(r.u32());
    else
      v = MPSEC_TRY(r.u64());
    return ok();
  } else if constexpr (std::same_as<T, Bytes>) {
    v = to_bytes(MPSEC_TRY(r.opaque()));
    return ok();
  } else if constexpr (std::same_as<T, SecretBytes>) {
    v = SecretBytes(MPSEC_TRY(r.opaque()));
    return ok();
  } else if constexpr (IsByteArray<T>::value) {
    ByteView raw = MPSEC_TRY(r.raw(v.size()));
    if constexpr (std::tuple_size_v<T> != 0) std::copy(raw.begin(), raw.end(), v.begin());
    return ok();
  } else if constexpr (IsStdVector<T>::value) {
    Reader inner = MPSEC_TRY(r.vector());
    T out;
    while (!inner.empty()) {
      const std::size_t before = inner.remaining();
      typename T::value_type e{};
      MPSEC_TRY(decode(inner, e));
      // An element that consumes nothing would loop forever on hostile input.
      MPSEC_ENSURE(inner.remaining() < before, Errc::decode_error, "empty vector element");
      out.push_back(std::move(e));
    }
    v = std::move(out);
    return ok();
  } else if constexpr (IsStdOptional<T>::value) {
    const std::uint8_t present = MPSEC_TRY(r.u8());
    MPSEC_ENSURE(present <= 1, Errc::decode_error, "optional presence byte is not 0 or 1");
    if (present == 0) {
      v.reset();
      return ok();
    }
    typename T::value_type inner{};
    MPSEC_TRY(decode(r, inner));
    v = std::move(inner);
    return ok();
  } else {
    static_assert(sizeof(T) == 0, "no TLS decoding for this type");
  }
}

// The encoding of a whole value.
template <class T>
[[nodiscard]] Result<Bytes> encode(const T& v) {
  Writer w;
  encode(w, v);
  return std::move(w).finish();
}

// The encoding of a value that holds secrets (see Writer::for_secrets).
template <class T>
[[nodiscard]] Result<SecretBytes> encode_secret(const T& v) {
  Writer w = Writer::for_secrets();
  encode(w, v);
  return std::move(w).finish_secret();
}

// Decodes a whole value: every byte must belong to it.
template <class T>
[[nodiscard]] Result<T> decode(ByteView data, std::size_t max_vector = kDefaultMaxVector) {
  Reader r(data, max_vector);
  T out{};
  MPSEC_TRY(decode(r, out));
  MPSEC_TRY(r.finish());
  return out;
}

}  // namespace mpsec::codec
