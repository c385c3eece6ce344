#include "crypto/signature.hpp"

namespace mpsec::crypto {

namespace {

struct SigInfo {
  bool eddsa;
  EcCurve curve;
  HashAlg hash;
  const char* ossl_name;  // for EdDSA
  std::size_t key_size;   // EdDSA public / private key size
};

SigInfo info_of(SigAlg alg) {
  switch (alg) {
    case SigAlg::ecdsa_secp256r1_sha256:
      return {false, EcCurve::p256, HashAlg::sha256, "", 0};
    case SigAlg::ecdsa_secp384r1_sha384:
      return {false, EcCurve::p384, HashAlg::sha384, "", 0};
    case SigAlg::ecdsa_secp521r1_sha512:
      return {false, EcCurve::p521, HashAlg::sha512, "", 0};
    case SigAlg::ed25519:
      return {true, EcCurve::p256, HashAlg::sha256, "ED25519", 32};
    case SigAlg::ed448:
      return {true, EcCurve::p256, HashAlg::sha256, "ED448", 57};
  }
  return {true, EcCurve::p256, HashAlg::sha256, "", 0};
}

}  // namespace

std::string_view sig_name(SigAlg alg) noexcept {
  switch (alg) {
    case SigAlg::ecdsa_secp256r1_sha256:
      return "ECDSA-P256-SHA256";
    case SigAlg::ecdsa_secp384r1_sha384:
      return "ECDSA-P384-SHA384";
    case SigAlg::ecdsa_secp521r1_sha512:
      return "ECDSA-P521-SHA512";
    case SigAlg::ed25519:
      return "Ed25519";
    case SigAlg::ed448:
      return "Ed448";
  }
  return "";
}

Result<SigAlg> sig_from_code(std::uint16_t code) {
  switch (static_cast<SigAlg>(code)) {
    case SigAlg::ecdsa_secp256r1_sha256:
    case SigAlg::ecdsa_secp384r1_sha384:
    case SigAlg::ecdsa_secp521r1_sha512:
    case SigAlg::ed25519:
    case SigAlg::ed448:
      return static_cast<SigAlg>(code);
  }
  return fail(Errc::unsupported, "signature scheme not offered");
}

Result<VerifyKey> VerifyKey::parse(SigAlg alg, ByteView data) {
  const SigInfo info = info_of(alg);
  if (!info.eddsa) return ecdsa(info.curve, info.hash, data);
  MPSEC_ENSURE(data.size() == info.key_size, Errc::invalid_key,
               "EdDSA public key has the wrong size");
  EVP_PKEY* raw =
      EVP_PKEY_new_raw_public_key_ex(nullptr, info.ossl_name, nullptr, data.data(), data.size());
  if (raw == nullptr) return ossl::fail(Errc::invalid_key, "EdDSA public key import");
  return VerifyKey(ossl::Pkey(ossl::PkeyPtr(raw)), nullptr, to_bytes(data));
}

Result<VerifyKey> VerifyKey::ecdsa(EcCurve curve, HashAlg hash, ByteView point) {
  auto key = MPSEC_TRY(ec_public_key(curve, point));
  return VerifyKey(std::move(key), evp_md(hash), to_bytes(point));
}

Status VerifyKey::verify(ByteView message, ByteView signature) const {
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx ||
      EVP_DigestVerifyInit_ex(ctx.get(), nullptr, md_ != nullptr ? EVP_MD_get0_name(md_) : nullptr,
                              nullptr, nullptr, key_.get(), nullptr) != 1)
    return ossl::fail(Errc::crypto_error, "EVP_DigestVerifyInit_ex");
  // OpenSSL's ECDSA verify rejects signatures that are not strict DER (it re-encodes and
  // compares), and its EdDSA verify rejects non-canonical S.
  const int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                                  message.size());
  ossl::clear_errors();
  MPSEC_ENSURE(rc == 1, Errc::authentication_failed, "signature does not verify");
  return ok();
}

