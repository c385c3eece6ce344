// mls/message-protection.json: for the proposal, the commit and the application message of
// each suite: the given PublicMessage verifies (membership tag and signature), our own
// PublicMessage round-trips (and application data is refused in the clear), the given
// PrivateMessage decrypts and verifies, and our own PrivateMessage round-trips.
#include <string>

#include "conformance/kinds.hpp"
#include "mls/messages.hpp"
#include "record/message_protection.hpp"
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
  schedule::SenderDataSecret sender_data;
  schedule::MembershipKey membership;
};

schedule::SecretTree fresh_tree(const Fixture& f) {
  return schedule::SecretTree(
      f.suite, schedule::EncryptionSecret{SecretBytes(ByteView(f.encryption_secret))},
      tree::LeafCount(2));
}

Result<Bytes> encode_message(WireFormat wf, const auto& body) {
  codec::Writer w;
  encode_header(w, wf);
  if constexpr (std::is_same_v<std::decay_t<decltype(body)>, PublicMessage>) {
    body.encode(w);
  } else {
    codec::encode(w, body);
  }
  return std::move(w).finish();
}

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
  codec::Reader r(bytes);
  MPSEC_ENSURE(MPSEC_TRY(decode_header(r)) == WireFormat::private_message, Errc::decode_error,
               "not a PrivateMessage");
  PrivateMessage msg;
  MPSEC_TRY(codec::decode(r, msg));
  MPSEC_TRY(r.finish());
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

void run_content(const Fixture& f, const Json& t, const char* name, ContentType type,
                 const std::string& id, FileReport& report) {
  Bytes raw, pub_bytes, priv_bytes;
  const std::string n(name);
  if (!hex_field(t, name, raw) || !hex_field(t, (n + "_priv").c_str(), priv_bytes) ||
      (type != ContentType::application && !hex_field(t, (n + "_pub").c_str(), pub_bytes))) {
    report.fail(id + " " + n, "missing fields");
    return;
  }
  // The select body of application content is application_data<V>.
  const Bytes body = type == ContentType::application ? encode_application_data(raw) : raw;
  const std::string cid = id + " " + n;

  if (type != ContentType::application) {
    auto ac = receive_public(f, pub_bytes);
    report.check(ac && ac->content.content == body, cid + " pub",
                 ac ? "content differs" : ac.error().describe());
    auto ours = sign(f, WireFormat::public_message, type, body);
    auto sent = ours ? protect_public(f.suite, f.membership, *ours, f.group_context)
                     : Result<PublicMessage>(tl::unexpected(ours.error()));
    auto bytes = sent ? encode_message(WireFormat::public_message, *sent)
                      : Result<Bytes>(tl::unexpected(sent.error()));
    auto back = bytes ? receive_public(f, *bytes)
                      : Result<AuthenticatedContent>(tl::unexpected(bytes.error()));
    report.check(back && back->content.content == body, cid + " protect pub",
                 back ? "content differs" : back.error().describe());
  } else {
    auto ours = sign(f, WireFormat::public_message, type, body);
    const bool refused = ours && !protect_public(f.suite, f.membership, *ours, f.group_context);
    report.check(refused, cid + " protect pub", "application data was accepted in a PublicMessage");
  }

  auto tree = fresh_tree(f);
  auto ac = receive_private(f, tree, priv_bytes);
  report.check(ac && ac->content.content == body, cid + " priv",
               ac ? "content differs" : ac.error().describe());

  auto sender_tree = fresh_tree(f);
  auto receiver_tree = fresh_tree(f);
  auto ours = sign(f, WireFormat::private_message, type, body);
  auto sent =
      ours ? protect_private({f.suite, f.sender_data}, sender_tree, *ours, 0, system_random())
           : Result<PrivateMessage>(tl::unexpected(ours.error()));
  auto bytes = sent ? encode_message(WireFormat::private_message, *sent)
                    : Result<Bytes>(tl::unexpected(sent.error()));
  auto back = bytes ? receive_private(f, receiver_tree, *bytes)
                    : Result<AuthenticatedContent>(tl::unexpected(bytes.error()));
  report.check(back && back->content.content == body, cid + " protect priv",
               back ? "content differs" : back.error().describe());
}

}  // namespace

void run_mls_message_protection(const Json& doc, FileReport& report) {
  for (const auto& t : doc) {
    const auto code = t.at("cipher_suite").get<std::uint16_t>();
    const std::string id = "suite " + std::to_string(code);
    auto suite = CipherSuite::from_code(code);
    schedule::GroupContext gc;
    Bytes sig_priv, sig_pub, enc, sd, mk;
    if (!suite || !hex_field(t, "group_id", gc.group_id) ||
        !hex_field(t, "tree_hash", gc.tree_hash) ||
        !hex_field(t, "confirmed_transcript_hash", gc.confirmed_transcript_hash) ||
        !hex_field(t, "signature_priv", sig_priv) || !hex_field(t, "signature_pub", sig_pub) ||
        !hex_field(t, "encryption_secret", enc) || !hex_field(t, "sender_data_secret", sd) ||
        !hex_field(t, "membership_key", mk)) {
      report.fail(id, "unsupported suite or missing fields");
      continue;
    }
    gc.cipher_suite = code;
    gc.epoch = t.at("epoch").get<std::uint64_t>();
    auto gc_bytes = codec::encode(gc);
    auto sk = crypto::SigningKey::parse(suite->sig(), sig_priv);
    auto vk = crypto::VerifyKey::parse(suite->sig(), sig_pub);
    if (!gc_bytes || !sk || !vk) {
      report.fail(id, "bad group context or signature keys");
      continue;
    }
    const Fixture f{*suite,
                    *gc_bytes,
                    gc.group_id,
                    gc.epoch,
                    std::move(*sk),
                    std::move(*vk),
                    enc,
                    schedule::SenderDataSecret{SecretBytes(ByteView(sd))},
                    schedule::MembershipKey{SecretBytes(ByteView(mk))}};
    run_content(f, t, "proposal", ContentType::proposal, id, report);
    run_content(f, t, "commit", ContentType::commit, id, report);
    run_content(f, t, "application", ContentType::application, id, report);
  }
}

}  // namespace mpsec::conformance
