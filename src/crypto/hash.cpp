#include "crypto/hash.hpp"

#include <openssl/core_names.h>

#include <array>
#include <climits>

namespace mpsec::crypto {

std::size_t hash_size(HashAlg alg) noexcept {
  switch (alg) {
    case HashAlg::sha256:
      return 32;
    case HashAlg::sha384:
      return 48;
    case HashAlg::sha512:
      return 64;
  }
  return 0;
}

std::string_view hash_name(HashAlg alg) noexcept {
  switch (alg) {
    case HashAlg::sha256:
      return "SHA2-256";
    case HashAlg::sha384:
      return "SHA2-384";
    case HashAlg::sha512:
      return "SHA2-512";
  }
  return "";
}

const EVP_MD* evp_md(HashAlg alg) {
  // Fetching is costly in OpenSSL 3 (a locked lookup); fetch each digest once.
  static const std::array<EVP_MD*, 3> mds = {
      EVP_MD_fetch(nullptr, "SHA2-256", nullptr),
      EVP_MD_fetch(nullptr, "SHA2-384", nullptr),
      EVP_MD_fetch(nullptr, "SHA2-512", nullptr),
  };
  return mds[static_cast<std::size_t>(alg)];
}

Result<Bytes> digest(HashAlg alg, ByteView data) {
  MPSEC_ENSURE(evp_md(alg) != nullptr, Errc::crypto_error, "digest unavailable in OpenSSL");
  Bytes out(hash_size(alg));
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, evp_md(alg), nullptr) != 1 ||
      len != out.size())
    return ossl::fail(Errc::crypto_error, "EVP_Digest");
  return out;
}

Result<Hasher> Hasher::create(HashAlg alg) {
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || evp_md(alg) == nullptr || EVP_DigestInit_ex2(ctx.get(), evp_md(alg), nullptr) != 1)
    return ossl::fail(Errc::crypto_error, "EVP_DigestInit_ex2");
  return Hasher(std::move(ctx));
}

Status Hasher::update(ByteView data) {
  MPSEC_ENSURE(ctx_ != nullptr, Errc::invalid_state, "hasher already finished");
  if (EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1)
    return ossl::fail(Errc::crypto_error, "EVP_DigestUpdate");
  return ok();
}

Result<Bytes> Hasher::finish() {
  MPSEC_ENSURE(ctx_ != nullptr, Errc::invalid_state, "hasher already finished");
  Bytes out(static_cast<std::size_t>(EVP_MD_CTX_get_size(ctx_.get())));
  unsigned int len = 0;
  const int rc = EVP_DigestFinal_ex(ctx_.get(), out.data(), &len);
  ctx_.reset();
  if (rc != 1) return ossl::fail(Errc::crypto_error, "EVP_DigestFinal_ex");
  return out;
}

namespace {

// One HMAC context per hash with the digest already chosen and no key; each call duplicates
// it, which avoids a provider lookup per MAC. The templates never hold key material.
EVP_MAC_CTX* hmac_template(HashAlg alg) {
  static const std::array<EVP_MAC_CTX*, 3> templates = [] {
    std::array<EVP_MAC_CTX*, 3> out{};
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) return out;
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = EVP_MAC_CTX_new(mac);
      std::string name(hash_name(static_cast<HashAlg>(i)));
      OSSL_PARAM params[] = {
          OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name.data(), 0),
          OSSL_PARAM_construct_end()};
      if (out[i] != nullptr && EVP_MAC_CTX_set_params(out[i], params) != 1) {
        EVP_MAC_CTX_free(out[i]);
        out[i] = nullptr;
      }
    }
    EVP_MAC_free(mac);  // the contexts keep their own reference
    return out;
  }();
  return templates[static_cast<std::size_t>(alg)];
}

Result<ossl::MacCtxPtr> hmac_keyed(HashAlg alg, ByteView key) {
  EVP_MAC_CTX* tmpl = hmac_template(alg);
  if (tmpl == nullptr) return ossl::fail(Errc::crypto_error, "HMAC unavailable in OpenSSL");
  ossl::MacCtxPtr ctx(EVP_MAC_CTX_dup(tmpl));
  // OpenSSL rejects a NULL key pointer even for an empty key.
  static const std::uint8_t kEmpty = 0;
  if (!ctx || EVP_MAC_init(ctx.get(), key.empty() ? &kEmpty : key.data(), key.size(), nullptr) != 1)
    return ossl::fail(Errc::crypto_error, "EVP_MAC_init(HMAC)");
  return ctx;
}

}  // namespace

