// RFC 9420 message structures: credentials, leaf nodes, key packages, proposals and commits,
// each declared with its TLS encoding beside it.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "codec/tls.hpp"
#include "record/framing.hpp"
#include "schedule/credential.hpp"
#include "schedule/group_context.hpp"
#include "schedule/psk.hpp"

namespace mpsec::mls {

using schedule::Extension;

using schedule::Certificate;
using schedule::Credential;
using schedule::CredentialType;
enum class LeafNodeSource : std::uint8_t { key_package = 1, update = 2, commit = 3 };
enum class ProposalType : std::uint16_t {
  add = 1,
  update = 2,
  remove = 3,
  psk = 4,
  reinit = 5,
  external_init = 6,
  group_context_extensions = 7,
};

// struct { ProtocolVersion versions<V>; CipherSuite cipher_suites<V>;
//          ExtensionType extensions<V>; ProposalType proposals<V>;
//          CredentialType credentials<V>; } Capabilities;
// Raw uint16 values: unknown (GREASE) values must be carried and ignored.
struct Capabilities {
  std::vector<std::uint16_t> versions;
  std::vector<std::uint16_t> cipher_suites;
  std::vector<std::uint16_t> extensions;
  std::vector<std::uint16_t> proposals;
  std::vector<std::uint16_t> credentials;
  MPSEC_TLS_FIELDS(versions, cipher_suites, extensions, proposals, credentials)
  friend bool operator==(const Capabilities&, const Capabilities&) = default;
};

// struct { uint64 not_before; uint64 not_after; } Lifetime;
struct Lifetime {
  std::uint64_t not_before = 0;
  std::uint64_t not_after = 0;
  MPSEC_TLS_FIELDS(not_before, not_after)
  friend bool operator==(const Lifetime&, const Lifetime&) = default;
};

// LeafNode (RFC 9420 §7.2).
struct LeafNode {
  Bytes encryption_key;  // HPKEPublicKey
  Bytes signature_key;   // SignaturePublicKey
  Credential credential;
  Capabilities capabilities;
  LeafNodeSource leaf_node_source = LeafNodeSource::key_package;
  Lifetime lifetime;  // key_package
  Bytes parent_hash;  // commit
  std::vector<Extension> extensions;
  Bytes signature;

  // The fields up to and including extensions (the body of LeafNodeTBS).
  void encode_content(codec::Writer& w) const;
  void tls_encode(codec::Writer& w) const;
  [[nodiscard]] Status tls_decode(codec::Reader& r);
  friend bool operator==(const LeafNode&, const LeafNode&) = default;
};

// struct { ProtocolVersion version; CipherSuite cipher_suite; HPKEPublicKey init_key;
//          LeafNode leaf_node; Extension extensions<V>; opaque signature<V>; } KeyPackage;
struct KeyPackage {
  std::uint16_t version = record::kProtocolVersionMls10;
  std::uint16_t cipher_suite = 0;
  Bytes init_key;
  LeafNode leaf_node;
  std::vector<Extension> extensions;
  Bytes signature;
  MPSEC_TLS_FIELDS(version, cipher_suite, init_key, leaf_node, extensions, signature)
  friend bool operator==(const KeyPackage&, const KeyPackage&) = default;
};

struct Add {
  KeyPackage key_package;
  MPSEC_TLS_FIELDS(key_package)
  friend bool operator==(const Add&, const Add&) = default;
};
struct Update {
  LeafNode leaf_node;
  MPSEC_TLS_FIELDS(leaf_node)
  friend bool operator==(const Update&, const Update&) = default;
};
struct Remove {
  std::uint32_t removed = 0;
  MPSEC_TLS_FIELDS(removed)
  friend bool operator==(const Remove&, const Remove&) = default;
};
struct PreSharedKey {
  schedule::PreSharedKeyId psk;
  MPSEC_TLS_FIELDS(psk)
  friend bool operator==(const PreSharedKey&, const PreSharedKey&) = default;
};
struct ReInit {
  Bytes group_id;
  std::uint16_t version = record::kProtocolVersionMls10;
  std::uint16_t cipher_suite = 0;
  std::vector<Extension> extensions;
  MPSEC_TLS_FIELDS(group_id, version, cipher_suite, extensions)
  friend bool operator==(const ReInit&, const ReInit&) = default;
};
struct ExternalInit {
  Bytes kem_output;
  MPSEC_TLS_FIELDS(kem_output)
  friend bool operator==(const ExternalInit&, const ExternalInit&) = default;
};
struct GroupContextExtensions {
  std::vector<Extension> extensions;
  MPSEC_TLS_FIELDS(extensions)
  friend bool operator==(const GroupContextExtensions&, const GroupContextExtensions&) = default;
};

// struct { ProposalType proposal_type; select (proposal_type) { ... } } Proposal;
struct Proposal {
  std::variant<Add, Update, Remove, PreSharedKey, ReInit, ExternalInit, GroupContextExtensions>
      body;

