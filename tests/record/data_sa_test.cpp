// The Data SA: protect/unprotect between members, epochs and grace time, out-of-order
// delivery, and one named test per attack. Every negative test asserts the typed error and
// that the receiver's state did not change: the genuine message still unprotects afterwards.
#include "record/data_sa.hpp"

#include <gtest/gtest.h>

#include "base/test_support.hpp"
#include "crypto/test_random.hpp"
#include "record/content_auth.hpp"
#include "record/private_message.hpp"
#include "schedule/group_context.hpp"

namespace mpsec::record {
namespace {

using crypto::CipherSuite;
using crypto::SigningKey;
using testutil::FailsWith;
using testutil::IsOk;
using tree::LeafIndex;

constexpr std::uint32_t kLeaves = 4;

Bytes text(std::string_view s) {
  return to_bytes(as_bytes(s));
}

struct Group {
  CipherSuite suite = *CipherSuite::from_code(1);
  Bytes group_id = text("group");
  crypto::SeededRandom rng{42};
  std::vector<SigningKey> keys;
  Instant t0{};

  Group() {
    for (std::uint32_t i = 0; i < kLeaves; ++i)
      keys.push_back(*SigningKey::generate(suite.sig(), rng));
  }

  schedule::EpochSecret epoch_secret(std::uint64_t epoch) const {
    SecretBytes s(suite.hash_size());
    for (std::size_t i = 0; i < s.size(); ++i)
      s.data()[i] = static_cast<std::uint8_t>(epoch * 31 + i);
    return schedule::EpochSecret(std::move(s));
  }
  Bytes group_context(std::uint64_t epoch) const {
    schedule::GroupContext gc;
    gc.cipher_suite = suite.code();
    gc.group_id = group_id;
    gc.epoch = epoch;
    gc.tree_hash = Bytes(32, 0x01);
    return *codec::encode(gc);
  }
  // Leaves [0, authorized) may send.
  Roster roster(std::uint32_t authorized) const {
    Roster r(kLeaves);
    for (std::uint32_t i = 0; i < authorized; ++i)
      r[i] = keys[i].verify_key();
    return r;
  }
  EpochInput input(std::uint64_t epoch, std::uint32_t authorized = kLeaves) const {
    return EpochInput{epoch, epoch_secret(epoch), group_context(epoch), tree::LeafCount(kLeaves),
                      roster(authorized)};
  }
  DataSA member(std::uint32_t leaf, const DataPolicy& policy = {},
                std::uint32_t authorized = kLeaves) {
    auto sa = DataSA::create(suite, group_id, LeafIndex(leaf), keys[leaf], policy,
                             input(0, authorized), t0);
    EXPECT_TRUE(IsOk(sa));
    return std::move(*sa);
  }

