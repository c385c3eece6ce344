// RFC 9420 message structures: every struct round-trips byte for byte, every truncation is a
// decode_error, a trailing byte is trailing_data, unknown enum values are refused (and
// GREASE values in Capabilities are carried as they are).
#include "mls/messages.hpp"

#include <gtest/gtest.h>

#include "base/test_support.hpp"

namespace mpsec::mls {
namespace {

using testutil::FailsWith;
using testutil::hex;
using testutil::IsOk;

Bytes text(std::string_view s) {
  return to_bytes(as_bytes(s));
}

// encode -> decode -> the same value -> the same bytes; every proper prefix fails with a
// decode_error; one extra byte is trailing_data. Returns the encoding.
template <class T>
Bytes ExpectStrictRoundTrip(const T& value) {
  auto encoded = codec::encode(value);
  EXPECT_TRUE(IsOk(encoded));
  if (!encoded) return {};
  const Bytes& bytes = *encoded;
  auto back = codec::decode<T>(bytes);
  EXPECT_TRUE(IsOk(back));
  if (!back) return bytes;
  EXPECT_TRUE(*back == value);
  EXPECT_EQ(*codec::encode(*back), bytes);
  for (std::size_t n = 0; n < bytes.size(); ++n)
    EXPECT_TRUE(FailsWith(codec::decode<T>(ByteView(bytes).first(n)), Errc::decode_error))
        << "truncated to " << n << " of " << bytes.size();
  Bytes longer = bytes;
  longer.push_back(0);
  EXPECT_TRUE(FailsWith(codec::decode<T>(longer), Errc::trailing_data));
  return bytes;
}

// --- samples -------------------------------------------------------------------------------

// A ProposalOrRef holding a proposal. (Built in place: g++ 12 warns, wrongly, that the Bytes
// alternative may be used uninitialized when a temporary of the variant is copied.)
ProposalOrRef by_value(Proposal p) {
  ProposalOrRef r;
  r.value.emplace<Proposal>(std::move(p));
  return r;
}
ProposalOrRef by_reference(Bytes ref) {
  ProposalOrRef r;
  r.value.emplace<Bytes>(std::move(ref));
  return r;
}

Capabilities grease_capabilities() {
  Capabilities c;
  c.versions = {1, 0x0a0a};
  c.cipher_suites = {1, 0x1a1a, 7};
  c.extensions = {0x2a2a};
  c.proposals = {0x3a3a, 0xfafa};
  c.credentials = {1, 2, 0x4a4a};
  return c;
}

Credential x509_credential() {
  Credential c;
  c.credential_type = CredentialType::x509;
  c.certificates = {Certificate{Bytes(40, 0x30)}, Certificate{Bytes(3, 0x31)}};
  return c;
}

LeafNode leaf_node(LeafNodeSource source) {
  LeafNode n;
  n.encryption_key = Bytes(32, 0x01);
  n.signature_key = Bytes(32, 0x02);
  n.credential = Credential::basic(text("alice"));
  n.capabilities = grease_capabilities();
  n.leaf_node_source = source;
  if (source == LeafNodeSource::key_package) n.lifetime = {1'700'000'000, UINT64_MAX};
  if (source == LeafNodeSource::commit) n.parent_hash = Bytes(32, 0x03);
  n.extensions = {Extension{0x0005, Bytes{0xaa}}, Extension{0x0a0a, {}}};
  n.signature = Bytes(64, 0x04);
  return n;
}

KeyPackage key_package() {
  KeyPackage kp;
  kp.cipher_suite = 1;
  kp.init_key = Bytes(32, 0x11);
  kp.leaf_node = leaf_node(LeafNodeSource::key_package);
  kp.extensions = {Extension{0x0a0a, Bytes{1, 2}}};
  kp.signature = Bytes(64, 0x12);
  return kp;
}

schedule::PreSharedKeyId external_psk() {
  schedule::PreSharedKeyId p;
  p.psktype = schedule::PskType::external;
  p.psk_id = text("psk");
  p.psk_nonce = Bytes(32, 0x21);
  return p;
}

schedule::PreSharedKeyId resumption_psk() {
  schedule::PreSharedKeyId p;
  p.psktype = schedule::PskType::resumption;
  p.usage = schedule::ResumptionPskUsage::reinit;
  p.psk_group_id = text("old group");
  p.psk_epoch = 42;
  p.psk_nonce = Bytes(32, 0x22);
  return p;
}

std::vector<Proposal> every_proposal() {
  return {
      Proposal{Add{key_package()}},
      Proposal{Update{leaf_node(LeafNodeSource::update)}},
      Proposal{Remove{3}},
      Proposal{PreSharedKey{external_psk()}},
      Proposal{PreSharedKey{resumption_psk()}},
      Proposal{ReInit{text("new group"), 1, 2, {Extension{3, Bytes{4}}}}},
      Proposal{ExternalInit{Bytes(32, 0x33)}},
      Proposal{GroupContextExtensions{{Extension{0x0002, Bytes(5, 0x44)}, Extension{0xf000, {}}}}},
  };
}

UpdatePathNode update_path_node(std::uint8_t seed, std::size_t recipients) {
  UpdatePathNode n;
  n.encryption_key = Bytes(32, seed);
  for (std::size_t i = 0; i < recipients; ++i)
    n.encrypted_path_secret.push_back(
        HpkeCiphertext{Bytes(32, static_cast<std::uint8_t>(seed + i)), Bytes(48, 0xcc)});
  return n;
}

UpdatePath update_path() {
  UpdatePath p;
  p.leaf_node = leaf_node(LeafNodeSource::commit);
  p.nodes = {update_path_node(0x50, 1), update_path_node(0x60, 2), update_path_node(0x70, 0)};
  return p;
}

Commit commit(bool with_path) {
  Commit c;
  c.proposals.push_back(by_reference(Bytes(32, 0xab)));
  c.proposals.push_back(by_value(Proposal{Remove{1}}));
  c.proposals.push_back(by_value(Proposal{Add{key_package()}}));
  if (with_path) c.path = update_path();
  return c;
}

// --- Credential, Capabilities, Lifetime ------------------------------------------------------

TEST(CredentialCodec, BasicRoundTripsByteExact) {
  // credential_type(0x0001) identity<V>
  EXPECT_EQ(ExpectStrictRoundTrip(Credential::basic(text("alice"))), hex("0001"
                                                                         "05616c696365"));
}

TEST(CredentialCodec, X509RoundTripsByteExact) {
  Credential c;
  c.credential_type = CredentialType::x509;
  c.certificates = {Certificate{Bytes{0xaa}}, Certificate{Bytes{0xbb, 0xcc}}};
  // credential_type(0x0002) certificates<V> = [cert_data<V>, cert_data<V>]
  EXPECT_EQ(ExpectStrictRoundTrip(c), hex("0002"
                                          "05"
                                          "01aa"
                                          "02bbcc"));
  ExpectStrictRoundTrip(x509_credential());
}

TEST(CredentialCodec, UnknownCredentialTypeIsRejected) {
  for (std::uint16_t t : {0, 3, 0x0a0a, 0xffff}) {
    const Bytes encoded = {static_cast<std::uint8_t>(t >> 8), static_cast<std::uint8_t>(t), 0x00};
    EXPECT_TRUE(FailsWith(codec::decode<Credential>(encoded), Errc::unsupported)) << t;
  }
}

TEST(CapabilitiesCodec, GreaseValuesAreCarriedUnchanged) {
  const Bytes bytes = ExpectStrictRoundTrip(grease_capabilities());
  EXPECT_EQ(bytes, hex("04"
                       "00010a0a"
                       "06"
                       "00011a1a0007"
                       "02"
                       "2a2a"
                       "04"
                       "3a3afafa"
                       "06"
                       "000100024a4a"));
  ExpectStrictRoundTrip(Capabilities{});
}

TEST(CapabilitiesCodec, OddLengthUint16VectorIsRejected) {
  // versions<V> claims 3 bytes: one and a half uint16 values.
  EXPECT_TRUE(FailsWith(codec::decode<Capabilities>(hex("03000100"
                                                        "00"
                                                        "00"
                                                        "00"
                                                        "00")),
                        Errc::decode_error));
}

TEST(LifetimeCodec, RoundTripsByteExact) {
  EXPECT_EQ(ExpectStrictRoundTrip(Lifetime{1, UINT64_MAX}), hex("0000000000000001"
                                                                "ffffffffffffffff"));
}

// --- LeafNode, KeyPackage -------------------------------------------------------------------

TEST(LeafNodeCodec, AllThreeSourcesRoundTrip) {
  for (auto source :
       {LeafNodeSource::key_package, LeafNodeSource::update, LeafNodeSource::commit}) {
    SCOPED_TRACE(int(source));
    const LeafNode n = leaf_node(source);
    const Bytes bytes = ExpectStrictRoundTrip(n);
    // The encoding is LeafNodeTBS's body followed by signature<V>.
    codec::Writer w;
    n.encode_content(w);
    w.opaque(n.signature);
    EXPECT_EQ(*std::move(w).finish(), bytes);
  }
}

TEST(LeafNodeCodec, SourceSelectsTheOptionalFields) {
  // lifetime only with key_package, parent_hash only with commit.
  LeafNode a = leaf_node(LeafNodeSource::update);
  LeafNode b = a;
  b.lifetime = {5, 6};
  b.parent_hash = Bytes(32, 9);
  EXPECT_EQ(*codec::encode(a), *codec::encode(b));
  const std::size_t update_size = codec::encode(a)->size();
  EXPECT_EQ(codec::encode(leaf_node(LeafNodeSource::key_package))->size(), update_size + 16);
  EXPECT_EQ(codec::encode(leaf_node(LeafNodeSource::commit))->size(), update_size + 33);
}

Bytes leaf_node_with_source(std::uint8_t source) {
  const LeafNode n = leaf_node(LeafNodeSource::update);
  codec::Writer w;
  w.opaque(n.encryption_key);
  w.opaque(n.signature_key);
  codec::encode(w, n.credential);
  codec::encode(w, n.capabilities);
  w.u8(source);
  codec::encode(w, n.extensions);
  w.opaque(n.signature);
  return *std::move(w).finish();
}

TEST(LeafNodeCodec, UnknownLeafNodeSourceIsRejected) {
  EXPECT_TRUE(IsOk(codec::decode<LeafNode>(leaf_node_with_source(2))));  // same bytes, valid
  for (std::uint8_t s : {0, 4, 0xff})
    EXPECT_TRUE(FailsWith(codec::decode<LeafNode>(leaf_node_with_source(s)), Errc::decode_error))
        << int(s);
}

TEST(KeyPackageCodec, RoundTrips) {
  const Bytes bytes = ExpectStrictRoundTrip(key_package());
  EXPECT_EQ(bytes[0], 0x00);  // version mls10
  EXPECT_EQ(bytes[1], 0x01);
  EXPECT_EQ(bytes[2], 0x00);  // cipher_suite
  EXPECT_EQ(bytes[3], 0x01);
}

TEST(KeyPackageCodec, LeafNodeWithBadSourceInsideIsRejected) {
  const KeyPackage kp = key_package();
  Bytes bytes = *codec::encode(kp);
  // The leaf node starts after version, cipher_suite and init_key<V>; its source byte after
  // encryption_key<V>, signature_key<V>, credential and capabilities.
  codec::Writer w;
  w.u16(kp.version);
  w.u16(kp.cipher_suite);
  w.opaque(kp.init_key);
  w.opaque(kp.leaf_node.encryption_key);
  w.opaque(kp.leaf_node.signature_key);
  codec::encode(w, kp.leaf_node.credential);
  codec::encode(w, kp.leaf_node.capabilities);
  const std::size_t source_at = w.size();
  ASSERT_EQ(bytes[source_at], 1);  // key_package
  for (std::uint8_t s : {0, 4}) {
    bytes[source_at] = s;
    EXPECT_TRUE(FailsWith(codec::decode<KeyPackage>(bytes), Errc::decode_error)) << int(s);
  }
}

// --- Proposals ----------------------------------------------------------------------------

TEST(ProposalCodec, EveryProposalTypeRoundTrips) {
  for (const Proposal& p : every_proposal()) {
    SCOPED_TRACE(int(p.type()));
    const Bytes bytes = ExpectStrictRoundTrip(p);
    // The first two bytes are the ProposalType of the body.
    EXPECT_EQ((bytes[0] << 8) | bytes[1], static_cast<int>(p.type()));
  }
}

TEST(ProposalCodec, TypesFollowRfcNumbering) {
  const auto all = every_proposal();
  EXPECT_EQ(all[0].type(), ProposalType::add);
  EXPECT_EQ(all[1].type(), ProposalType::update);
  EXPECT_EQ(all[2].type(), ProposalType::remove);
  EXPECT_EQ(all[3].type(), ProposalType::psk);
  EXPECT_EQ(all[5].type(), ProposalType::reinit);
  EXPECT_EQ(all[6].type(), ProposalType::external_init);
  EXPECT_EQ(all[7].type(), ProposalType::group_context_extensions);
  EXPECT_EQ(ExpectStrictRoundTrip(Proposal{Remove{5}}), hex("0003"
                                                            "00000005"));
}

TEST(ProposalCodec, UnknownProposalTypeIsRejected) {
  for (std::uint16_t t : {0, 8, 0x0a0a, 0xffff}) {
    const Bytes encoded = {
        static_cast<std::uint8_t>(t >> 8), static_cast<std::uint8_t>(t), 0, 0, 0, 5};
    EXPECT_TRUE(FailsWith(codec::decode<Proposal>(encoded), Errc::unsupported)) << t;
  }
}

TEST(ProposalOrRefCodec, BothKindsRoundTripByteExact) {
  EXPECT_EQ(ExpectStrictRoundTrip(ProposalOrRef{Proposal{Remove{5}}}), hex("01"
                                                                           "0003"
                                                                           "00000005"));
  EXPECT_EQ(ExpectStrictRoundTrip(ProposalOrRef{Bytes{0xde, 0xad}}), hex("02"
                                                                         "02dead"));
  ExpectStrictRoundTrip(ProposalOrRef{Bytes(32, 0x77)});
  ExpectStrictRoundTrip(ProposalOrRef{Proposal{Add{key_package()}}});
}

TEST(ProposalOrRefCodec, UnknownProposalOrRefTypeIsRejected) {
  for (std::uint8_t t : {0, 3, 0xff})
    EXPECT_TRUE(FailsWith(codec::decode<ProposalOrRef>(Bytes{t, 0x00, 0x03, 0, 0, 0, 5}),
                          Errc::decode_error))
        << int(t);
}

// --- UpdatePath and Commit ---------------------------------------------------------------------

TEST(HpkeCiphertextCodec, RoundTripsByteExact) {
  EXPECT_EQ(ExpectStrictRoundTrip(HpkeCiphertext{Bytes{1, 2}, Bytes{3}}), hex("020102"
                                                                              "0103"));
}

TEST(UpdatePathNodeCodec, RoundTrips) {
  ExpectStrictRoundTrip(update_path_node(0x10, 0));
  ExpectStrictRoundTrip(update_path_node(0x10, 3));
}

TEST(UpdatePathCodec, RoundTrips) {
  ExpectStrictRoundTrip(update_path());
}

TEST(CommitCodec, WithAndWithoutPathRoundTrip) {
  const Bytes without = ExpectStrictRoundTrip(commit(false));
  EXPECT_EQ(without.back(), 0x00);  // optional<UpdatePath>: absent
  const Bytes with = ExpectStrictRoundTrip(commit(true));
  EXPECT_EQ(with[without.size() - 1], 0x01);  // present, then the path
  EXPECT_EQ(ExpectStrictRoundTrip(Commit{}), hex("00"
                                                 "00"));
}

TEST(CommitCodec, PathPresenceByteOtherThanZeroOrOneIsRejected) {
  Bytes bytes = *codec::encode(commit(false));
  bytes.back() = 2;
  EXPECT_TRUE(FailsWith(codec::decode<Commit>(bytes), Errc::decode_error));
}

TEST(CommitCodec, UnknownProposalInsideIsRejected) {
  // proposals<V> = [ProposalOrRef{proposal, type 0x0a0a ...}], no path.
  EXPECT_TRUE(FailsWith(codec::decode<Commit>(hex("07"
                                                  "01"
                                                  "0a0a"
                                                  "00000005"
                                                  "00")),
                        Errc::unsupported));
  EXPECT_TRUE(FailsWith(codec::decode<Commit>(hex("07"
                                                  "03"
                                                  "0003"
                                                  "00000005"
                                                  "00")),
                        Errc::decode_error));
}

// --- the content codec the record layer uses --------------------------------------------------

TEST(MlsContentCodec, FindsTheEndOfProposalsAndCommits) {
  for (const Proposal& p : every_proposal()) {
    Bytes bytes = *codec::encode(p);
    const std::size_t size = bytes.size();
    append(bytes, Bytes{0xff, 0xfe, 0xfd});  // what follows in a FramedContent
    auto got = content_codec().handshake_content_size(record::ContentType::proposal, bytes);
    ASSERT_TRUE(IsOk(got));
    EXPECT_EQ(*got, size);
  }
  for (bool with_path : {false, true}) {
    Bytes bytes = *codec::encode(commit(with_path));
    const std::size_t size = bytes.size();
    append(bytes, Bytes(10, 0));
    auto got = content_codec().handshake_content_size(record::ContentType::commit, bytes);
    ASSERT_TRUE(IsOk(got));
    EXPECT_EQ(*got, size);
  }
}

TEST(MlsContentCodec, MalformedHandshakeContentIsRejected) {
  EXPECT_TRUE(FailsWith(content_codec().handshake_content_size(record::ContentType::proposal, {}),
                        Errc::decode_error));
  EXPECT_TRUE(
      FailsWith(content_codec().handshake_content_size(record::ContentType::commit, hex("0501")),
                Errc::decode_error));
}

}  // namespace
}  // namespace mpsec::mls