  ProposalType type() const noexcept { return static_cast<ProposalType>(body.index() + 1); }
  void tls_encode(codec::Writer& w) const;
  [[nodiscard]] Status tls_decode(codec::Reader& r);
  friend bool operator==(const Proposal&, const Proposal&) = default;
};

// struct { ProposalOrRefType type; select { proposal: Proposal; reference: ProposalRef; } }
struct ProposalOrRef {
  std::variant<Proposal, Bytes> value;  // the proposal, or its ProposalRef

  void tls_encode(codec::Writer& w) const;
  [[nodiscard]] Status tls_decode(codec::Reader& r);
  friend bool operator==(const ProposalOrRef&, const ProposalOrRef&) = default;
};

// struct { opaque kem_output<V>; opaque ciphertext<V>; } HPKECiphertext;
struct HpkeCiphertext {
  Bytes kem_output;
  Bytes ciphertext;
  MPSEC_TLS_FIELDS(kem_output, ciphertext)
  friend bool operator==(const HpkeCiphertext&, const HpkeCiphertext&) = default;
};

// struct { HPKEPublicKey encryption_key; HPKECiphertext encrypted_path_secret<V>; }
struct UpdatePathNode {
  Bytes encryption_key;
  std::vector<HpkeCiphertext> encrypted_path_secret;
  MPSEC_TLS_FIELDS(encryption_key, encrypted_path_secret)
  friend bool operator==(const UpdatePathNode&, const UpdatePathNode&) = default;
};

// struct { LeafNode leaf_node; UpdatePathNode nodes<V>; } UpdatePath;
struct UpdatePath {
  LeafNode leaf_node;
  std::vector<UpdatePathNode> nodes;
  MPSEC_TLS_FIELDS(leaf_node, nodes)
  friend bool operator==(const UpdatePath&, const UpdatePath&) = default;
};

// struct { ProposalOrRef proposals<V>; optional<UpdatePath> path; } Commit;
struct Commit {
  std::vector<ProposalOrRef> proposals;
  std::optional<UpdatePath> path;
  MPSEC_TLS_FIELDS(proposals, path)
  friend bool operator==(const Commit&, const Commit&) = default;
};

// struct { HPKEPublicKey encryption_key; opaque parent_hash<V>; uint32 unmerged_leaves<V>; }
struct ParentNode {
  Bytes encryption_key;
  Bytes parent_hash;
  std::vector<std::uint32_t> unmerged_leaves;  // sorted, increasing
  MPSEC_TLS_FIELDS(encryption_key, parent_hash, unmerged_leaves)
  friend bool operator==(const ParentNode&, const ParentNode&) = default;
};

// struct { NodeType node_type; select { leaf: LeafNode; parent: ParentNode; } } Node;
struct Node {
  std::variant<LeafNode, ParentNode> value;

