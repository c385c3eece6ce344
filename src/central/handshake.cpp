#include "central/handshake.hpp"

#include "crypto/hash.hpp"

namespace mpsec::central {
namespace {

Bytes concat_nonces(const Nonce& a, const Nonce& b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

Result<Bytes> response_aad(ByteView sa_id, std::uint64_t counter) {
  codec::Writer w;
  w.opaque(sa_id);
  w.u64(counter);
  return std::move(w).finish();
}

}  // namespace

Result<Bytes> transcript_t1(const crypto::CipherSuite& suite, const RegisterHello& hello,
                            const RegisterChallenge& challenge) {
  codec::Writer w;
  codec::encode(w, hello);
  w.raw(challenge.gcks_nonce);
  w.opaque(challenge.gcks_share);
  w.opaque(challenge.gcks_signature_key);
  return suite.hash(MPSEC_TRY(std::move(w).finish()));
}

Result<Bytes> transcript_t2(const crypto::CipherSuite& suite, ByteView t1, const AuthBody& auth) {
  codec::Writer w;
  w.raw(t1);
  codec::encode(w, auth.credential);
  w.opaque(auth.signature_key);
  codec::encode(w, auth.role);
  w.u8(auth.unicast_delivery);
  return suite.hash(MPSEC_TRY(std::move(w).finish()));
}

Result<Bytes> transcript_next(const crypto::CipherSuite& suite, ByteView previous,
                              ByteView appended) {
  codec::Writer w;
  w.raw(previous);
  w.opaque(appended);
  return suite.hash(MPSEC_TRY(std::move(w).finish()));
}

Result<HandshakeKeys> derive_handshake_keys(const crypto::CipherSuite& suite, ByteView dh_secret,
                                            const Nonce& member_nonce, const Nonce& gcks_nonce,
                                            ByteView t1) {
  HandshakeKeys k;
  k.handshake_secret =
      MPSEC_TRY(suite.kdf_extract(concat_nonces(member_nonce, gcks_nonce), dh_secret));
  const crypto::HmacKey prk = MPSEC_TRY(suite.kdf_key(k.handshake_secret.view()));
  k.member_key = MPSEC_TRY(suite.expand_with_label(prk, kMemberKeyLabel, t1, suite.key_size()));
  k.member_nonce =
      MPSEC_TRY(suite.expand_with_label(prk, kMemberNonceLabel, t1, suite.nonce_size()));
  k.gcks_key = MPSEC_TRY(suite.expand_with_label(prk, kGcksKeyLabel, t1, suite.key_size()));
  k.gcks_nonce = MPSEC_TRY(suite.expand_with_label(prk, kGcksNonceLabel, t1, suite.nonce_size()));
  k.member_finished =
      MPSEC_TRY(suite.expand_with_label(prk, kMemberFinishedLabel, t1, suite.hash_size()));
  k.gcks_finished =
      MPSEC_TRY(suite.expand_with_label(prk, kGcksFinishedLabel, t1, suite.hash_size()));
  return k;
}

Result<Bytes> finished_mac(const crypto::CipherSuite& suite, ByteView key, ByteView transcript) {
  return suite.mac(key, transcript);
}

Status verify_finished(const crypto::CipherSuite& suite, ByteView key, ByteView transcript,
                       ByteView mac) {
  return crypto::hmac_verify(suite.hash(), key, transcript, mac);
}

namespace {

Result<Bytes> cookie_mac(const crypto::CipherSuite& suite, ByteView cookie_key,
                         std::uint64_t bucket, std::string_view peer, const RegisterHello& hello) {
  codec::Writer w;
  w.u64(bucket);
  w.opaque(ByteView(reinterpret_cast<const std::uint8_t*>(peer.data()), peer.size()));
  w.opaque(hello.group_id);
  w.u16(hello.cipher_suite);
  w.raw(hello.member_nonce);
  w.opaque(hello.member_share);
  Bytes mac = MPSEC_TRY(suite.mac(cookie_key, MPSEC_TRY(std::move(w).finish())));
  mac.resize(kCookieMacSize);
  return mac;
}

}  // namespace

Result<Bytes> make_cookie(const crypto::CipherSuite& suite, ByteView cookie_key,
                          std::uint64_t bucket, std::string_view peer, const RegisterHello& hello) {
  codec::Writer w;
  w.u64(bucket);
  w.raw(MPSEC_TRY(cookie_mac(suite, cookie_key, bucket, peer, hello)));
  return std::move(w).finish();
}

Status check_cookie(const crypto::CipherSuite& suite, ByteView cookie_key, std::uint64_t now_bucket,
                    std::string_view peer, const RegisterHello& hello) {
  MPSEC_ENSURE(hello.cookie.size() == 8 + kCookieMacSize, Errc::authentication_failed,
               "malformed cookie");
  codec::Reader r(hello.cookie);
  const std::uint64_t bucket = MPSEC_TRY(r.u64());
  MPSEC_ENSURE(bucket == now_bucket || bucket + 1 == now_bucket, Errc::authentication_failed,
               "expired cookie");
  const Bytes expected = MPSEC_TRY(cookie_mac(suite, cookie_key, bucket, peer, hello));
  MPSEC_ENSURE(ct_equal(expected, MPSEC_TRY(r.raw(kCookieMacSize))), Errc::authentication_failed,
               "bad cookie");
  return ok();
}

Result<RegistrationSa> RegistrationSa::create(const crypto::CipherSuite& suite, Bytes sa_id,
                                              SecretBytes secret) {
  MPSEC_ENSURE(sa_id.size() == kSaIdSize, Errc::invalid_argument, "bad SA id size");
  MPSEC_ENSURE(secret.size() == suite.hash_size(), Errc::invalid_argument, "bad SA secret size");
  SecretBytes mac_key =
      MPSEC_TRY(suite.expand_with_label(secret.view(), kSaMacLabel, sa_id, suite.hash_size()));
  SecretBytes aead_key =
      MPSEC_TRY(suite.expand_with_label(secret.view(), kSaKeyLabel, sa_id, suite.key_size()));
  return RegistrationSa(suite, std::move(sa_id), std::move(secret), std::move(mac_key),
                        std::move(aead_key));
}

Result<Bytes> RegistrationSa::request_mac(const SaRequest& request) const {
  codec::Writer w;
  request.encode_tbm(w);
  return suite_.mac(mac_key_.view(), MPSEC_TRY(std::move(w).finish()));
}

Status RegistrationSa::verify_request(const SaRequest& request) const {
  MPSEC_ENSURE(ct_equal(request.sa_id, sa_id_), Errc::authentication_failed, "wrong SA");
  const Bytes expected = MPSEC_TRY(request_mac(request));
  MPSEC_ENSURE(ct_equal(expected, request.mac), Errc::authentication_failed,
               "SA request MAC does not verify");
  return ok();
}

Result<SaResponse> RegistrationSa::seal_response(std::uint64_t counter, const ResyncBody& body,
                                                 Random& rng) const {
  SaResponse out;
  out.sa_id = sa_id_;
  out.counter = counter;
  out.nonce.resize(suite_.nonce_size());
  MPSEC_TRY(rng.fill(out.nonce));
  const SecretBytes plain = MPSEC_TRY(codec::encode_secret(body));
  out.encrypted =
      MPSEC_TRY(crypto::aead_seal(suite_.aead(), aead_key_.view(), out.nonce,
                                  MPSEC_TRY(response_aad(sa_id_, counter)), plain.view()));
  return out;
}

Result<ResyncBody> RegistrationSa::open_response(const SaResponse& response) const {
  MPSEC_ENSURE(ct_equal(response.sa_id, sa_id_), Errc::authentication_failed, "wrong SA");
  MPSEC_ENSURE(response.nonce.size() == suite_.nonce_size(), Errc::decode_error, "bad nonce size");
  const crypto::AeadKey key = MPSEC_TRY(crypto::AeadKey::create(suite_.aead(), aead_key_.view()));
  const SecretBytes plain = MPSEC_TRY(key.open_secret(
      response.nonce, MPSEC_TRY(response_aad(sa_id_, response.counter)), response.encrypted));
  return codec::decode<ResyncBody>(plain.view());
}

}  // namespace mpsec::central
