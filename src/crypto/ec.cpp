#include "crypto/ec.hpp"

#include <openssl/core_names.h>
#include <openssl/obj_mac.h>

#include <array>
#include <string>

namespace mpsec::crypto {

const EcCurveInfo& ec_curve_info(EcCurve curve) noexcept {
  static const std::array<EcCurveInfo, 3> infos = {{
      {"P-256", 32, 65, 0xff},
      {"P-384", 48, 97, 0xff},
      {"P-521", 66, 133, 0x01},
  }};
  return infos[static_cast<std::size_t>(curve)];
}

namespace {

int curve_nid(EcCurve curve) {
  switch (curve) {
    case EcCurve::p256:
      return NID_X9_62_prime256v1;
    case EcCurve::p384:
      return NID_secp384r1;
    case EcCurve::p521:
      return NID_secp521r1;
  }
  return NID_undef;
}

// Curve parameters are immutable once built; build each group once.
const EC_GROUP* curve_group(EcCurve curve) {
  static const std::array<EC_GROUP*, 3> groups = {
      EC_GROUP_new_by_curve_name(curve_nid(EcCurve::p256)),
      EC_GROUP_new_by_curve_name(curve_nid(EcCurve::p384)),
      EC_GROUP_new_by_curve_name(curve_nid(EcCurve::p521)),
  };
  return groups[static_cast<std::size_t>(curve)];
}

Result<ossl::Pkey> from_params(EcCurve curve, const BIGNUM* priv, ByteView point) {
  ossl::ParamBldPtr bld(OSSL_PARAM_BLD_new());
  std::string name(ec_curve_info(curve).name);
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, name.c_str(), 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1 ||
      (priv != nullptr && OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1))
    return ossl::fail(Errc::crypto_error, "OSSL_PARAM_BLD");
  ossl::ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, priv != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params.get()) != 1)
    return ossl::fail(Errc::invalid_key, "EC key import");
  return ossl::Pkey(ossl::PkeyPtr(raw));
}

}  // namespace

Result<bool> ec_scalar_in_range(EcCurve curve, ByteView scalar) {
  MPSEC_ENSURE(scalar.size() == ec_curve_info(curve).scalar_size, Errc::invalid_key,
               "EC scalar has the wrong size");
  ossl::BnPtr s(BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), nullptr));
  if (!s) return ossl::fail(Errc::crypto_error, "BN_bin2bn");
  const BIGNUM* order = EC_GROUP_get0_order(curve_group(curve));
  return !BN_is_zero(s.get()) && BN_cmp(s.get(), order) < 0;
}

Result<ossl::Pkey> ec_private_key(EcCurve curve, ByteView scalar) {
  MPSEC_ENSURE(MPSEC_TRY(ec_scalar_in_range(curve, scalar)), Errc::invalid_key,
               "EC private scalar out of range");
  const EC_GROUP* group = curve_group(curve);
  ossl::BnPtr s(BN_secure_new());
  if (!s || BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), s.get()) == nullptr)
    return ossl::fail(Errc::crypto_error, "BN_bin2bn");
  BN_set_flags(s.get(), BN_FLG_CONSTTIME);
  // OpenSSL 3.0 does not derive the public point on import, so compute pub = s * G here.
  ossl::EcPointPtr pub(EC_POINT_new(group));
  ossl::BnCtxPtr bn_ctx(BN_CTX_new());
  if (!pub || !bn_ctx ||
      EC_POINT_mul(group, pub.get(), s.get(), nullptr, nullptr, bn_ctx.get()) != 1)
    return ossl::fail(Errc::crypto_error, "EC_POINT_mul");
  Bytes point(ec_curve_info(curve).point_size);
  if (EC_POINT_point2oct(group, pub.get(), POINT_CONVERSION_UNCOMPRESSED, point.data(),
                         point.size(), bn_ctx.get()) != point.size())
    return ossl::fail(Errc::crypto_error, "EC_POINT_point2oct");
  return from_params(curve, s.get(), point);
}

Result<ossl::Pkey> ec_public_key(EcCurve curve, ByteView point) {
  const auto& info = ec_curve_info(curve);
  MPSEC_ENSURE(point.size() == info.point_size && point[0] == 0x04, Errc::invalid_key,
               "EC public key is not an uncompressed point");
  auto key = MPSEC_TRY(from_params(curve, nullptr, point));
  // Import already decodes the point onto the curve; the check also rules out infinity.
  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!ctx || EVP_PKEY_public_check(ctx.get()) != 1)
    return ossl::fail(Errc::invalid_key, "EC public key fails validation");
  return key;
}

Result<Bytes> ec_public_point(EcCurve curve, EVP_PKEY* key) {
  Bytes out(ec_curve_info(curve).point_size);
  std::size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, out.data(), out.size(), &len) !=
          1 ||
      len != out.size() || out[0] != 0x04)
    return ossl::fail(Errc::crypto_error, "EC public point export");
  return out;
}

Result<SecretBytes> ec_private_scalar(EcCurve curve, EVP_PKEY* key) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1)
    return ossl::fail(Errc::crypto_error, "EC private scalar export");
  ossl::BnPtr s(raw);
  SecretBytes out(ec_curve_info(curve).scalar_size);
  if (BN_bn2binpad(s.get(), out.data(), static_cast<int>(out.size())) !=
      static_cast<int>(out.size()))
    return ossl::fail(Errc::crypto_error, "BN_bn2binpad");
  return out;
}

Result<SecretBytes> ec_random_scalar(EcCurve curve, Random& rng) {
  const auto& info = ec_curve_info(curve);
  SecretBytes s(info.scalar_size);
  // For these curves the order is close to 2^k, so few draws are ever rejected.
  for (int attempt = 0; attempt < 256; ++attempt) {
    MPSEC_TRY(rng.fill(s.mutable_view()));
    s.data()[0] &= info.top_mask;
    if (MPSEC_TRY(ec_scalar_in_range(curve, s.view()))) return s;
  }
  return fail(Errc::random_failure, "no valid EC scalar in 256 draws");
}

}  // namespace mpsec::crypto
