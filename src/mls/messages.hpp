// RFC 9420 message structures: credentials, leaf nodes, key packages, proposals and commits,
// each declared with its TLS encoding beside it.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "codec/tls.hpp"
#include "record/framing.hpp"
#include "schedule/group_context.hpp"
#include "schedule/psk.hpp"

namespace mpsec::mls {

using schedule::Extension;

enum class CredentialType : std::uint16_t { basic = 1, x509 = 2 };
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

// struct { opaque cert_data<V>; } Certificate;
struct Certificate {
  Bytes cert_data;
  MPSEC_TLS_FIELDS(cert_data)
  friend bool operator==(const Certificate&, const Certificate&) = default;
};

// struct { CredentialType credential_type; select { basic: opaque identity<V>;
//          x509: Certificate certificates<V>; } } Credential;
struct Credential {
  CredentialType credential_type = CredentialType::basic;
  Bytes identity;                         // basic
  std::vector<Certificate> certificates;  // x509, end-entity first

  static Credential basic(Bytes identity) {
    return {CredentialType::basic, std::move(identity), {}};
  }
  void tls_encode(codec::Writer& w) const;
  [[nodiscard]] Status tls_decode(codec::Reader& r);
  friend bool operator==(const Credential&, const Credential&) = default;
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

// The ContentCodec that lets the record layer find where a Proposal or Commit ends.
const record::ContentCodec& content_codec();

}  // namespace mpsec::mls
