// The secret tree and sender ratchets (RFC 9420 §9): memory stays O(log n) per sender in
// huge groups, keys are deterministic and separated, staging changes nothing until commit,
// and every consumed key is deleted (replay), within the policy's window (out_of_window).
#include "schedule/secret_tree.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "base/test_support.hpp"

namespace mpsec::schedule {
namespace {

using crypto::CipherSuite;
using testutil::FailsWith;
using testutil::IsOk;
using tree::LeafCount;
using tree::LeafIndex;

constexpr RatchetKind kApp = RatchetKind::application;
constexpr RatchetKind kHs = RatchetKind::handshake;

const CipherSuite& suite1() {
  static const CipherSuite s = *CipherSuite::from_code(1);
  return s;
}

EncryptionSecret root_secret(const CipherSuite& suite, std::uint8_t seed = 7) {
  SecretBytes s(suite.hash_size());
  for (std::size_t i = 0; i < s.size(); ++i)
    s.data()[i] = static_cast<std::uint8_t>(seed + i);
  return EncryptionSecret(std::move(s));
}

SecretTree make_tree(std::uint32_t leaves, RatchetPolicy policy = {}, std::uint8_t seed = 7,
                     const CipherSuite& suite = suite1()) {
  return SecretTree(suite, root_secret(suite, seed), LeafCount(leaves), policy);
}

// The key of (leaf, kind, generation), staged and never committed.
Bytes staged_key(const SecretTree& t, std::uint32_t leaf, RatchetKind kind, std::uint32_t gen) {
  auto s = t.stage_key(LeafIndex(leaf), kind, gen);
  EXPECT_TRUE(IsOk(s)) << "leaf " << leaf << " generation " << gen;
  return s ? to_bytes(s->key().key.view()) : Bytes{};
}

// Stages and commits: what a receiver does with a message that verified.
Status receive(SecretTree& t, std::uint32_t leaf, RatchetKind kind, std::uint32_t gen) {
  auto s = MPSEC_TRY(t.stage_key(LeafIndex(leaf), kind, gen));
  return t.commit(std::move(s));
}

// A used generation is refused as a replay (including the oldest one a jump kept, see
// ReplayOfOldestKeptGenerationIsReportedAsReplay).
template <class T>
::testing::AssertionResult FailsAsReplayOrTooOld(const Result<T>& r) {
  return FailsWith(r, Errc::replay);
}

// --- memory: O(log n) per sender ----------------------------------------------------------

TEST(SecretTree, FirstKeyOfOneSenderInMillionLeafTreeKeepsOnlyItsCopath) {
  constexpr std::uint32_t kDepth = 20;
  auto t = make_tree(1u << kDepth);
  EXPECT_EQ(t.stored_secrets(), 1u);  // the root only: nothing is derived ahead of time
  auto key = t.next_key(LeafIndex(123'457), kApp);
  ASSERT_TRUE(IsOk(key));
  EXPECT_EQ(key->generation, 0u);
  // Walking down 20 levels consumes the root and keeps one sibling per level (the copath),
  // plus the leaf's two ratchet secrets: exactly 20 + 2, not 2^20.
  EXPECT_EQ(t.stored_secrets(), kDepth + 2);
  // Sending more messages from the same leaf does not grow anything.
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(IsOk(t.next_key(LeafIndex(123'457), kApp)));
  EXPECT_EQ(t.stored_secrets(), kDepth + 2);
}

TEST(SecretTree, HundredRandomSendersInMillionLeafTreeStayWithinCopathBound) {
  constexpr std::uint32_t kDepth = 20;
  constexpr std::size_t kSenders = 100;
  auto t = make_tree(1u << kDepth);
  std::mt19937 prng(2024);
  std::set<std::uint32_t> reached;
  while (reached.size() < kSenders) {
    const std::uint32_t leaf = prng() & ((1u << kDepth) - 1);
    if (!reached.insert(leaf).second) continue;
    ASSERT_TRUE(IsOk(receive(t, leaf, kApp, 0)));
  }
  // Reaching a new leaf removes its lowest stored ancestor and adds at most one sibling per
  // level below it (<= 20) plus 2 ratchet secrets: each leaf adds at most 20 - 1 + 2 = 21
  // to the single root we started with. Random leaves share their top levels, so the real
  // count sits well under this, but the bound is what a worst-case choice of leaves gives.
  const std::size_t bound = 1 + kSenders * (kDepth - 1 + 2);
  EXPECT_LE(t.stored_secrets(), bound);
  // And at least the 2 ratchet secrets of each reached sender are held.
  EXPECT_GE(t.stored_secrets(), 2 * kSenders);
  // Every other leaf is still reachable from what is kept.
  for (std::uint32_t leaf : {0u, (1u << kDepth) - 1, 1u << (kDepth - 1)}) {
    if (reached.count(leaf)) continue;
    EXPECT_TRUE(IsOk(t.stage_key(LeafIndex(leaf), kApp, 0))) << leaf;
  }
}

TEST(SecretTree, SingleLeafTreeWorks) {
  auto t = make_tree(1);
  auto k0 = t.next_key(LeafIndex(0), kApp);
  ASSERT_TRUE(IsOk(k0));
  EXPECT_EQ(k0->generation, 0u);
  EXPECT_EQ(k0->key.size(), suite1().key_size());
  EXPECT_EQ(k0->nonce.size(), suite1().nonce_size());
  EXPECT_EQ(t.stored_secrets(), 2u);  // the root was the leaf: only its two ratchets remain
  auto h0 = t.next_key(LeafIndex(0), kHs);
  ASSERT_TRUE(IsOk(h0));
  EXPECT_EQ(h0->generation, 0u);
  EXPECT_NE(k0->key, h0->key);
  EXPECT_TRUE(FailsWith(t.next_key(LeafIndex(1), kApp), Errc::unknown_sender));
}

TEST(SecretTree, EmptyTreeHasNoSenders) {
  auto t = make_tree(0);
  EXPECT_EQ(t.stored_secrets(), 0u);
  EXPECT_TRUE(FailsWith(t.stage_key(LeafIndex(0), kApp, 0), Errc::unknown_sender));
}

// --- determinism and separation ---------------------------------------------------------

TEST(SecretTree, KeysAreDeterministicAcrossTreesFromTheSameSecret) {
  for (const auto& suite : CipherSuite::all()) {
    auto a = make_tree(8, {}, 7, suite);
    auto b = make_tree(8, {}, 7, suite);
    for (std::uint32_t leaf : {5u, 0u, 7u}) {
      for (RatchetKind kind : {kApp, kHs}) {
        for (std::uint32_t g = 0; g < 3; ++g) {
          auto sent = a.next_key(LeafIndex(leaf), kind);
          ASSERT_TRUE(IsOk(sent)) << suite.name();
          auto staged = b.stage_key(LeafIndex(leaf), kind, g);
          ASSERT_TRUE(IsOk(staged)) << suite.name();
          EXPECT_EQ(sent->generation, g);
          EXPECT_EQ(sent->key, staged->key().key) << suite.name() << " leaf " << leaf;
          EXPECT_EQ(sent->nonce, staged->key().nonce) << suite.name() << " leaf " << leaf;
          ASSERT_TRUE(IsOk(b.commit(*std::move(staged))));
        }
      }
    }
    EXPECT_EQ(a.stored_secrets(), b.stored_secrets());
  }
}

TEST(SecretTree, KeysFromDifferentEncryptionSecretsDiffer) {
  auto a = make_tree(4, {}, 7);
  auto b = make_tree(4, {}, 8);
  EXPECT_NE(staged_key(a, 0, kApp, 0), staged_key(b, 0, kApp, 0));
}

TEST(SecretTree, KeysDifferBetweenLeavesKindsAndGenerations) {
  auto t = make_tree(16);
  std::set<Bytes> keys, nonces;
  std::size_t n = 0;
  for (std::uint32_t leaf = 0; leaf < 16; ++leaf) {
    for (RatchetKind kind : {kApp, kHs}) {
      for (std::uint32_t g = 0; g < 4; ++g) {
        auto s = t.stage_key(LeafIndex(leaf), kind, g);
        ASSERT_TRUE(IsOk(s));
        keys.insert(to_bytes(s->key().key.view()));
        nonces.insert(to_bytes(s->key().nonce.view()));
        ++n;
      }
    }
  }
  EXPECT_EQ(keys.size(), n);  // 16 leaves x 2 kinds x 4 generations, all distinct
  EXPECT_EQ(nonces.size(), n);
}

// --- staging is side-effect free; commit is checked ---------------------------------------

TEST(SecretTree, StagingChangesNothingUntilCommit) {
  auto t = make_tree(64);
  ASSERT_TRUE(IsOk(receive(t, 3, kApp, 0)));
  const std::size_t before = t.stored_secrets();
  // A leaf never reached (forces a path walk) and a generation far ahead (forces skipped
  // keys): staged twice, each time the same key, and the tree holds exactly what it held.
  const Bytes first = staged_key(t, 40, kApp, 5);
  const Bytes again = staged_key(t, 40, kApp, 5);
  EXPECT_EQ(first, again);
  EXPECT_EQ(staged_key(t, 3, kApp, 9), staged_key(t, 3, kApp, 9));
  EXPECT_EQ(t.stored_secrets(), before);
  // Nothing was consumed: generation 0 of leaf 40 can still be received.
  EXPECT_TRUE(IsOk(receive(t, 40, kApp, 0)));
}

TEST(SecretTree, DroppedStagedKeyLeavesGenerationReceivable) {
  auto t = make_tree(4);
  { auto dropped = t.stage_key(LeafIndex(1), kApp, 0); }
  EXPECT_TRUE(IsOk(receive(t, 1, kApp, 0)));
}

// A key staged before other keys of the tree were consumed is staged again on the current
// state when committed (derivation is deterministic): a commit that waited while the epoch's
// application messages were read still applies, and consumes exactly its own generation.
TEST(SecretTree, StaleStagedKeyIsRestagedOnTheCurrentState) {
  auto t = make_tree(8);
  auto stale = t.stage_key(LeafIndex(2), kApp, 0);
  ASSERT_TRUE(IsOk(stale));
  ASSERT_TRUE(IsOk(receive(t, 5, kApp, 0)));  // the tree changes under the staged key
  EXPECT_TRUE(IsOk(t.commit(*std::move(stale))));
  EXPECT_TRUE(FailsWith(t.stage_key(LeafIndex(2), kApp, 0), Errc::replay));
  EXPECT_TRUE(FailsWith(t.stage_key(LeafIndex(5), kApp, 0), Errc::replay));
  EXPECT_TRUE(IsOk(receive(t, 2, kApp, 1)));
}

TEST(SecretTree, StaleStagedKeyOfSameRatchetCannotRewindIt) {
  // Staged generation 5 then generation 1 of the same ratchet; committing 5 first makes
  // the generation-1 staging stale: committed, it takes the kept key of generation 1 and does
  // not move the ratchet back.
  auto t = make_tree(4);
  auto g5 = t.stage_key(LeafIndex(0), kApp, 5);
  auto g1 = t.stage_key(LeafIndex(0), kApp, 1);
  ASSERT_TRUE(IsOk(g5));
  ASSERT_TRUE(IsOk(g1));
  ASSERT_TRUE(IsOk(t.commit(*std::move(g5))));
  EXPECT_TRUE(IsOk(t.commit(*std::move(g1))));
  EXPECT_TRUE(FailsWith(t.stage_key(LeafIndex(0), kApp, 5), Errc::replay));
  EXPECT_TRUE(FailsWith(t.stage_key(LeafIndex(0), kApp, 1), Errc::replay));
  EXPECT_TRUE(IsOk(receive(t, 0, kApp, 2)));
  EXPECT_TRUE(IsOk(receive(t, 0, kApp, 6)));
}

// A committed staged key of a generation consumed meanwhile is a replay.
TEST(SecretTree, StaleStagedKeyOfAConsumedGenerationIsAReplay) {
  auto t = make_tree(4);
  auto first = t.stage_key(LeafIndex(1), kApp, 0);
  auto second = t.stage_key(LeafIndex(1), kApp, 0);
  ASSERT_TRUE(IsOk(first));
  ASSERT_TRUE(IsOk(second));
  ASSERT_TRUE(IsOk(t.commit(*std::move(first))));
  EXPECT_TRUE(FailsWith(t.commit(*std::move(second)), Errc::replay));
}

// commit() only compares a version counter that every tree starts at 0, so a key staged on
// one tree is accepted by another tree at the same version: here tree `b` takes over `a`'s
// derived secrets for leaf 0 (a different root!), and when the leaf has ratchets in `a` but
// not in `b`, commit() reaches ratchets_.at() and throws std::out_of_range. A staged key
// must name its tree. Enable once src/schedule/secret_tree.cpp checks it.
TEST(SecretTree, StagedKeyFromAnotherTreeIsRejected) {
  auto a = make_tree(4, {}, 1);
  auto b = make_tree(4, {}, 2);
  auto staged = a.stage_key(LeafIndex(0), kApp, 0);
  ASSERT_TRUE(IsOk(staged));
  const Bytes b_key_before = staged_key(b, 0, kApp, 1);
  EXPECT_TRUE(FailsWith(b.commit(*std::move(staged)), Errc::invalid_state));
  EXPECT_EQ(staged_key(b, 0, kApp, 1), b_key_before);

  auto c = make_tree(4, {}, 1);
  ASSERT_TRUE(IsOk(receive(c, 0, kApp, 0)));
  auto d = make_tree(4, {}, 1);
  ASSERT_TRUE(IsOk(receive(d, 1, kApp, 0)));  // same version as c, no ratchets for leaf 0
  auto from_c = c.stage_key(LeafIndex(0), kApp, 1);
  ASSERT_TRUE(IsOk(from_c));
  EXPECT_TRUE(FailsWith(d.commit(*std::move(from_c)), Errc::invalid_state));
}

// --- anti-replay and the reorder window ---------------------------------------------------

TEST(SecretTree, CommittedGenerationReplayIsRejected) {
  auto t = make_tree(4);
  ASSERT_TRUE(IsOk(receive(t, 1, kApp, 0)));
  EXPECT_TRUE(FailsWith(t.stage_key(LeafIndex(1), kApp, 0), Errc::replay));
  ASSERT_TRUE(IsOk(receive(t, 1, kApp, 3)));
  EXPECT_TRUE(FailsWith(t.stage_key(LeafIndex(1), kApp, 3), Errc::replay));
  // The other ratchet of the same leaf is independent.
  EXPECT_TRUE(IsOk(receive(t, 1, kHs, 0)));
}

TEST(SecretTree, SkippedGenerationsReceivedOnceEachInAnyOrder) {
  RatchetPolicy policy;
  policy.max_skipped = 8;
  auto t = make_tree(4, policy);
  ASSERT_TRUE(IsOk(receive(t, 0, kApp, 8)));  // skips 0..7: exactly max_skipped keys kept
  const std::size_t with_skipped = t.stored_secrets();
  for (std::uint32_t g : {3u, 0u, 7u, 5u, 1u, 6u, 2u, 4u}) {
    EXPECT_TRUE(IsOk(receive(t, 0, kApp, g))) << g;
    EXPECT_TRUE(FailsAsReplayOrTooOld(t.stage_key(LeafIndex(0), kApp, g))) << g;
  }
  // Every kept key was deleted as it was used.
  EXPECT_EQ(t.stored_secrets(), with_skipped - 8);
  for (std::uint32_t g = 1; g <= 8; ++g)
    EXPECT_TRUE(FailsWith(t.stage_key(LeafIndex(0), kApp, g), Errc::replay)) << g;
}

// Off by one in stage_key(): a jump keeps the max_skipped generations [to - max_skipped,
// to - 1], but once the oldest of them (next - 1 - max_skipped) has been used, a replay of
// it is classified as out_of_window ("older than the kept window") rather than replay.
// Either way it is rejected; only the error code is wrong. Enable once src/ is fixed.
TEST(SecretTree, ReplayOfOldestKeptGenerationIsReportedAsReplay) {
  RatchetPolicy policy;
  policy.max_skipped = 8;
  auto t = make_tree(4, policy);
  ASSERT_TRUE(IsOk(receive(t, 0, kApp, 8)));  // keeps 0..7
  ASSERT_TRUE(IsOk(receive(t, 0, kApp, 0)));  // the oldest kept key, used
  EXPECT_TRUE(FailsWith(t.stage_key(LeafIndex(0), kApp, 0), Errc::replay));
}

TEST(SecretTree, JumpBeyondMaxSkippedKeepsOnlyNewestSkippedKeys) {
  RatchetPolicy policy;
  policy.max_skipped = 4;
  auto t = make_tree(4, policy);
  const std::size_t before = t.stored_secrets();
  ASSERT_TRUE(IsOk(receive(t, 0, kApp, 10)));
  // Path to the leaf (2 copath nodes replace the root) + 2 ratchets + 4 kept keys.
  EXPECT_EQ(t.stored_secrets(), before - 1 + 2 + 2 + 4);
  for (std::uint32_t g = 0; g < 6; ++g)
    EXPECT_TRUE(FailsWith(t.stage_key(LeafIndex(0), kApp, g), Errc::out_of_window)) << g;
  for (std::uint32_t g = 6; g < 10; ++g)
    EXPECT_TRUE(IsOk(receive(t, 0, kApp, g))) << g;
}

TEST(SecretTree, OldestSkippedKeysAreDroppedFirstWhenWindowOverflows) {
  RatchetPolicy policy;
  policy.max_skipped = 4;
  auto t = make_tree(4, policy);
  ASSERT_TRUE(IsOk(receive(t, 0, kApp, 3)));  // keeps 0, 1, 2
  ASSERT_TRUE(IsOk(receive(t, 0, kApp, 6)));  // adds 4, 5: 0 is the oldest and goes
  EXPECT_TRUE(FailsWith(t.stage_key(LeafIndex(0), kApp, 0), Errc::out_of_window));
  for (std::uint32_t g : {1u, 2u, 4u, 5u})
    EXPECT_TRUE(IsOk(receive(t, 0, kApp, g))) << g;
}

TEST(SecretTree, ForwardJumpBeyondPolicyIsRejected) {
  RatchetPolicy policy;
  policy.max_forward_jump = 16;
  auto t = make_tree(4, policy);
  const std::size_t before = t.stored_secrets();
  EXPECT_TRUE(FailsWith(t.stage_key(LeafIndex(2), kApp, 17), Errc::out_of_window));
  EXPECT_EQ(t.stored_secrets(), before);
  ASSERT_TRUE(IsOk(receive(t, 2, kApp, 16)));  // exactly max_forward_jump ahead of 0
  // The bound is relative to the ratchet's next generation (17).
  EXPECT_TRUE(FailsWith(t.stage_key(LeafIndex(2), kApp, 34), Errc::out_of_window));
  EXPECT_TRUE(IsOk(t.stage_key(LeafIndex(2), kApp, 33)));
}

TEST(SecretTree, LastGenerationIsRefusedBeforeAnyWork) {
  RatchetPolicy policy;
  policy.max_forward_jump = UINT32_MAX;
  auto t = make_tree(4, policy);
  // With no forward bound, UINT32_MAX would otherwise cost 2^32 KDF calls.
  EXPECT_TRUE(FailsWith(t.stage_key(LeafIndex(0), kApp, UINT32_MAX), Errc::limit_exceeded));
}

TEST(SecretTree, LeafOutsideTheTreeIsUnknownSender) {
  auto t = make_tree(4);
  EXPECT_TRUE(FailsWith(t.stage_key(LeafIndex(4), kApp, 0), Errc::unknown_sender));
  EXPECT_TRUE(FailsWith(t.stage_key(LeafIndex(UINT32_MAX), kHs, 0), Errc::unknown_sender));
  EXPECT_TRUE(FailsWith(t.next_key(LeafIndex(4), kApp), Errc::unknown_sender));
  EXPECT_EQ(t.stored_secrets(), 1u);
}

// --- sending ------------------------------------------------------------------------------

TEST(SecretTree, NextKeyAdvancesGenerationsPerLeafAndKind) {
  auto t = make_tree(4);
  for (std::uint32_t g = 0; g < 4; ++g) {
    auto k = t.next_key(LeafIndex(1), kApp);
    ASSERT_TRUE(IsOk(k));
    EXPECT_EQ(k->generation, g);
  }
  auto hs = t.next_key(LeafIndex(1), kHs);
  ASSERT_TRUE(IsOk(hs));
  EXPECT_EQ(hs->generation, 0u);
  auto other = t.next_key(LeafIndex(2), kApp);
  ASSERT_TRUE(IsOk(other));
  EXPECT_EQ(other->generation, 0u);
  auto k4 = t.next_key(LeafIndex(1), kApp);
  ASSERT_TRUE(IsOk(k4));
  EXPECT_EQ(k4->generation, 4u);
  // A used sending key is gone: a receiver view of the same tree sees it as replayed.
  EXPECT_TRUE(FailsWith(t.stage_key(LeafIndex(1), kApp, 4), Errc::replay));
}

// --- sender data key ----------------------------------------------------------------------

TEST(SenderDataKey, SameSampleGivesSameKeyAndOnlyFirstNhBytesMatter) {
  for (const auto& suite : CipherSuite::all()) {
    const Bytes secret(suite.hash_size(), 0x5a);
    auto prk = suite.kdf_key(secret);
    ASSERT_TRUE(IsOk(prk));
    const std::size_t nh = suite.hash_size();
    Bytes ct(nh + 40);
    for (std::size_t i = 0; i < ct.size(); ++i)
      ct[i] = static_cast<std::uint8_t>(i * 7);

    auto base = sender_data_key(suite, *prk, ct);
    ASSERT_TRUE(IsOk(base));
    EXPECT_EQ(base->key.size(), suite.key_size());
    EXPECT_EQ(base->nonce.size(), suite.nonce_size());
    auto again = sender_data_key(suite, *prk, ct);
    ASSERT_TRUE(IsOk(again));
    EXPECT_EQ(base->key, again->key);
    EXPECT_EQ(base->nonce, again->nonce);

    // Bytes past Nh, and the ciphertext's length beyond Nh, do not matter.
    Bytes tail_changed = ct;
    tail_changed[nh] ^= 0xff;
    tail_changed.back() ^= 0x01;
    tail_changed.push_back(9);
    auto same = sender_data_key(suite, *prk, tail_changed);
    ASSERT_TRUE(IsOk(same));
    EXPECT_EQ(base->key, same->key) << suite.name();
    EXPECT_EQ(base->nonce, same->nonce) << suite.name();
    auto exactly_nh = sender_data_key(suite, *prk, ByteView(ct).first(nh));
    ASSERT_TRUE(IsOk(exactly_nh));
    EXPECT_EQ(base->key, exactly_nh->key);

    // Every byte of the sample does.
    for (std::size_t i : {std::size_t{0}, nh / 2, nh - 1}) {
      Bytes sample_changed = ct;
      sample_changed[i] ^= 0x01;
      auto other = sender_data_key(suite, *prk, sample_changed);
      ASSERT_TRUE(IsOk(other));
      EXPECT_NE(base->key, other->key) << suite.name() << " byte " << i;
      EXPECT_NE(base->nonce, other->nonce) << suite.name() << " byte " << i;
    }
    // A ciphertext shorter than Nh is sampled whole: one byte less is another sample.
    auto shorter = sender_data_key(suite, *prk, ByteView(ct).first(nh - 1));
    ASSERT_TRUE(IsOk(shorter));
    EXPECT_NE(base->key, shorter->key);
  }
}

TEST(SenderDataKey, DifferentSecretsGiveDifferentKeys) {
  const auto& suite = suite1();
  const Bytes ct(64, 0x33);
  auto a = suite.kdf_key(Bytes(32, 1));
  auto b = suite.kdf_key(Bytes(32, 2));
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(IsOk(b));
  EXPECT_NE(sender_data_key(suite, *a, ct)->key, sender_data_key(suite, *b, ct)->key);
}

}  // namespace
}  // namespace mpsec::schedule
