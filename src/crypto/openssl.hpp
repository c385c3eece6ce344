// Owning handles for OpenSSL objects and the translation of OpenSSL failures into Errors.
// Internal to src/crypto.
#pragma once

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <string_view>

#include "mpsec/result.hpp"

namespace mpsec::crypto::ossl {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX_free>>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, Deleter<EVP_MAC_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_clear_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, Deleter<BN_CTX_free>>;
using EcGroupPtr = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP_free>>;
using EcPointPtr = std::unique_ptr<EC_POINT, Deleter<EC_POINT_clear_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;

// An Error with `code` whose message names the failing step and OpenSSL's reason. Clears
// OpenSSL's thread-local error queue so one failure does not leak into the next call.
Error error(Errc code, std::string_view what);

inline tl::unexpected<Error> fail(Errc code, std::string_view what) {
  return tl::unexpected<Error>(error(code, what));
}

// Drops whatever OpenSSL queued (after a failure we turn into our own typed error).
void clear_errors() noexcept;

// A shared key handle: copying takes another reference on the same EVP_PKEY.
class Pkey {
 public:
  Pkey() = default;
  explicit Pkey(PkeyPtr p) : p_(p.release(), EVP_PKEY_free) {}
  EVP_PKEY* get() const noexcept { return p_.get(); }
  explicit operator bool() const noexcept { return p_ != nullptr; }

 private:
  std::shared_ptr<EVP_PKEY> p_;
};

}  // namespace mpsec::crypto::ossl
