// HPKE, RFC 9180: the four modes (base, psk, auth, auth_psk), single-shot and context APIs,
// and secret export; every DHKEM of dh.hpp, HKDF-SHA256/384/512, the three AEADs and the
// export-only AEAD. Built on the primitives: OpenSSL 3.0 has no HPKE.
#pragma once

#include <cstdint>
#include <optional>

#include "crypto/aead.hpp"
#include "crypto/dh.hpp"
#include "crypto/hash.hpp"

namespace mpsec::crypto {

enum class KdfId : std::uint16_t {
  hkdf_sha256 = 0x0001,
  hkdf_sha384 = 0x0002,
  hkdf_sha512 = 0x0003
};
enum class HpkeMode : std::uint8_t { base = 0x00, psk = 0x01, auth = 0x02, auth_psk = 0x03 };
inline constexpr std::uint16_t kHpkeExportOnly = 0xffff;

HashAlg kdf_hash(KdfId kdf) noexcept;

struct HpkeSuite {
  KemId kem = KemId::x25519;
  KdfId kdf = KdfId::hkdf_sha256;
  std::optional<AeadAlg> aead = AeadAlg::aes128gcm;  // nullopt: export-only

  // From the wire identifiers; unsupported for anything mpsec does not offer.
  [[nodiscard]] static Result<HpkeSuite> from_codes(std::uint16_t kem, std::uint16_t kdf,
                                                    std::uint16_t aead);
  std::uint16_t aead_code() const noexcept {
    return aead ? static_cast<std::uint16_t>(*aead) : kHpkeExportOnly;
  }
};

struct HpkePsk {
  ByteView psk;
  ByteView psk_id;
};

// The sender's options: a PSK selects a psk mode, a sender key an auth mode.
struct HpkeSenderOptions {
  ByteView info;
  std::optional<HpkePsk> psk;
  const DhPrivateKey* sender_key = nullptr;
};
struct HpkeReceiverOptions {
  ByteView info;
  std::optional<HpkePsk> psk;
  const DhPublicKey* sender_public = nullptr;
};

// The outputs of KeySchedule (RFC 9180 §5.1), kept for conformance checks.
struct HpkeKeySchedule {
  HpkeMode mode = HpkeMode::base;
  Bytes key_schedule_context;
  SecretBytes secret;
  SecretBytes key;
  SecretBytes base_nonce;
  SecretBytes exporter_secret;
};

class HpkeContext {
 public:
  enum class Role : std::uint8_t { sender, receiver };

  // ContextS.Seal: fails for a receiver's context and for export-only suites.
  [[nodiscard]] Result<Bytes> seal(ByteView aad, ByteView plaintext);
  // ContextR.Open: a failed open does not advance the sequence number.
  [[nodiscard]] Result<Bytes> open(ByteView aad, ByteView ciphertext);
  // Context.Export(exporter_context, L); L <= 255 * Nh.
  [[nodiscard]] Result<SecretBytes> export_secret(ByteView exporter_context,
                                                  std::size_t length) const;

  Role role() const noexcept { return role_; }
  const HpkeSuite& suite() const noexcept { return suite_; }
  const HpkeKeySchedule& schedule() const noexcept { return schedule_; }
  std::uint64_t sequence() const noexcept { return seq_; }

 private:
  friend Result<HpkeContext> make_hpke_context(const HpkeSuite&, HpkeContext::Role,
                                               HpkeKeySchedule);
  HpkeContext(const HpkeSuite& suite, Role role, HpkeKeySchedule schedule,
              std::optional<AeadKey> aead)
      : suite_(suite), role_(role), schedule_(std::move(schedule)), aead_(std::move(aead)) {}
  Status nonce(SecretArray<kAeadNonceSize>& out) const;

  HpkeSuite suite_;
  Role role_;
  HpkeKeySchedule schedule_;
  std::optional<AeadKey> aead_;
  std::uint64_t seq_ = 0;
};

struct HpkeSender {
  Bytes enc;
  HpkeContext context;
};

// SetupBaseS / SetupPSKS / SetupAuthS / SetupAuthPSKS, chosen by the options.
[[nodiscard]] Result<HpkeSender> hpke_setup_sender(const HpkeSuite& suite, const DhPublicKey& pk_r,
                                                   const HpkeSenderOptions& options, Random& rng);
// SetupBaseR / SetupPSKR / SetupAuthR / SetupAuthPSKR, chosen by the options.
[[nodiscard]] Result<HpkeContext> hpke_setup_receiver(const HpkeSuite& suite, ByteView enc,
                                                      const DhPrivateKey& sk_r,
                                                      const HpkeReceiverOptions& options);

// The KeySchedule function itself (RFC 9180 §5.1).
[[nodiscard]] Result<HpkeKeySchedule> hpke_key_schedule(const HpkeSuite& suite, HpkeMode mode,
                                                        ByteView shared_secret, ByteView info,
                                                        ByteView psk, ByteView psk_id);

// Single-shot APIs (RFC 9180 §6).
struct HpkeSealed {
  Bytes enc;
  Bytes ciphertext;
};
[[nodiscard]] Result<HpkeSealed> hpke_seal(const HpkeSuite& suite, const DhPublicKey& pk_r,
                                           const HpkeSenderOptions& options, ByteView aad,
                                           ByteView plaintext, Random& rng);
[[nodiscard]] Result<Bytes> hpke_open(const HpkeSuite& suite, ByteView enc,
                                      const DhPrivateKey& sk_r, const HpkeReceiverOptions& options,
                                      ByteView aad, ByteView ciphertext);
struct HpkeExported {
  Bytes enc;
  SecretBytes secret;
};
[[nodiscard]] Result<HpkeExported> hpke_send_export(const HpkeSuite& suite, const DhPublicKey& pk_r,
                                                    const HpkeSenderOptions& options,
                                                    ByteView exporter_context, std::size_t length,
                                                    Random& rng);
[[nodiscard]] Result<SecretBytes> hpke_receive_export(const HpkeSuite& suite, ByteView enc,
                                                      const DhPrivateKey& sk_r,
                                                      const HpkeReceiverOptions& options,
                                                      ByteView exporter_context,
                                                      std::size_t length);

}  // namespace mpsec::crypto
