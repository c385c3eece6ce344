// Crypto-layer benchmarks. Each mpsec figure has an OpenSSL baseline measured in the same run:
//   crypto/aead_seal/<aead>/<size>  vs  crypto/evp_seal/<aead>/<size>
//   crypto/aead_open/<aead>/<size>  vs  crypto/evp_open/<aead>/<size>
//   crypto/sign/<alg>, crypto/verify/<alg>  vs  crypto/evp_sign/<alg>, crypto/evp_verify/<alg>
//   crypto/hpke_seal/<kem>, crypto/hpke_open/<kem>  vs  crypto/evp_dh/<kem> (the DH work
//   HPKE cannot avoid: a key generation and a derivation per seal, a derivation per open)
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <string>

#include "crypto/aead.hpp"
#include "crypto/hpke.hpp"
#include "crypto/signature.hpp"

namespace {

using namespace mpsec;
using namespace mpsec::crypto;

constexpr AeadAlg kAeads[] = {AeadAlg::aes128gcm, AeadAlg::aes256gcm, AeadAlg::chacha20poly1305};
constexpr std::size_t kSizes[] = {64, 1024, 16384};

std::string aead_slug(AeadAlg alg) {
  switch (alg) {
    case AeadAlg::aes128gcm:
      return "aes128gcm";
    case AeadAlg::aes256gcm:
      return "aes256gcm";
    case AeadAlg::chacha20poly1305:
      return "chacha20poly1305";
  }
  return "?";
}

Bytes pattern(std::size_t n, std::uint8_t seed) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<std::uint8_t>(seed + i * 31);
  return out;
}

void check(bool ok, benchmark::State& state, const char* what) {
  if (!ok) state.SkipWithError(what);
}

