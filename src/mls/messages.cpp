#include "mls/messages.hpp"

namespace mpsec::mls {

void LeafNode::encode_content(codec::Writer& w) const {
  w.opaque(encryption_key);
  w.opaque(signature_key);
  codec::encode(w, credential);
  codec::encode(w, capabilities);
  codec::encode(w, leaf_node_source);
  if (leaf_node_source == LeafNodeSource::key_package) codec::encode(w, lifetime);
  if (leaf_node_source == LeafNodeSource::commit) w.opaque(parent_hash);
  codec::encode(w, extensions);
}

void LeafNode::tls_encode(codec::Writer& w) const {
  encode_content(w);
  w.opaque(signature);
}

Status LeafNode::tls_decode(codec::Reader& r) {
  MPSEC_TRY(codec::decode(r, encryption_key));
  MPSEC_TRY(codec::decode(r, signature_key));
  MPSEC_TRY(codec::decode(r, credential));
  MPSEC_TRY(codec::decode(r, capabilities));
  MPSEC_TRY(codec::decode(r, leaf_node_source));
  switch (leaf_node_source) {
    case LeafNodeSource::key_package:
      MPSEC_TRY(codec::decode(r, lifetime));
      break;
    case LeafNodeSource::update:
      break;
    case LeafNodeSource::commit:
      MPSEC_TRY(codec::decode(r, parent_hash));
      break;
    default:
      return fail(Errc::decode_error, "unknown LeafNodeSource");
  }
  MPSEC_TRY(codec::decode(r, extensions));
  return codec::decode(r, signature);
}

void Proposal::tls_encode(codec::Writer& w) const {
  codec::encode(w, type());
  std::visit([&w](const auto& b) { codec::encode(w, b); }, body);
}

namespace {
template <class T, class V>
Status decode_as(codec::Reader& r, V& out) {
  T value{};
  MPSEC_TRY(codec::decode(r, value));
  out = std::move(value);
  return ok();
}
}  // namespace

Status Proposal::tls_decode(codec::Reader& r) {
  ProposalType t{};
  MPSEC_TRY(codec::decode(r, t));
  switch (t) {
    case ProposalType::add:
      return decode_as<Add>(r, body);
    case ProposalType::update:
      return decode_as<Update>(r, body);
    case ProposalType::remove:
      return decode_as<Remove>(r, body);
    case ProposalType::psk:
      return decode_as<PreSharedKey>(r, body);
    case ProposalType::reinit:
      return decode_as<ReInit>(r, body);
    case ProposalType::external_init:
      return decode_as<ExternalInit>(r, body);
    case ProposalType::group_context_extensions:
      return decode_as<GroupContextExtensions>(r, body);
  }
  // Without a definition there is no way to tell where an unknown proposal ends.
  return fail(Errc::unsupported, "unknown proposal type");
}

void ProposalOrRef::tls_encode(codec::Writer& w) const {
  if (const auto* p = std::get_if<Proposal>(&value)) {
    w.u8(1);
    codec::encode(w, *p);
  } else {
    w.u8(2);
    w.opaque(std::get<Bytes>(value));
  }
}

Status ProposalOrRef::tls_decode(codec::Reader& r) {
  switch (MPSEC_TRY(r.u8())) {
    case 1:
      return decode_as<Proposal>(r, value);
    case 2:
      return decode_as<Bytes>(r, value);
    default:
      return fail(Errc::decode_error, "unknown ProposalOrRefType");
  }
}

void Node::tls_encode(codec::Writer& w) const {
  w.u8(is_leaf() ? 1 : 2);
  if (is_leaf()) {
    codec::encode(w, leaf());
  } else {
    codec::encode(w, parent());
  }
}

Status Node::tls_decode(codec::Reader& r) {
  switch (MPSEC_TRY(r.u8())) {
    case 1:
      return decode_as<LeafNode>(r, value);
    case 2:
      return decode_as<ParentNode>(r, value);
    default:
      return fail(Errc::decode_error, "unknown NodeType");
  }
}

void GroupInfo::encode_tbs(codec::Writer& w) const {
  codec::encode(w, group_context);
  codec::encode(w, extensions);
  w.opaque(confirmation_tag);
  w.u32(signer);
}

void MlsMessage::tls_encode(codec::Writer& w) const {
  record::encode_header(w, wire_format());
  std::visit(
      [&w](const auto& b) {
        if constexpr (std::is_same_v<std::decay_t<decltype(b)>, record::PublicMessage>) {
          b.encode(w);
        } else {
          codec::encode(w, b);
        }
      },
      body);
}

Status MlsMessage::tls_decode(codec::Reader& r) {
  using record::WireFormat;
  switch (MPSEC_TRY(record::decode_header(r))) {
    case WireFormat::public_message:
      body = MPSEC_TRY(record::PublicMessage::decode(r, content_codec()));
      return ok();
    case WireFormat::private_message:
      return decode_as<record::PrivateMessage>(r, body);
    case WireFormat::welcome:
      return decode_as<Welcome>(r, body);
    case WireFormat::group_info:
      return decode_as<GroupInfo>(r, body);
    case WireFormat::key_package:
      return decode_as<KeyPackage>(r, body);
  }
  return fail(Errc::unsupported, "unknown wire format");
}

namespace {
class MlsContentCodec final : public record::ContentCodec {
 public:
  Result<std::size_t> handshake_content_size(record::ContentType type,
                                             ByteView data) const override {
    codec::Reader r(data);
    if (type == record::ContentType::proposal) {
      Proposal p;
      MPSEC_TRY(codec::decode(r, p));
    } else {
      Commit c;
      MPSEC_TRY(codec::decode(r, c));
    }
    return r.position();
  }
};
}  // namespace

const record::ContentCodec& content_codec() {
  static const MlsContentCodec codec;
  return codec;
}

}  // namespace mpsec::mls
