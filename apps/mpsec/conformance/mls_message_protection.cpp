// mls/message-protection.json: for the proposal, the commit and the application message of
// each suite: the given PublicMessage verifies (membership tag and signature), our own
// PublicMessage round-trips (and application data is refused in the clear), the given
// PrivateMessage decrypts and verifies, and our own PrivateMessage round-trips.
#include <string>

#include "conformance/kinds.hpp"
#include "mls/messages.hpp"
#include "record/content_auth.hpp"
#include "record/private_message.hpp"
#include "schedule/group_context.hpp"

namespace mpsec::conformance {

namespace {

using namespace mpsec::record;
using crypto::CipherSuite;

struct Fixture {
  CipherSuite suite;
  Bytes group_context;
  Bytes group_id;
  std::uint64_t epoch = 0;
  crypto::SigningKey sig_priv;
  crypto::VerifyKey sig_pub;
  Bytes encryption_secret;
  crypto::HmacKey sender_data;  // sender_data_secret as a KDF key
  schedule::MembershipKey membership;

  schedule::SecretTree fresh_tree() const {
    return schedule::SecretTree(
        suite, schedule::EncryptionSecret{SecretBytes(ByteView(encryption_secret))},
        tree::LeafCount(2));
  }
};

// Decodes an MLSMessage(PublicMessage) and checks it the way a receiving member would.
Result<AuthenticatedContent> receive_public(const Fixture& f, ByteView bytes) {
  codec::Reader r(bytes);
  MPSEC_ENSURE(MPSEC_TRY(decode_header(r)) == WireFormat::public_message, Errc::decode_error,
               "not a PublicMessage");
  auto msg = MPSEC_TRY(PublicMessage::decode(r, mls::content_codec()));
  MPSEC_TRY(r.finish());
  auto ac = MPSEC_TRY(unprotect_public(f.suite, f.membership, msg, f.group_context));
  MPSEC_TRY(verify_content(f.suite, f.sig_pub, ac, f.group_context));
  return ac;
}

Result<AuthenticatedContent> receive_private(const Fixture& f, schedule::SecretTree& tree,
                                             ByteView bytes) {
  const auto msg = MPSEC_TRY(PrivateMessageView::parse(bytes));
  auto dec =
      MPSEC_TRY(unprotect_private({f.suite, f.sender_data}, tree, msg, mls::content_codec()));
  MPSEC_TRY(verify_content(f.suite, f.sig_pub, dec.content, f.group_context));
  MPSEC_TRY(tree.commit(std::move(dec.key)));
  return std::move(dec.content);
}

Result<AuthenticatedContent> sign(const Fixture& f, WireFormat wf, ContentType type,
                                  ByteView body) {
  AuthenticatedContent ac;
  ac.wire_format = wf;
  ac.content = FramedContent{f.group_id, f.epoch, Sender::member(1), {}, type, to_bytes(body)};
  ac.auth.signature = MPSEC_TRY(sign_content(f.suite, f.sig_priv, wf, ac.content, f.group_context));
  // Any MAC value serves here: the vectors do not include the confirmation key.
  if (type == ContentType::commit) ac.auth.confirmation_tag = Bytes(f.suite.hash_size(), 0x5a);
  return ac;
}

// Our PublicMessage, sent and received.
Result<AuthenticatedContent> public_round_trip(const Fixture& f, ContentType type, ByteView body) {
  auto ours = MPSEC_TRY(sign(f, WireFormat::public_message, type, body));
  auto sent = MPSEC_TRY(protect_public(f.suite, f.membership, ours, f.group_context));
  codec::Writer w;
  encode_header(w, WireFormat::public_message);
  sent.encode(w);
  return receive_public(f, MPSEC_TRY(std::move(w).finish()));
}

// Our PrivateMessage, sent from one fresh tree and received on another.
Result<AuthenticatedContent> private_round_trip(const Fixture& f, ContentType type, ByteView body) {
  auto sender_tree = f.fresh_tree();
  auto receiver_tree = f.fresh_tree();
  auto ours = MPSEC_TRY(sign(f, WireFormat::private_message, type, body));
  auto bytes =
      MPSEC_TRY(protect_private({f.suite, f.sender_data}, sender_tree, ours, 0, system_random()));
  return receive_private(f, receiver_tree, bytes);
}

void check_content(FileReport& report, const Result<AuthenticatedContent>& got, ByteView body,
                   const std::string& id) {
  report.check(got && equal(got->content.content, body), id,
               got ? "content differs" : got.error().describe());
}

void run_content(const Fixture& f, const Json& t, const char* name, ContentType type,
                 const std::string& id, FileReport& report) {
  Bytes raw, pub_bytes, priv_bytes;
  const std::string n(name);
  const std::string cid = id + " " + n;
  if (!hex_field(t, name, raw) || !hex_field(t, (n + "_priv").c_str(), priv_bytes) ||
      (type != ContentType::application && !hex_field(t, (n + "_pub").c_str(), pub_bytes))) {
    report.fail(cid, "missing fields");
    return;
  }
  // The select body of application content is application_data<V>.
  const Bytes body = type == ContentType::application ? encode_application_data(raw) : raw;

  if (type != ContentType::application) {
    check_content(report, receive_public(f, pub_bytes), body, cid + " pub");
    check_content(report, public_round_trip(f, type, body), body, cid + " protect pub");
  } else {
    auto ours = sign(f, WireFormat::public_message, type, body);
    const bool refused = ours && !protect_public(f.suite, f.membership, *ours, f.group_context);
    report.check(refused, cid + " protect pub", "application data was accepted in a PublicMessage");
  }
  auto tree = f.fresh_tree();
  check_content(report, receive_private(f, tree, priv_bytes), body, cid + " priv");
  check_content(report, private_round_trip(f, type, body), body, cid + " protect priv");
}

Result<Fixture> fixture(const Json& t) {
  const auto code = t.at("cipher_suite").get<std::uint16_t>();
  auto suite = MPSEC_TRY(CipherSuite::from_code(code));
  schedule::GroupContext gc;
  Bytes sig_priv, sig_pub, enc, sd, mk;
  MPSEC_ENSURE(hex_field(t, "group_id", gc.group_id) && hex_field(t, "tree_hash", gc.tree_hash) &&
                   hex_field(t, "confirmed_transcript_hash", gc.confirmed_transcript_hash) &&
                   hex_field(t, "signature_priv", sig_priv) &&
                   hex_field(t, "signature_pub", sig_pub) &&
                   hex_field(t, "encryption_secret", enc) &&
                   hex_field(t, "sender_data_secret", sd) && hex_field(t, "membership_key", mk),
               Errc::decode_error, "missing fields");
  gc.cipher_suite = code;
  gc.epoch = t.at("epoch").get<std::uint64_t>();
  auto context = MPSEC_TRY(codec::encode(gc));
  auto signing = MPSEC_TRY(crypto::SigningKey::parse(suite.sig(), sig_priv));
  auto verifying = MPSEC_TRY(crypto::VerifyKey::parse(suite.sig(), sig_pub));
  auto sender_data = MPSEC_TRY(suite.kdf_key(sd));
  return Fixture{
      suite,    std::move(context),     gc.group_id,
      gc.epoch, std::move(signing),     std::move(verifying),
      enc,      std::move(sender_data), schedule::MembershipKey{SecretBytes(ByteView(mk))}};
}

}  // namespace

void run_mls_message_protection(const Json& doc, FileReport& report) {
  for (const auto& t : doc) {
    const std::string id = "suite " + std::to_string(t.at("cipher_suite").get<int>());
    auto f = fixture(t);
    if (!f) {
      report.fail(id, f.error().describe());
      continue;
    }
    run_content(*f, t, "proposal", ContentType::proposal, id, report);
    run_content(*f, t, "commit", ContentType::commit, id, report);
    run_content(*f, t, "application", ContentType::application, id, report);
  }
}

}  // namespace mpsec::conformance
