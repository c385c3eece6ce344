// mls/welcome.json (decrypt the group secrets and GroupInfo, verify its signature and
// confirmation tag) and mls/transcript-hashes.json.
#include <string>

#include "conformance/kinds.hpp"
#include "mls/transcript.hpp"
#include "mls/welcome.hpp"
#include "schedule/key_schedule.hpp"

namespace mpsec::conformance {

namespace {

using namespace mpsec::mls;

Status check_welcome(const crypto::CipherSuite& suite, const Json& t) {
  Bytes init_priv, signer_pub, kp_bytes, welcome_bytes;
  MPSEC_ENSURE(hex_field(t, "init_priv", init_priv) && hex_field(t, "signer_pub", signer_pub) &&
                   hex_field(t, "key_package", kp_bytes) && hex_field(t, "welcome", welcome_bytes),
               Errc::decode_error, "missing fields");
  const auto kp_msg = MPSEC_TRY(codec::decode<MlsMessage>(kp_bytes));
  const auto welcome_msg = MPSEC_TRY(codec::decode<MlsMessage>(welcome_bytes));
  const auto* kp = std::get_if<KeyPackage>(&kp_msg.body);
  const auto* welcome = std::get_if<Welcome>(&welcome_msg.body);
  MPSEC_ENSURE(kp != nullptr && welcome != nullptr, Errc::decode_error, "wrong wire formats");
  const auto init_key = MPSEC_TRY(crypto::DhPrivateKey::parse(suite.kem(), init_priv));
  const auto secrets = MPSEC_TRY(decrypt_group_secrets(suite, *welcome, *kp, init_key));
  MPSEC_ENSURE(secrets.psks.empty(), Errc::unsupported, "the vector names PSKs");
  schedule::JoinerSecret joiner(secrets.joiner_secret.clone());
  const schedule::PskSecret no_psk(schedule::zero_secret(suite));
  const auto welcome_secret = MPSEC_TRY(schedule::derive_welcome_secret(suite, joiner, no_psk));
  const auto info =
      MPSEC_TRY(decrypt_group_info(suite, welcome_secret, welcome->encrypted_group_info));
  MPSEC_TRY(
      verify_group_info(suite, MPSEC_TRY(crypto::VerifyKey::parse(suite.sig(), signer_pub)), info));
  const auto context = MPSEC_TRY(codec::encode(info.group_context));
  const auto keys =
      MPSEC_TRY(schedule::derive_epoch_from_joiner(suite, std::move(joiner), no_psk, context));
  const auto tag = MPSEC_TRY(suite.mac(keys.secrets.confirmation_key.view(),
                                       info.group_context.confirmed_transcript_hash));
  MPSEC_ENSURE(ct_equal(tag, info.confirmation_tag), Errc::authentication_failed,
               "confirmation tag does not verify");
  return ok();
}

Status check_transcript(const crypto::CipherSuite& suite, const Json& t) {
  Bytes key, content_bytes, interim_before, confirmed_after, interim_after;
  MPSEC_ENSURE(hex_field(t, "confirmation_key", key) &&
                   hex_field(t, "authenticated_content", content_bytes) &&
                   hex_field(t, "interim_transcript_hash_before", interim_before) &&
                   hex_field(t, "confirmed_transcript_hash_after", confirmed_after) &&
                   hex_field(t, "interim_transcript_hash_after", interim_after),
               Errc::decode_error, "missing fields");
  codec::Reader r(content_bytes);
  const auto content = MPSEC_TRY(record::AuthenticatedContent::decode(r, content_codec()));
  MPSEC_TRY(r.finish());
  MPSEC_ENSURE(
      content.content.content_type == record::ContentType::commit && content.auth.confirmation_tag,
      Errc::decode_error, "not a commit");
  const auto confirmed = MPSEC_TRY(confirmed_transcript_hash(suite, interim_before, content));
  MPSEC_ENSURE(confirmed == confirmed_after, Errc::internal, "confirmed transcript hash differs");
  const auto tag = MPSEC_TRY(suite.mac(key, confirmed));
  MPSEC_ENSURE(ct_equal(tag, *content.auth.confirmation_tag), Errc::authentication_failed,
               "confirmation tag does not verify");
  const auto interim =
      MPSEC_TRY(interim_transcript_hash(suite, confirmed, *content.auth.confirmation_tag));
  MPSEC_ENSURE(interim == interim_after, Errc::internal, "interim transcript hash differs");
  return ok();
}

template <Status (*Check)(const crypto::CipherSuite&, const Json&)>
void run_per_suite(const Json& doc, FileReport& report) {
  std::size_t index = 0;
  for (const auto& t : doc) {
    const auto code = t.at("cipher_suite").get<std::uint16_t>();
    const std::string id =
        "case " + std::to_string(index++) + " (suite " + std::to_string(code) + ")";
    auto suite = crypto::CipherSuite::from_code(code);
    auto result = suite ? Check(*suite, t) : Status(tl::unexpected(suite.error()));
    report.check(result.has_value(), id, result ? "" : result.error().describe());
  }
}

}  // namespace

void run_mls_welcome(const Json& doc, FileReport& report) {
  run_per_suite<check_welcome>(doc, report);
}
void run_mls_transcript_hashes(const Json& doc, FileReport& report) {
  run_per_suite<check_transcript>(doc, report);
}

}  // namespace mpsec::conformance
