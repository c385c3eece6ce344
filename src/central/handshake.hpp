// The cryptography of registration and of the Registration SA (docs/protocol.md, "Centralized
// mode"), shared by the member and the GCKS side so both compute the same values:
//
//   T1 = Hash(RegisterHello || RegisterChallenge without its signature)
//   handshake_secret = KDF.Extract(member_nonce || gcks_nonce, DH(shares))
//   member/gcks handshake keys and finished keys = ExpandWithLabel(handshake_secret, ..., T1)
//   T2 = Hash(T1 || credential || signature_key || role || unicast_delivery)   member signs T2
//   T3 = Hash(T2 || member signature)                   member finished = MAC(key, T3)
//   T4 = Hash(T3 || member finished)                    gcks finished = MAC(key, T4)
//   Registration SA secret = ExpandWithLabel(handshake_secret, "mpsec registration sa", T4)
//
// The ephemeral DH gives forward secrecy; the signatures over transcripts that hold both
// nonces and both shares give mutual authentication bound to this handshake; the finished
// MACs confirm that both hold the same keys.
#pragma once

#include "central/messages.hpp"
#include "crypto/aead.hpp"
#include "crypto/cipher_suite.hpp"

namespace mpsec::central {

[[nodiscard]] Result<Bytes> transcript_t1(const crypto::CipherSuite& suite,
                                          const RegisterHello& hello,
                                          const RegisterChallenge& challenge);
[[nodiscard]] Result<Bytes> transcript_t2(const crypto::CipherSuite& suite, ByteView t1,
                                          const AuthBody& auth);
[[nodiscard]] Result<Bytes> transcript_next(const crypto::CipherSuite& suite, ByteView previous,
                                            ByteView appended);

struct HandshakeKeys {
  SecretBytes handshake_secret;
  SecretBytes member_key, member_nonce;  // protect RegisterAuth
  SecretBytes gcks_key, gcks_nonce;      // protect RegisterResult
  SecretBytes member_finished, gcks_finished;
};
[[nodiscard]] Result<HandshakeKeys> derive_handshake_keys(const crypto::CipherSuite& suite,
                                                          ByteView dh_secret,
                                                          const Nonce& member_nonce,
                                                          const Nonce& gcks_nonce, ByteView t1);

[[nodiscard]] Result<Bytes> finished_mac(const crypto::CipherSuite& suite, ByteView key,
                                         ByteView transcript);
[[nodiscard]] Status verify_finished(const crypto::CipherSuite& suite, ByteView key,
                                     ByteView transcript, ByteView mac);

// The stateless cookie: bucket (uint64) || MAC(cookie key, bucket || peer || hello fields)
// truncated to 16 bytes. The GCKS keeps nothing until the cookie comes back.
[[nodiscard]] Result<Bytes> make_cookie(const crypto::CipherSuite& suite, ByteView cookie_key,
                                        std::uint64_t bucket, std::string_view peer,
                                        const RegisterHello& hello);
// Valid in its bucket and the next one.
[[nodiscard]] Status check_cookie(const crypto::CipherSuite& suite, ByteView cookie_key,
                                  std::uint64_t now_bucket, std::string_view peer,
                                  const RegisterHello& hello);

// The Registration SA: the secret both sides derive at the end of registration.
class RegistrationSa {
 public:
  [[nodiscard]] static Result<RegistrationSa> create(const crypto::CipherSuite& suite, Bytes sa_id,
                                                     SecretBytes secret);
  const Bytes& sa_id() const noexcept { return sa_id_; }
  const SecretBytes& secret() const noexcept { return secret_; }

  [[nodiscard]] Result<Bytes> request_mac(const SaRequest& request) const;
  [[nodiscard]] Status verify_request(const SaRequest& request) const;
  // AEAD under the SA key with a fresh random nonce per response (carried in the message), so
  // no nonce repeats even if a GCKS that lost its counters answers a replayed request.
  [[nodiscard]] Result<SaResponse> seal_response(std::uint64_t counter, const ResyncBody& body,
                                                 Random& rng) const;
  [[nodiscard]] Result<ResyncBody> open_response(const SaResponse& response) const;

 private:
  RegistrationSa(crypto::CipherSuite suite, Bytes sa_id, SecretBytes secret, SecretBytes mac_key,
                 SecretBytes aead_key)
      : suite_(suite),
        sa_id_(std::move(sa_id)),
        secret_(std::move(secret)),
        mac_key_(std::move(mac_key)),
        aead_key_(std::move(aead_key)) {}

  crypto::CipherSuite suite_;
  Bytes sa_id_;
  SecretBytes secret_;
  SecretBytes mac_key_;
  SecretBytes aead_key_;
};

}  // namespace mpsec::central