void aead_seal(benchmark::State& state, AeadAlg alg, std::size_t size) {
  auto key = *AeadKey::create(alg, pattern(aead_key_size(alg), 1));
  const Bytes nonce = pattern(kAeadNonceSize, 2), aad = pattern(16, 3), pt = pattern(size, 4);
  Bytes out(size + kAeadTagSize);
  for (auto _ : state) {
    check(key.seal(nonce, aad, pt, out).has_value(), state, "seal");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void aead_open(benchmark::State& state, AeadAlg alg, std::size_t size) {
  auto key = *AeadKey::create(alg, pattern(aead_key_size(alg), 1));
  const Bytes nonce = pattern(kAeadNonceSize, 2), aad = pattern(16, 3), pt = pattern(size, 4);
  const Bytes ct = *key.seal(nonce, aad, pt);
  Bytes out(size);
  for (auto _ : state) {
    check(key.open(nonce, aad, ct, out).has_value(), state, "open");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

// The baseline: the same AEAD driven directly on EVP, with the key schedule set up once and
// only the nonce set per message, exactly as a careful OpenSSL user would write it.
void evp_aead(benchmark::State& state, AeadAlg alg, std::size_t size, bool seal) {
  const Bytes key = pattern(aead_key_size(alg), 1), nonce = pattern(kAeadNonceSize, 2),
              aad = pattern(16, 3), pt = pattern(size, 4);
  const Bytes ct = *aead_seal(alg, key, nonce, aad, pt);
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, std::string(aead_name(alg)).c_str(), nullptr);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_CipherInit_ex2(ctx, cipher, key.data(), nullptr, seal ? 1 : 0, nullptr);
  Bytes out(size + kAeadTagSize);
  Bytes tag(ct.end() - kAeadTagSize, ct.end());
  const int n = static_cast<int>(size);
  for (auto _ : state) {
    int len = 0, fin = 0;
    bool ok = EVP_CipherInit_ex2(ctx, nullptr, nullptr, nonce.data(), seal ? 1 : 0, nullptr) == 1 &&
              EVP_CipherUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1;
    if (seal) {
      ok = ok && EVP_CipherUpdate(ctx, out.data(), &len, pt.data(), n) == 1 &&
           EVP_CipherFinal_ex(ctx, out.data() + len, &fin) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out.data() + size) == 1;
    } else {
      ok = ok && EVP_CipherUpdate(ctx, out.data(), &len, ct.data(), n) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag.data()) == 1 &&
           EVP_CipherFinal_ex(ctx, out.data() + len, &fin) == 1;
    }
    check(ok, state, "EVP");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
  EVP_CIPHER_CTX_free(ctx);
  EVP_CIPHER_free(cipher);
}

constexpr SigAlg kSigs[] = {SigAlg::ed25519, SigAlg::ed448, SigAlg::ecdsa_secp256r1_sha256,
                            SigAlg::ecdsa_secp384r1_sha384, SigAlg::ecdsa_secp521r1_sha512};

std::string sig_slug(SigAlg alg) {
  switch (alg) {
    case SigAlg::ed25519:
      return "ed25519";
    case SigAlg::ed448:
      return "ed448";
    case SigAlg::ecdsa_secp256r1_sha256:
      return "p256";
    case SigAlg::ecdsa_secp384r1_sha384:
      return "p384";
    case SigAlg::ecdsa_secp521r1_sha512:
      return "p521";
  }
  return "?";
}

const char* sig_md(SigAlg alg) {
  switch (alg) {
    case SigAlg::ecdsa_secp256r1_sha256:
      return "SHA256";
    case SigAlg::ecdsa_secp384r1_sha384:
      return "SHA384";
    case SigAlg::ecdsa_secp521r1_sha512:
      return "SHA512";
    default:
      return nullptr;
  }
}

void sign(benchmark::State& state, SigAlg alg) {
  auto key = *SigningKey::generate(alg, system_random());
  const Bytes msg = pattern(128, 5);
  for (auto _ : state) {
    auto sig = key.sign(msg);
    check(sig.has_value(), state, "sign");
    benchmark::DoNotOptimize(sig);
  }
}

void verify(benchmark::State& state, SigAlg alg) {
  auto key = *SigningKey::generate(alg, system_random());
  const Bytes msg = pattern(128, 5);
  const Bytes sig = *key.sign(msg);
  for (auto _ : state)
    check(key.verify_key().verify(msg, sig).has_value(), state, "verify");
}

// Baseline: EVP_DigestSign / EVP_DigestVerify on a key OpenSSL generated itself.
void evp_sig(benchmark::State& state, SigAlg alg, bool do_sign) {
  EVP_PKEY* pkey = nullptr;
  switch (alg) {
    case SigAlg::ed25519:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
    case SigAlg::ed448:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED448");
      break;
    case SigAlg::ecdsa_secp256r1_sha256:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case SigAlg::ecdsa_secp384r1_sha384:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
      break;
    case SigAlg::ecdsa_secp521r1_sha512:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521");
      break;
  }
  const Bytes msg = pattern(128, 5);
  Bytes sig(256);
  std::size_t sig_len = sig.size();
  {
    EVP_MD_CTX* c = EVP_MD_CTX_new();
    EVP_DigestSignInit_ex(c, nullptr, sig_md(alg), nullptr, nullptr, pkey, nullptr);
    EVP_DigestSign(c, sig.data(), &sig_len, msg.data(), msg.size());
    EVP_MD_CTX_free(c);
  }
  for (auto _ : state) {
    EVP_MD_CTX* c = EVP_MD_CTX_new();
    bool ok;
    if (do_sign) {
      std::size_t len = sig.size();
      ok = EVP_DigestSignInit_ex(c, nullptr, sig_md(alg), nullptr, nullptr, pkey, nullptr) == 1 &&
           EVP_DigestSign(c, sig.data(), &len, msg.data(), msg.size()) == 1;
    } else {
      ok = EVP_DigestVerifyInit_ex(c, nullptr, sig_md(alg), nullptr, nullptr, pkey, nullptr) == 1 &&
           EVP_DigestVerify(c, sig.data(), sig_len, msg.data(), msg.size()) == 1;
    }
    EVP_MD_CTX_free(c);
    check(ok, state, "EVP signature");
  }
  EVP_PKEY_free(pkey);
}

constexpr KemId kKems[] = {KemId::x25519, KemId::p256, KemId::x448, KemId::p384, KemId::p521};

std::string kem_slug(KemId kem) {
  switch (kem) {
    case KemId::x25519:
      return "x25519";
    case KemId::x448:
      return "x448";
    case KemId::p256:
      return "p256";
    case KemId::p384:
      return "p384";
    case KemId::p521:
      return "p521";
  }
  return "?";
}

HpkeSuite hpke_suite(KemId kem) {
  const auto kdf = kem_info(kem).kdf == HashAlg::sha256   ? KdfId::hkdf_sha256
                   : kem_info(kem).kdf == HashAlg::sha384 ? KdfId::hkdf_sha384
                                                          : KdfId::hkdf_sha512;
  return HpkeSuite{kem, kdf, AeadAlg::aes128gcm};
}

void hpke_seal_bench(benchmark::State& state, KemId kem) {
  auto sk = *DhPrivateKey::generate(kem, system_random());
  const Bytes pt = pattern(1024, 6), info = pattern(16, 7);
  for (auto _ : state) {
    auto sealed =
        hpke_seal(hpke_suite(kem), sk.public_key(), {info, {}, nullptr}, {}, pt, system_random());
    check(sealed.has_value(), state, "hpke seal");
    benchmark::DoNotOptimize(sealed);
  }
}

void hpke_open_bench(benchmark::State& state, KemId kem) {
  auto sk = *DhPrivateKey::generate(kem, system_random());
  const Bytes pt = pattern(1024, 6), info = pattern(16, 7);
  auto sealed =
      *hpke_seal(hpke_suite(kem), sk.public_key(), {info, {}, nullptr}, {}, pt, system_random());
  for (auto _ : state) {
    auto opened =
        hpke_open(hpke_suite(kem), sealed.enc, sk, {info, {}, nullptr}, {}, sealed.ciphertext);
    check(opened.has_value(), state, "hpke open");
    benchmark::DoNotOptimize(opened);
  }
}

// Baseline: one EVP key generation plus one EVP derivation (the DH cost of an HPKE seal).
void evp_dh(benchmark::State& state, KemId kem) {
  auto gen = [kem]() -> EVP_PKEY* {
    switch (kem) {
      case KemId::x25519:
        return EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519");
      case KemId::x448:
        return EVP_PKEY_Q_keygen(nullptr, nullptr, "X448");
      case KemId::p256:
        return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      case KemId::p384:
        return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
      case KemId::p521:
        return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521");
    }
    return nullptr;
  };
  EVP_PKEY* peer = gen();
  std::uint8_t secret[80];
  for (auto _ : state) {
    EVP_PKEY* eph = gen();
    EVP_PKEY_CTX* c = EVP_PKEY_CTX_new_from_pkey(nullptr, eph, nullptr);
    std::size_t len = sizeof(secret);
    const bool ok = EVP_PKEY_derive_init(c) == 1 && EVP_PKEY_derive_set_peer(c, peer) == 1 &&
                    EVP_PKEY_derive(c, secret, &len) == 1;
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(eph);
    check(ok, state, "EVP DH");
  }
  EVP_PKEY_free(peer);
}

const bool kRegistered = [] {
  for (AeadAlg alg : kAeads) {
    for (std::size_t size : kSizes) {
      const std::string tail = aead_slug(alg) + "/" + std::to_string(size);
      benchmark::RegisterBenchmark(("crypto/aead_seal/" + tail).c_str(), aead_seal, alg, size);
      benchmark::RegisterBenchmark(("crypto/evp_seal/" + tail).c_str(), evp_aead, alg, size, true);
      benchmark::RegisterBenchmark(("crypto/aead_open/" + tail).c_str(), aead_open, alg, size);
      benchmark::RegisterBenchmark(("crypto/evp_open/" + tail).c_str(), evp_aead, alg, size, false);
    }
  }
  for (SigAlg alg : kSigs) {
    benchmark::RegisterBenchmark(("crypto/sign/" + sig_slug(alg)).c_str(), sign, alg);
    benchmark::RegisterBenchmark(("crypto/evp_sign/" + sig_slug(alg)).c_str(), evp_sig, alg, true);
    benchmark::RegisterBenchmark(("crypto/verify/" + sig_slug(alg)).c_str(), verify, alg);
    benchmark::RegisterBenchmark(("crypto/evp_verify/" + sig_slug(alg)).c_str(), evp_sig, alg,
                                 false);
  }
  for (KemId kem : kKems) {
    benchmark::RegisterBenchmark(("crypto/hpke_seal/" + kem_slug(kem)).c_str(), hpke_seal_bench,
                                 kem);
    benchmark::RegisterBenchmark(("crypto/hpke_open/" + kem_slug(kem)).c_str(), hpke_open_bench,
                                 kem);
    benchmark::RegisterBenchmark(("crypto/evp_dh/" + kem_slug(kem)).c_str(), evp_dh, kem);
  }
  return true;
}();

}  // namespace