Result<HmacKey> HmacKey::create(HashAlg alg, ByteView key) {
  return HmacKey(alg, MPSEC_TRY(hmac_keyed(alg, key)));
}

Status HmacKey::mac(std::initializer_list<ByteView> parts, MutableByteView out) const {
  MPSEC_ENSURE(out.size() == hash_size(alg_), Errc::invalid_argument, "HMAC output size");
  // Re-initialising without a key restarts from the stored pad states.
  if (EVP_MAC_init(ctx_.get(), nullptr, 0, nullptr) != 1)
    return ossl::fail(Errc::crypto_error, "EVP_MAC_init(HMAC)");
  for (ByteView p : parts) {
    if (!p.empty() && EVP_MAC_update(ctx_.get(), p.data(), p.size()) != 1)
      return ossl::fail(Errc::crypto_error, "EVP_MAC_update");
  }
  std::size_t len = 0;
  if (EVP_MAC_final(ctx_.get(), out.data(), &len, out.size()) != 1 || len != out.size())
    return ossl::fail(Errc::crypto_error, "EVP_MAC_final");
  return ok();
}

Result<SecretBytes> HmacKey::expand(ByteView info, std::size_t length) const {
  // RFC 5869 §2.3: T(i) = HMAC(PRK, T(i-1) || info || i)
  const std::size_t nh = hash_size(alg_);
  MPSEC_ENSURE(length <= 255 * nh, Errc::invalid_argument, "HKDF-Expand length above 255 * Nh");
  SecretBytes out(length);
  SecretArray<kMaxHashSize> t;
  std::size_t t_len = 0;
  for (std::size_t done = 0, i = 1; done < length; ++i) {
    const std::uint8_t counter[1] = {static_cast<std::uint8_t>(i)};
    MPSEC_TRY(mac({ByteView(t.data(), t_len), info, ByteView(counter, 1)},
                  MutableByteView(t.data(), nh)));
    t_len = nh;
    const std::size_t n = std::min(nh, length - done);
    std::copy_n(t.data(), n, out.data() + done);
    done += n;
  }
  return out;
}

Result<Bytes> hmac(HashAlg alg, ByteView key, ByteView data) {
  auto k = MPSEC_TRY(HmacKey::create(alg, key));
  Bytes out(hash_size(alg));
  MPSEC_TRY(k.mac({data}, out));
  return out;
}

Result<SecretBytes> hmac_secret(HashAlg alg, ByteView key, ByteView data) {
  auto k = MPSEC_TRY(HmacKey::create(alg, key));
  SecretBytes out(hash_size(alg));
  MPSEC_TRY(k.mac({data}, out.mutable_view()));
  return out;
}

Status hmac_verify(HashAlg alg, ByteView key, ByteView data, ByteView tag, std::size_t tag_length) {
  if (tag_length == 0) tag_length = hash_size(alg);
  MPSEC_ENSURE(tag_length >= hash_size(alg) / 2 && tag_length <= hash_size(alg),
               Errc::invalid_argument, "MAC tag length must be between Nh/2 and Nh");
  MPSEC_ENSURE(tag.size() == tag_length, Errc::authentication_failed,
               "MAC tag has the wrong length");
  auto expected = MPSEC_TRY(hmac(alg, key, data));
  MPSEC_ENSURE(ct_equal(ByteView(expected).first(tag.size()), tag), Errc::authentication_failed,
               "MAC tag does not verify");
  return ok();
}

Result<SecretBytes> hkdf_extract(HashAlg alg, ByteView salt, ByteView ikm) {
  // HMAC pads short keys with zeros, so an empty salt is the RFC 5869 default of Nh zeros.
  return hmac_secret(alg, salt, ikm);
}

Result<SecretBytes> hkdf_expand(HashAlg alg, ByteView prk, ByteView info, std::size_t length) {
  MPSEC_ENSURE(length <= 255 * hash_size(alg), Errc::invalid_argument,
               "HKDF-Expand length above 255 * Nh");
  auto key = MPSEC_TRY(HmacKey::create(alg, prk));
  return key.expand(info, length);
}

}  // namespace mpsec::crypto
