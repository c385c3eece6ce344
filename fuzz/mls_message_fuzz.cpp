// The RFC 9420 message parsers over arbitrary bytes: PublicMessage (with the MLS content
// codec), FramedContent, AuthenticatedContent, PrivateMessage and its in-place view,
// Proposal, Commit, KeyPackage, LeafNode. Decoding never crashes, and whatever decodes
// re-encodes to exactly the input (strict, canonical encodings), else abort.
#include <cstdint>
#include <cstdlib>

#include "codec/tls.hpp"
#include "mls/messages.hpp"
#include "record/framing.hpp"
#include "record/private_message.hpp"

namespace {

using namespace mpsec;

void check(bool ok) {
  if (!ok) std::abort();
}

template <class T>
void tls_round_trip(ByteView input) {
  auto decoded = codec::decode<T>(input);
  if (!decoded) return;
  auto encoded = codec::encode(*decoded);
  check(encoded.has_value() && equal(*encoded, input));
  // Decoding the re-encoding gives the same value.
  auto again = codec::decode<T>(*encoded);
  check(again.has_value() && *again == *decoded);
}

// Types with encode(Writer&) and a static decode(Reader&, ...).
template <class T, class Decode>
void reader_round_trip(ByteView input, Decode decode) {
  codec::Reader r(input);
  auto decoded = decode(r);
  if (!decoded || !r.finish()) return;
  codec::Writer w;
  decoded->encode(w);
  auto encoded = std::move(w).finish();
  check(encoded.has_value() && equal(*encoded, input));
}

void private_view_round_trip(ByteView input) {
  auto v = record::PrivateMessageView::parse(input);
  if (!v) return;
  // The view re-serializes to the input, and its two AADs are the matching prefixes.
  codec::Writer w;
  record::encode_header(w, record::WireFormat::private_message);
  const std::size_t aad_start = w.size();
  w.opaque(v->group_id);
  w.u64(v->epoch);
  codec::encode(w, v->content_type);
  const std::size_t sender_aad_end = w.size();
  w.opaque(v->authenticated_data);
  const std::size_t content_aad_end = w.size();
  w.opaque(v->encrypted_sender_data);
  w.opaque(v->ciphertext);
  auto encoded = std::move(w).finish();
  check(encoded.has_value() && equal(*encoded, input));
  check(equal(v->sender_data_aad, input.subspan(aad_start, sender_aad_end - aad_start)));
  check(equal(v->content_aad, input.subspan(aad_start, content_aad_end - aad_start)));
  check(record::check_content_type(v->content_type).has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  const auto& mls_codec = mls::content_codec();

  reader_round_trip<record::PublicMessage>(
      input, [&](codec::Reader& r) { return record::PublicMessage::decode(r, mls_codec); });
  reader_round_trip<record::FramedContent>(
      input, [&](codec::Reader& r) { return record::FramedContent::decode(r, mls_codec); });
  reader_round_trip<record::AuthenticatedContent>(
      input, [&](codec::Reader& r) { return record::AuthenticatedContent::decode(r, mls_codec); });
  // The application-only codec must never accept handshake content.
  {
    codec::Reader r(input);
    auto pm = record::PublicMessage::decode(r, record::application_only());
    if (pm) check(pm->content.content_type == record::ContentType::application);
  }

  tls_round_trip<record::PrivateMessage>(input);
  private_view_round_trip(input);
  tls_round_trip<record::Sender>(input);

  tls_round_trip<mls::Proposal>(input);
  tls_round_trip<mls::ProposalOrRef>(input);
  tls_round_trip<mls::Commit>(input);
  tls_round_trip<mls::KeyPackage>(input);
  tls_round_trip<mls::LeafNode>(input);
  tls_round_trip<mls::Credential>(input);
  tls_round_trip<mls::UpdatePath>(input);

  // The content codec's answer is always within its input and agrees with the decoders.
  for (auto type : {record::ContentType::proposal, record::ContentType::commit}) {
    auto n = mls_codec.handshake_content_size(type, input);
    if (!n) continue;
    check(*n <= input.size());
    if (type == record::ContentType::proposal)
      check(codec::decode<mls::Proposal>(input.first(*n)).has_value());
    else
      check(codec::decode<mls::Commit>(input.first(*n)).has_value());
  }
  return 0;
}