  // What an insider holding the epoch's keys can produce: a PrivateMessage claiming
  // `claimed_leaf`, signed with `signer` (the tamper hook may alter the content first).
  Bytes forge(std::uint64_t epoch, std::uint32_t claimed_leaf, const SigningKey& signer,
              ByteView plaintext, void (*tamper)(AuthenticatedContent&) = nullptr) {
    auto sd = *suite.derive_secret(epoch_secret(epoch).view(), "sender data");
    auto enc = *suite.derive_secret(epoch_secret(epoch).view(), "encryption");
    auto sender_data = *suite.kdf_key(sd.view());
    schedule::SecretTree tree(suite, schedule::EncryptionSecret(std::move(enc)),
                              tree::LeafCount(kLeaves));
    AuthenticatedContent ac;
    ac.wire_format = WireFormat::private_message;
    ac.content = FramedContent{group_id,
                               epoch,
                               Sender::member(claimed_leaf),
                               {},
                               ContentType::application,
                               encode_application_data(plaintext)};
    ac.auth.signature =
        *sign_content(suite, signer, ac.wire_format, ac.content, group_context(epoch));
    if (tamper) tamper(ac);
    return *protect_private({suite, sender_data}, tree, ac, 0, rng);
  }
};

// Edits one field of an encoded MLSMessage(PrivateMessage).
Bytes edit(const Bytes& message, void (*change)(PrivateMessage&)) {
  codec::Reader r(message);
  EXPECT_TRUE(IsOk(decode_header(r)));
  PrivateMessage m;
  EXPECT_TRUE(IsOk(codec::decode(r, m)));
  change(m);
  codec::Writer w;
  encode_header(w, WireFormat::private_message);
  codec::encode(w, m);
  return *std::move(w).finish();
}

DataPolicy signed_policy() {
  DataPolicy p;
  p.sign = true;
  return p;
}

// --- the happy paths -------------------------------------------------------------------

TEST(DataSA, ProtectUnprotectBetweenMembers) {
  for (const auto& suite : CipherSuite::all()) {
    Group g;
    g.suite = suite;
    for (auto& k : g.keys)
      k = *SigningKey::generate(suite.sig(), g.rng);
    for (bool sign : {false, true}) {
      DataPolicy policy;
      policy.sign = sign;
      auto alice = g.member(0, policy);
      auto bob = g.member(1, policy);
      auto msg = alice.protect(text("hello group"), text("ad"), g.rng);
      ASSERT_TRUE(IsOk(msg)) << suite.name();
      auto got = bob.unprotect(*msg, g.t0);
      ASSERT_TRUE(IsOk(got)) << suite.name() << " sign=" << sign;
      EXPECT_EQ(got->sender, LeafIndex(0));
      EXPECT_EQ(got->generation, 0u);
      EXPECT_EQ(got->epoch, 0u);
      EXPECT_EQ(got->authenticated_data, text("ad"));
      EXPECT_EQ(got->plaintext, text("hello group"));
    }
  }
}

TEST(DataSA, GenerationsAdvancePerSender) {
  Group g;
  auto alice = g.member(0);
  auto bob = g.member(1);
  for (std::uint32_t i = 0; i < 5; ++i) {
    auto got = bob.unprotect(*alice.protect(text("m"), {}, g.rng), g.t0);
    ASSERT_TRUE(IsOk(got));
    EXPECT_EQ(got->generation, i);
  }
}

TEST(DataSA, OutOfOrderWithinWindowDeliversEachMessageExactlyOnce) {
  Group g;
  auto alice = g.member(0);
  auto bob = g.member(1);
  std::vector<Bytes> sent;
  for (int i = 0; i < 10; ++i)
    sent.push_back(*alice.protect(text(std::to_string(i)), {}, g.rng));
  for (int i : {9, 3, 0, 5, 1, 8, 2, 7, 4, 6}) {
    auto got = bob.unprotect(sent[i], g.t0);
    ASSERT_TRUE(IsOk(got)) << "message " << i;
    EXPECT_EQ(got->plaintext, text(std::to_string(i)));
    EXPECT_EQ(got->generation, static_cast<std::uint32_t>(i));
  }
  for (const auto& m : sent)
    EXPECT_TRUE(FailsWith(bob.unprotect(m, g.t0), Errc::replay));
}

TEST(DataSA, CompressionAndPaddingRoundTrip) {
  Group g;
  DataPolicy policy;
  policy.compress = true;
  policy.padding_block = 64;
  auto alice = g.member(0, policy);
  auto bob = g.member(1, policy);
  const Bytes big(5000, 'a');
  auto msg = alice.protect(big, {}, g.rng);
  ASSERT_TRUE(IsOk(msg));
  EXPECT_LT(msg->size(), 400u);  // 5000 repeated bytes compress to a few dozen
  auto got = bob.unprotect(*msg, g.t0);
  ASSERT_TRUE(IsOk(got));
  EXPECT_EQ(got->plaintext, big);
}

TEST(DataSA, PaddingHidesLengthWithinABlock) {
  Group g;
  DataPolicy policy;
  policy.padding_block = 256;
  auto alice = g.member(0, policy);
  EXPECT_EQ(alice.protect(text("a"), {}, g.rng)->size(),
            alice.protect(Bytes(200, 'b'), {}, g.rng)->size());
}

TEST(DataSA, PastEpochReadableWithinGraceTime) {
  Group g;
  auto alice = g.member(0);
  auto bob = g.member(1);
  auto old_msg = *alice.protect(text("sent before the rekey"), {}, g.rng);
  ASSERT_TRUE(IsOk(bob.install_epoch(g.input(1), g.t0)));
  ASSERT_TRUE(IsOk(alice.install_epoch(g.input(1), g.t0)));
  auto got = bob.unprotect(old_msg, g.t0 + Duration(30'000));
  ASSERT_TRUE(IsOk(got));
  EXPECT_EQ(got->epoch, 0u);
  auto fresh = bob.unprotect(*alice.protect(text("new"), {}, g.rng), g.t0 + Duration(30'000));
  ASSERT_TRUE(IsOk(fresh));
  EXPECT_EQ(fresh->epoch, 1u);
}

TEST(DataSA, EpochsOnlyMoveForward) {
  Group g;
  auto bob = g.member(1);
  ASSERT_TRUE(IsOk(bob.install_epoch(g.input(2), g.t0)));
  EXPECT_TRUE(FailsWith(bob.install_epoch(g.input(1), g.t0), Errc::invalid_state));
  EXPECT_TRUE(FailsWith(bob.install_epoch(g.input(2), g.t0), Errc::invalid_state));
  EXPECT_EQ(bob.epoch(), 2u);
}

TEST(DataSA, ReceiverOnlyMemberCannotSend) {
  Group g;
  auto carol = g.member(3, {}, /*authorized=*/3);
  EXPECT_TRUE(FailsWith(carol.protect(text("x"), {}, g.rng), Errc::policy_violation));
}

// --- attacks: a typed error, and the state is unchanged ------------------------------

class DataSAAttack : public ::testing::Test {
 protected:
  void SetUp() override {
    alice_.emplace(g_.member(0, policy()));
    bob_.emplace(g_.member(1, policy()));
    genuine_ = *alice_->protect(text("genuine"), text("ad"), g_.rng);
  }
  virtual DataPolicy policy() { return {}; }
  // The receiver still accepts the genuine message: the failure consumed nothing.
  void ExpectStateUnchanged() {
    auto got = bob_->unprotect(genuine_, g_.t0);
    ASSERT_TRUE(IsOk(got));
    EXPECT_EQ(got->plaintext, text("genuine"));
  }

  Group g_;
  std::optional<DataSA> alice_, bob_;
  Bytes genuine_;
};

class DataSASignedAttack : public DataSAAttack {
 protected:
  DataPolicy policy() override { return signed_policy(); }
};

TEST_F(DataSAAttack, ReplayedCiphertextIsRejected) {
  ASSERT_TRUE(IsOk(bob_->unprotect(genuine_, g_.t0)));
  EXPECT_TRUE(FailsWith(bob_->unprotect(genuine_, g_.t0), Errc::replay));
  // The next message of the sender is unaffected.
  EXPECT_TRUE(IsOk(bob_->unprotect(*alice_->protect(text("next"), {}, g_.rng), g_.t0)));
}

TEST_F(DataSAAttack, FlippedCiphertextBitIsRejected) {
  auto bad = edit(genuine_, [](PrivateMessage& m) { m.ciphertext[m.ciphertext.size() / 2] ^= 1; });
  EXPECT_TRUE(FailsWith(bob_->unprotect(bad, g_.t0), Errc::authentication_failed));
  ExpectStateUnchanged();
}

TEST_F(DataSAAttack, FlippedAuthenticatedDataBitIsRejected) {
  auto bad = edit(genuine_, [](PrivateMessage& m) { m.authenticated_data[0] ^= 1; });
  EXPECT_TRUE(FailsWith(bob_->unprotect(bad, g_.t0), Errc::authentication_failed));
  ExpectStateUnchanged();
}

TEST_F(DataSAAttack, FlippedSenderDataBitIsRejected) {
  auto bad = edit(genuine_, [](PrivateMessage& m) { m.encrypted_sender_data[3] ^= 0x80; });
  EXPECT_TRUE(FailsWith(bob_->unprotect(bad, g_.t0), Errc::authentication_failed));
  ExpectStateUnchanged();
}

TEST_F(DataSAAttack, DifferentGroupIdIsRejected) {
  auto bad = edit(genuine_, [](PrivateMessage& m) { m.group_id.back() ^= 1; });
  EXPECT_TRUE(FailsWith(bob_->unprotect(bad, g_.t0), Errc::wrong_group));
  ExpectStateUnchanged();
}

TEST_F(DataSAAttack, EpochBeyondGraceTimeIsRejected) {
  ASSERT_TRUE(IsOk(bob_->install_epoch(g_.input(1), g_.t0)));
  const Instant late = g_.t0 + policy().epoch_grace;
  EXPECT_TRUE(FailsWith(bob_->unprotect(genuine_, late), Errc::unknown_epoch));
  // Still inside the grace time the same message is fine: the failure changed nothing.
  ExpectStateUnchanged();
}

TEST_F(DataSAAttack, UnknownFutureEpochIsRejected) {
  auto bad = edit(genuine_, [](PrivateMessage& m) { m.epoch = 7; });
  EXPECT_TRUE(FailsWith(bob_->unprotect(bad, g_.t0), Errc::unknown_epoch));
  ExpectStateUnchanged();
}

TEST_F(DataSAAttack, GenerationBeyondForwardJumpIsRejected) {
  const auto jump = policy().ratchet.max_forward_jump;
  std::vector<Bytes> sent;
  for (std::uint32_t i = 0; i <= jump + 1; ++i)
    sent.push_back(*alice_->protect(text("m"), {}, g_.rng));
  EXPECT_TRUE(FailsWith(bob_->unprotect(sent.back(), g_.t0), Errc::out_of_window));
  ExpectStateUnchanged();                                 // generation 0 of the genuine message
  EXPECT_TRUE(IsOk(bob_->unprotect(sent[jump], g_.t0)));  // exactly max_forward_jump ahead of 1
}

TEST_F(DataSAAttack, SenderNotInRosterIsRejected) {
  // Bob's roster authorizes leaves 0 and 1 only; leaf 2 holds the group keys but may not send.
  auto carol_view = g_.member(1, policy(), /*authorized=*/2);
  bob_.emplace(std::move(carol_view));
  auto from_leaf2 = g_.forge(0, 2, g_.keys[2], text("I am leaf 2"));
  EXPECT_TRUE(FailsWith(bob_->unprotect(from_leaf2, g_.t0), Errc::unknown_sender));
  ExpectStateUnchanged();
}

TEST_F(DataSAAttack, TruncatedMessageIsRejected) {
  for (std::size_t n :
       {std::size_t{0}, std::size_t{1}, std::size_t{4}, genuine_.size() / 2, genuine_.size() - 1}) {
    const Bytes cut(genuine_.begin(), genuine_.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_TRUE(FailsWith(bob_->unprotect(cut, g_.t0), Errc::decode_error)) << n;
  }
  ExpectStateUnchanged();
}

TEST_F(DataSAAttack, TrailingBytesAreRejected) {
  Bytes longer = genuine_;
  longer.push_back(0);
  EXPECT_TRUE(FailsWith(bob_->unprotect(longer, g_.t0), Errc::trailing_data));
  ExpectStateUnchanged();
}

TEST_F(DataSAAttack, OversizedPlaintextIsRefused) {
  const Bytes huge(policy().max_plaintext + 1, 'x');
  EXPECT_TRUE(FailsWith(alice_->protect(huge, {}, g_.rng), Errc::limit_exceeded));
  ExpectStateUnchanged();
}

TEST_F(DataSAAttack, OversizedLengthPrefixIsRejected) {
  // A ciphertext length prefix claiming far more than was sent.
  auto bogus = edit(genuine_, [](PrivateMessage& m) { m.ciphertext.resize(70'000, 0); });
  bogus.resize(bogus.size() - 60'000);
  EXPECT_TRUE(FailsWith(bob_->unprotect(bogus, g_.t0), Errc::decode_error));
  ExpectStateUnchanged();
}

TEST_F(DataSAAttack, HandshakeContentIsRefused) {
  auto bad = edit(genuine_, [](PrivateMessage& m) { m.content_type = ContentType::commit; });
  EXPECT_TRUE(FailsWith(bob_->unprotect(bad, g_.t0), Errc::policy_violation));
  ExpectStateUnchanged();
}

TEST_F(DataSASignedAttack, FlippedSignatureBitIsRejected) {
  auto forged = g_.forge(0, 0, g_.keys[0], text("genuine"),
                         [](AuthenticatedContent& ac) { ac.auth.signature[5] ^= 1; });
  EXPECT_TRUE(FailsWith(bob_->unprotect(forged, g_.t0), Errc::authentication_failed));
  ExpectStateUnchanged();
}

TEST_F(DataSASignedAttack, SignatureFromWrongKeyIsRejected) {
  // An insider (leaf 2) claims to be leaf 0 and signs with its own key.
  auto forged = g_.forge(0, 0, g_.keys[2], text("I am alice"));
  EXPECT_TRUE(FailsWith(bob_->unprotect(forged, g_.t0), Errc::authentication_failed));
  ExpectStateUnchanged();
}

TEST_F(DataSASignedAttack, MissingSignatureIsRejected) {
  auto forged = g_.forge(0, 0, g_.keys[0], text("unsigned"),
                         [](AuthenticatedContent& ac) { ac.auth.signature.clear(); });
  EXPECT_TRUE(FailsWith(bob_->unprotect(forged, g_.t0), Errc::authentication_failed));
  ExpectStateUnchanged();
}

TEST_F(DataSASignedAttack, GenuineSignedMessageIsAccepted) {
  ExpectStateUnchanged();
}

TEST_F(DataSAAttack, SignatureUnderNoSignaturePolicyIsRejected) {
  auto forged = g_.forge(0, 0, g_.keys[0], text("signed anyway"));
  EXPECT_TRUE(FailsWith(bob_->unprotect(forged, g_.t0), Errc::decode_error));
  ExpectStateUnchanged();
}

}  // namespace
}  // namespace mpsec::record