  bool is_leaf() const noexcept { return value.index() == 0; }
  const LeafNode& leaf() const { return std::get<LeafNode>(value); }
  const ParentNode& parent() const { return std::get<ParentNode>(value); }
  LeafNode& leaf() { return std::get<LeafNode>(value); }
  ParentNode& parent() { return std::get<ParentNode>(value); }
  // The HPKE public key of either kind of node.
  const Bytes& encryption_key() const {
    return is_leaf() ? leaf().encryption_key : parent().encryption_key;
  }
  void tls_encode(codec::Writer& w) const;
  [[nodiscard]] Status tls_decode(codec::Reader& r);
  friend bool operator==(const Node&, const Node&) = default;
};

// optional<Node> ratchet_tree<V>: the public tree in array order (RFC 9420 §12.4.3.3).
using RatchetTreeNodes = std::vector<std::optional<Node>>;

// struct { opaque path_secret<V>; } PathSecret;
struct PathSecret {
  SecretBytes path_secret;
  MPSEC_TLS_FIELDS(path_secret)
};

// struct { opaque joiner_secret<V>; optional<PathSecret> path_secret;
//          PreSharedKeyID psks<V>; } GroupSecrets;
struct GroupSecrets {
  SecretBytes joiner_secret;
  std::optional<PathSecret> path_secret;
  std::vector<schedule::PreSharedKeyId> psks;
  MPSEC_TLS_FIELDS(joiner_secret, path_secret, psks)
};

// struct { KeyPackageRef new_member; HPKECiphertext encrypted_group_secrets; }
struct EncryptedGroupSecrets {
  Bytes new_member;
  HpkeCiphertext encrypted_group_secrets;
  MPSEC_TLS_FIELDS(new_member, encrypted_group_secrets)
  friend bool operator==(const EncryptedGroupSecrets&, const EncryptedGroupSecrets&) = default;
};

// struct { CipherSuite cipher_suite; EncryptedGroupSecrets secrets<V>;
//          opaque encrypted_group_info<V>; } Welcome;
struct Welcome {
  std::uint16_t cipher_suite = 0;
  std::vector<EncryptedGroupSecrets> secrets;
  Bytes encrypted_group_info;
  MPSEC_TLS_FIELDS(cipher_suite, secrets, encrypted_group_info)
  friend bool operator==(const Welcome&, const Welcome&) = default;
};

// struct { GroupContext group_context; Extension extensions<V>; MAC confirmation_tag;
//          uint32 signer; opaque signature<V>; } GroupInfo;
struct GroupInfo {
  schedule::GroupContext group_context;
  std::vector<Extension> extensions;
  Bytes confirmation_tag;
  std::uint32_t signer = 0;
  Bytes signature;

  // GroupInfoTBS: every field above the signature.
  void encode_tbs(codec::Writer& w) const;
  MPSEC_TLS_FIELDS(group_context, extensions, confirmation_tag, signer, signature)
  friend bool operator==(const GroupInfo&, const GroupInfo&) = default;
};

// struct { SignaturePublicKey signature_key; Credential credential; } ExternalSender;
struct ExternalSender {
  Bytes signature_key;
  Credential credential;
  MPSEC_TLS_FIELDS(signature_key, credential)
  friend bool operator==(const ExternalSender&, const ExternalSender&) = default;
};

// struct { ExtensionType extension_types<V>; ProposalType proposal_types<V>;
//          CredentialType credential_types<V>; } RequiredCapabilities;
struct RequiredCapabilities {
  std::vector<std::uint16_t> extension_types;
  std::vector<std::uint16_t> proposal_types;
  std::vector<std::uint16_t> credential_types;
  MPSEC_TLS_FIELDS(extension_types, proposal_types, credential_types)
  friend bool operator==(const RequiredCapabilities&, const RequiredCapabilities&) = default;
};

// The MLSMessage envelope with every RFC 9420 wire format.
struct MlsMessage {
  std::variant<record::PublicMessage, record::PrivateMessage, Welcome, GroupInfo, KeyPackage> body;

  record::WireFormat wire_format() const noexcept {
    return static_cast<record::WireFormat>(body.index() + 1);
  }
  void tls_encode(codec::Writer& w) const;
  [[nodiscard]] Status tls_decode(codec::Reader& r);
};

// The ContentCodec that lets the record layer find where a Proposal or Commit ends.
const record::ContentCodec& content_codec();

}  // namespace mpsec::mls