Result<SigningKey> SigningKey::parse(SigAlg alg, ByteView data) {
  const SigInfo info = info_of(alg);
  if (!info.eddsa) {
    // The scalar is a big-endian integer; some encoders drop leading zero bytes (one of the
    // P-521 MLS interop vectors has 65 bytes), so shorter encodings are left-padded.
    const std::size_t size = ec_curve_info(info.curve).scalar_size;
    MPSEC_ENSURE(!data.empty() && data.size() <= size, Errc::invalid_key,
                 "ECDSA private key has the wrong size");
    SecretBytes scalar(size);
    std::copy(data.begin(), data.end(), scalar.data() + (size - data.size()));
    auto key = MPSEC_TRY(ec_private_key(info.curve, scalar.view()));
    auto point = MPSEC_TRY(ec_public_point(info.curve, key.get()));
    auto pub = MPSEC_TRY(VerifyKey::ecdsa(info.curve, info.hash, point));
    return SigningKey(alg, std::move(key), std::move(pub));
  }
  MPSEC_ENSURE(data.size() == info.key_size, Errc::invalid_key,
               "EdDSA private key has the wrong size");
  EVP_PKEY* raw =
      EVP_PKEY_new_raw_private_key_ex(nullptr, info.ossl_name, nullptr, data.data(), data.size());
  if (raw == nullptr) return ossl::fail(Errc::invalid_key, "EdDSA private key import");
  ossl::Pkey key{ossl::PkeyPtr(raw)};
  Bytes pub(info.key_size);
  std::size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len) != 1 || len != pub.size())
    return ossl::fail(Errc::crypto_error, "EdDSA public key export");
  auto vk = MPSEC_TRY(VerifyKey::parse(alg, pub));
  return SigningKey(alg, std::move(key), std::move(vk));
}

Result<SigningKey> SigningKey::generate(SigAlg alg, Random& rng) {
  const SigInfo info = info_of(alg);
  if (!info.eddsa) {
    auto scalar = MPSEC_TRY(ec_random_scalar(info.curve, rng));
    return parse(alg, scalar.view());
  }
  SecretBytes seed(info.key_size);
  MPSEC_TRY(rng.fill(seed.mutable_view()));
  return parse(alg, seed.view());
}

Result<SecretBytes> SigningKey::serialize() const {
  const SigInfo info = info_of(alg_);
  if (!info.eddsa) return ec_private_scalar(info.curve, key_.get());
  SecretBytes out(info.key_size);
  std::size_t len = out.size();
  if (EVP_PKEY_get_raw_private_key(key_.get(), out.data(), &len) != 1 || len != out.size())
    return ossl::fail(Errc::crypto_error, "EdDSA private key export");
  return out;
}

Result<Bytes> SigningKey::sign(ByteView message) const {
  const SigInfo info = info_of(alg_);
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  const char* md_name = info.eddsa ? nullptr : EVP_MD_get0_name(evp_md(info.hash));
  std::size_t len = 0;
  if (!ctx ||
      EVP_DigestSignInit_ex(ctx.get(), nullptr, md_name, nullptr, nullptr, key_.get(), nullptr) !=
          1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1)
    return ossl::fail(Errc::crypto_error, "EVP_DigestSign setup");
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1)
    return ossl::fail(Errc::crypto_error, "EVP_DigestSign");
  sig.resize(len);
  return sig;
}

namespace {
// DER INTEGER of a big-endian unsigned value: minimal, with a 0x00 pad if the top bit is set.
void der_integer(Bytes& out, ByteView v) {
  std::size_t i = 0;
  while (i + 1 < v.size() && v[i] == 0)
    ++i;
  v = v.subspan(i);
  const bool pad = !v.empty() && (v[0] & 0x80) != 0;
  out.push_back(0x02);
  out.push_back(static_cast<std::uint8_t>(v.size() + (pad ? 1 : 0)));
  if (pad) out.push_back(0x00);
  append(out, v);
}
}  // namespace

Result<Bytes> ecdsa_p1363_to_der(ByteView signature, std::size_t scalar_size) {
  MPSEC_ENSURE(signature.size() == 2 * scalar_size, Errc::decode_error,
               "P1363 signature has the wrong length");
  Bytes body;
  der_integer(body, signature.first(scalar_size));
  der_integer(body, signature.subspan(scalar_size));
  Bytes out{0x30};
  if (body.size() >= 0x80) out.push_back(0x81);
  out.push_back(static_cast<std::uint8_t>(body.size()));
  append(out, body);
  return out;
}

}  // namespace mpsec::crypto
