// HPKE open over arbitrary encapsulations and ciphertexts, for every KEM and AEAD and all
// four modes: it must fail cleanly (a forgery would be a bug, so success aborts).
#include <cstdint>
#include <cstdlib>

#include "crypto/hpke.hpp"

namespace {

using namespace mpsec;
using namespace mpsec::crypto;

constexpr KemId kKems[] = {KemId::x25519, KemId::x448, KemId::p256, KemId::p384, KemId::p521};

const DhPrivateKey& recipient(KemId kem) {
  static const auto keys = [] {
    std::vector<DhPrivateKey> out;
    const Bytes ikm(66, 0x42);
    for (KemId k : kKems)
      out.push_back(*DhPrivateKey::derive(k, ByteView(ikm).first(kem_info(k).private_size)));
    return out;
  }();
  for (std::size_t i = 0; i < std::size(kKems); ++i)
    if (kKems[i] == kem) return keys[i];
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const KemId kem = kKems[data[0] % std::size(kKems)];
  const auto aead = static_cast<AeadAlg>(1 + data[1] % 3);
  const bool use_psk = data[2] & 1;
  const bool use_auth = data[2] & 2;
  const ByteView rest(data + 3, size - 3);
  const std::size_t enc_len = std::min(rest.size(), kem_info(kem).enc_size);
  const ByteView enc = rest.first(enc_len);
  const ByteView ct = rest.subspan(enc_len);

  const HpkeSuite suite{kem, KdfId::hkdf_sha256, aead};
  const Bytes psk(32, 0x11), psk_id = {'i', 'd'}, info = {'f', 'u', 'z', 'z'};
  HpkeReceiverOptions options{info, {}, nullptr};
  if (use_psk) options.psk = HpkePsk{psk, psk_id};
  if (use_auth) options.sender_public = &recipient(kem).public_key();
  auto opened = hpke_open(suite, enc, recipient(kem), options, {}, ct);
  if (opened) std::abort();  // nobody holds a key that could have produced this
  return 0;
}
