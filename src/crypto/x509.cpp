#include "crypto/x509.hpp"

#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "crypto/openssl.hpp"

namespace mpsec::crypto {

namespace {
using X509Ptr = std::unique_ptr<X509, ossl::Deleter<X509_free>>;
using StorePtr = std::unique_ptr<X509_STORE, ossl::Deleter<X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, ossl::Deleter<X509_STORE_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, ossl::Deleter<BIO_free>>;

void free_stack(STACK_OF(X509) * s) {
  sk_X509_pop_free(s, X509_free);
}
using StackPtr = std::unique_ptr<STACK_OF(X509), ossl::Deleter<free_stack>>;

Result<X509Ptr> parse_der(const Bytes& der) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != der.data() + der.size())
    return ossl::fail(Errc::decode_error, "certificate is not one DER X.509 structure");
  return cert;
}
}  // namespace

struct X509Verifier::Impl {
  StorePtr store;
};

X509Verifier::X509Verifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
X509Verifier::X509Verifier(X509Verifier&&) noexcept = default;
X509Verifier& X509Verifier::operator=(X509Verifier&&) noexcept = default;
X509Verifier::~X509Verifier() = default;

Result<X509Verifier> X509Verifier::create(ByteView anchors_pem) {
  auto impl = std::make_unique<Impl>();
  impl->store.reset(X509_STORE_new());
  BioPtr bio(BIO_new_mem_buf(anchors_pem.data(), static_cast<int>(anchors_pem.size())));
  if (!impl->store || !bio) return ossl::fail(Errc::crypto_error, "X509_STORE_new");
  int count = 0;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    X509Ptr owned(cert);
    if (X509_STORE_add_cert(impl->store.get(), cert) != 1)
      return ossl::fail(Errc::crypto_error, "X509_STORE_add_cert");
    ++count;
  }
  ossl::clear_errors();  // the read loop ends with a "no start line" error
  MPSEC_ENSURE(count > 0, Errc::invalid_argument, "no trust anchor certificates");
  return X509Verifier(std::move(impl));
}

Result<Bytes> X509Verifier::verify(std::span<const Bytes> chain, std::int64_t check_time,
                                   SigAlg alg) const {
  MPSEC_ENSURE(!chain.empty(), Errc::authentication_failed, "empty certificate chain");
  auto leaf = MPSEC_TRY(parse_der(chain[0]));
  StackPtr intermediates(sk_X509_new_null());
  for (std::size_t i = 1; i < chain.size(); ++i) {
    auto c = MPSEC_TRY(parse_der(chain[i]));
    if (sk_X509_push(intermediates.get(), c.get()) <= 0)
      return ossl::fail(Errc::crypto_error, "sk_X509_push");
    c.release();
  }
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx ||
      X509_STORE_CTX_init(ctx.get(), impl_->store.get(), leaf.get(), intermediates.get()) != 1)
    return ossl::fail(Errc::crypto_error, "X509_STORE_CTX_init");
  X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(check_time));
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    ossl::clear_errors();
    return fail(Errc::authentication_failed, std::string("certificate chain does not verify: ") +
                                                 X509_verify_cert_error_string(err));
  }
  EVP_PKEY* pkey = X509_get0_pubkey(leaf.get());
  MPSEC_ENSURE(pkey != nullptr, Errc::invalid_key, "certificate without a public key");
  Bytes out;
  if (alg == SigAlg::ed25519 || alg == SigAlg::ed448) {
    MPSEC_ENSURE(EVP_PKEY_is_a(pkey, alg == SigAlg::ed25519 ? "ED25519" : "ED448"),
                 Errc::invalid_key, "certificate key is for another algorithm");
    std::size_t len = 0;
    if (EVP_PKEY_get_raw_public_key(pkey, nullptr, &len) != 1)
      return ossl::fail(Errc::invalid_key, "EdDSA key export");
    out.resize(len);
    if (EVP_PKEY_get_raw_public_key(pkey, out.data(), &len) != 1)
      return ossl::fail(Errc::invalid_key, "EdDSA key export");
  } else {
    MPSEC_ENSURE(EVP_PKEY_is_a(pkey, "EC"), Errc::invalid_key,
                 "certificate key is for another algorithm");
    // Export as an uncompressed point whatever the certificate's encoding.
    char format[] = "uncompressed";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, format, 0),
        OSSL_PARAM_construct_end()};
    ossl::PkeyPtr copy(EVP_PKEY_dup(pkey));
    std::size_t len = 0;
    if (!copy || EVP_PKEY_set_params(copy.get(), params) != 1 ||
        EVP_PKEY_get_octet_string_param(copy.get(), OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0, &len) != 1)
      return ossl::fail(Errc::invalid_key, "EC key export");
    out.resize(len);
    if (EVP_PKEY_get_octet_string_param(copy.get(), OSSL_PKEY_PARAM_PUB_KEY, out.data(), len,
                                        &len) != 1)
      return ossl::fail(Errc::invalid_key, "EC key export");
    // The curve must be the scheme's: parsing with the scheme checks that.
  }
  MPSEC_TRY(VerifyKey::parse(alg, out));
  return out;
}

}  // namespace mpsec::crypto
