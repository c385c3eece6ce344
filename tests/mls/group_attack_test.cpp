// Attacks on an MLS group (RFC 9420 §12-§15), each by name: forged commits from insiders who
// know the group's keys (bad confirmation tag, bad parent hash, bad signature, proposal
// lists the RFC forbids), Welcomes that do not fit, removed members that keep talking,
// replays and stale epochs, wrong wire formats and groups, truncated and oversized input.
// Every rejection must carry its typed error and leave the receiver exactly as it was (its
// saved state byte for byte); the genuine message is then still accepted.
#include <gtest/gtest.h>

#include "mls/extensions.hpp"
#include "mls/group.hpp"
#include "mls/group_test_access.hpp"

namespace mpsec::mls {
namespace {

using grouptest::Member;
using grouptest::saved;
using grouptest::text;
using testutil::FailsWith;
using testutil::IsOk;
using A = GroupTestAccess;

class MlsGroupAttackTest : public grouptest::GroupTestBase {
 protected:
  // alice (leaf 0), bob (1), carol (2), dave (3), all in epoch 1.
  ::testing::AssertionResult setup() {
    if (auto r = create(alice); !r) return r;
    return add(alice, {&bob, &carol, &dave});
  }
  std::vector<Member*> all() { return {&alice, &bob, &carol, &dave}; }

  // `m` refuses `message` with `code` and stays exactly as it was.
  ::testing::AssertionResult rejects(Member& m, ByteView message, Errc code) {
    const Bytes before = saved(m.g());
    const std::uint64_t epoch = m.g().epoch();
    const Bytes authenticator = to_bytes(m.g().epoch_authenticator());
    auto r = m.g().process(message);
    if (auto f = FailsWith(r, code); !f) return f << " at " << m.name;
    if (m.g().epoch() != epoch || !equal(m.g().epoch_authenticator(), authenticator))
      return ::testing::AssertionFailure() << m.name << " moved to another epoch";
    if (saved(m.g()) != before) return ::testing::AssertionFailure() << m.name << " changed";
    return ::testing::AssertionSuccess();
  }
  // The same when any error will do (forgeries whose first failing check is a detail).
  ::testing::AssertionResult rejects_any(Member& m, ByteView message) {
    const Bytes before = saved(m.g());
    auto r = m.g().process(message);
    if (r) return ::testing::AssertionFailure() << m.name << " accepted it";
    if (saved(m.g()) != before) return ::testing::AssertionFailure() << m.name << " changed";
    return ::testing::AssertionSuccess();
  }
  // The genuine commit of `committer` still goes through at `receivers`.
  ::testing::AssertionResult genuine_goes_through(Member& committer, ByteView commit,
                                                  std::vector<Member*> receivers) {
    if (auto r = deliver(commit, receivers); !r) return r;
    if (auto m = committer.g().merge_pending_commit(); !m)
      return ::testing::AssertionFailure() << "merge_pending_commit: " << m.error().describe();
    std::vector<Member*> active{&committer};
    for (Member* r : receivers)
      if (r->g().active()) active.push_back(r);
    if (auto r = same_epoch(active); !r) return r;
    return talk(committer, std::vector<Member*>(active.begin() + 1, active.end()));
  }
  Bytes empty_commit(Member& committer) {
    auto out = committer.g().commit({}, rng_);
    EXPECT_TRUE(IsOk(out));
    return out ? out->commit : Bytes{};
  }
  Bytes commit_with(Member& committer, std::vector<Proposal> proposals) {
    CommitOptions options;
    options.proposals = std::move(proposals);
    auto out = committer.g().commit(options, rng_);
    EXPECT_TRUE(IsOk(out));
    return out ? out->commit : Bytes{};
  }
  // An insider `committer` replaces the proposal list of its genuine commit and signs it.
  Bytes with_proposals(Member& committer, ByteView genuine, std::vector<Proposal> list) {
    auto forged = A::forge_commit(committer.g(), genuine, [&](Commit& c) {
      c.proposals.clear();
      for (auto& p : list)
        c.proposals.push_back(ProposalOrRef{p});
    });
    EXPECT_TRUE(IsOk(forged));
    return forged ? *forged : Bytes{};
  }

  Member alice = member("alice"), bob = member("bob"), carol = member("carol"),
         dave = member("dave");
};

INSTANTIATE_TEST_SUITE_P(Suites, MlsGroupAttackTest, ::testing::Values(1, 2),
                         grouptest::suite_name);

// --- forged commits from insiders ---------------------------------------------------------

TEST_P(MlsGroupAttackTest, CommitWithBadConfirmationTag) {
  ASSERT_TRUE(setup());
  const Bytes genuine = empty_commit(alice);
  auto forged = A::forge(
      alice.g(), genuine, [](record::PublicMessage& m) { m.auth.confirmation_tag->at(0) ^= 1; },
      /*resign=*/false);
  ASSERT_TRUE(IsOk(forged));
  for (Member* m : {&bob, &carol, &dave})
    EXPECT_TRUE(rejects(*m, *forged, Errc::authentication_failed));
  EXPECT_TRUE(genuine_goes_through(alice, genuine, {&bob, &carol, &dave}));
}

TEST_P(MlsGroupAttackTest, CommitWithBadParentHash) {
  ASSERT_TRUE(setup());
  const Bytes genuine = empty_commit(alice);
  auto forged = A::forge_commit(alice.g(), genuine, [&](Commit& c) {
    ASSERT_TRUE(c.path.has_value());
    ASSERT_FALSE(c.path->leaf_node.parent_hash.empty());
    c.path->leaf_node.parent_hash[0] ^= 1;
    // The committer signs its leaf again: only the parent hash is wrong.
    EXPECT_TRUE(IsOk(A::sign_leaf(alice.g(), c.path->leaf_node, alice.g().own_leaf().value)));
  });
  ASSERT_TRUE(IsOk(forged));
  for (Member* m : {&bob, &carol, &dave})
    EXPECT_TRUE(rejects(*m, *forged, Errc::authentication_failed));
  EXPECT_TRUE(genuine_goes_through(alice, genuine, {&bob, &carol, &dave}));
}

TEST_P(MlsGroupAttackTest, CommitWithPathKeysThatDoNotMatchTheirSecrets) {
  ASSERT_TRUE(setup());
  // Bob commits, then swaps the public keys of his path and makes everything else fit: the
  // parent hash recomputed for the swapped keys, his leaf signed again, the content too.
  const Bytes genuine = empty_commit(bob);
  auto forged = A::forge_commit(bob.g(), genuine, [&](Commit& c) {
    ASSERT_TRUE(c.path.has_value());
    ASSERT_EQ(c.path->nodes.size(), 2u);
    std::swap(c.path->nodes[0].encryption_key, c.path->nodes[1].encryption_key);
    RatchetTree tree = bob.g().tree();
    const std::vector<Bytes> keys{c.path->nodes[0].encryption_key, c.path->nodes[1].encryption_key};
    auto ph = tree.merge_path_keys(bob.g().own_leaf(), keys);
    ASSERT_TRUE(IsOk(ph));
    c.path->leaf_node.parent_hash = *ph;
    EXPECT_TRUE(IsOk(A::sign_leaf(bob.g(), c.path->leaf_node, bob.g().own_leaf().value)));
  });
  ASSERT_TRUE(IsOk(forged));
  for (Member* m : {&alice, &carol, &dave})
    EXPECT_TRUE(rejects(*m, *forged, Errc::authentication_failed));
  EXPECT_TRUE(genuine_goes_through(bob, genuine, {&alice, &carol, &dave}));
}

TEST_P(MlsGroupAttackTest, CommitWithBadSignature) {
  ASSERT_TRUE(setup());
  const Bytes genuine = empty_commit(alice);
  auto flipped = A::forge(
      alice.g(), genuine, [](record::PublicMessage& m) { m.auth.signature.back() ^= 1; },
      /*resign=*/false);
  ASSERT_TRUE(IsOk(flipped));
  // Signed by another member (bob) while claiming to be alice.
  auto m = A::decode_public(genuine);
  ASSERT_TRUE(IsOk(m));
  ASSERT_TRUE(IsOk(A::sign(alice.g(), A::signer(bob.g()), *m)));
  ASSERT_TRUE(IsOk(A::retag(alice.g(), *m)));
  auto by_bob = A::encode_public(*m);
  ASSERT_TRUE(IsOk(by_bob));
  for (Member* r : {&bob, &carol, &dave}) {
    EXPECT_TRUE(rejects(*r, *flipped, Errc::authentication_failed));
    EXPECT_TRUE(rejects(*r, *by_bob, Errc::authentication_failed));
  }
  EXPECT_TRUE(genuine_goes_through(alice, genuine, {&bob, &carol, &dave}));
}

TEST_P(MlsGroupAttackTest, CommitWithBadMembershipTag) {
  ASSERT_TRUE(setup());
  const Bytes genuine = empty_commit(alice);
  // An outsider changes the authenticated data; it cannot fix the membership tag.
  auto m = A::decode_public(genuine);
  ASSERT_TRUE(IsOk(m));
  m->content.authenticated_data = text("outsider");
  auto forged = A::encode_public(*m);
  ASSERT_TRUE(IsOk(forged));
  for (Member* r : {&bob, &carol, &dave})
    EXPECT_TRUE(rejects(*r, *forged, Errc::authentication_failed));
  EXPECT_TRUE(genuine_goes_through(alice, genuine, {&bob, &carol, &dave}));
}

TEST_P(MlsGroupAttackTest, CommitFromBlankLeaf) {
  ASSERT_TRUE(setup());
  const Bytes genuine = empty_commit(alice);
  auto forged =
      A::forge(alice.g(), genuine, [](record::PublicMessage& m) { m.content.sender.index = 9; });
  ASSERT_TRUE(IsOk(forged));
  for (Member* r : {&bob, &carol, &dave})
    EXPECT_TRUE(rejects(*r, *forged, Errc::unknown_sender));
  EXPECT_TRUE(genuine_goes_through(alice, genuine, {&bob, &carol, &dave}));
}

// --- proposal lists RFC 9420 §12.2 forbids, properly signed by an insider --------------------

TEST_P(MlsGroupAttackTest, CommitRemovingTheCommitter) {
  ASSERT_TRUE(setup());
  const Bytes genuine = empty_commit(alice);
  const Bytes forged =
      with_proposals(alice, genuine, {Proposal{Remove{alice.g().own_leaf().value}}});
  for (Member* m : {&bob, &carol, &dave})
    EXPECT_TRUE(rejects(*m, forged, Errc::policy_violation));
  EXPECT_TRUE(genuine_goes_through(alice, genuine, {&bob, &carol, &dave}));
}

TEST_P(MlsGroupAttackTest, CommitWithTwoRemovesOfOneLeaf) {
  ASSERT_TRUE(setup());
  const Proposal rm{Remove{dave.g().own_leaf().value}};
  const Bytes genuine = commit_with(alice, {rm});
  const Bytes forged = with_proposals(alice, genuine, {rm, rm});
  for (Member* m : {&bob, &carol, &dave})
    EXPECT_TRUE(rejects(*m, forged, Errc::policy_violation));
  EXPECT_TRUE(genuine_goes_through(alice, genuine, {&bob, &carol, &dave}));
  EXPECT_FALSE(dave.g().active());
}

TEST_P(MlsGroupAttackTest, CommitWithUpdateAndRemoveOfOneLeaf) {
  ASSERT_TRUE(setup());
  auto update = carol.g().update_proposal(rng_);
  ASSERT_TRUE(IsOk(update));
  auto p = carol.g().propose(*update, rng_);
  ASSERT_TRUE(IsOk(p));
  ASSERT_TRUE(deliver_proposal(*p, {&alice, &bob, &dave}));
  const Bytes genuine = empty_commit(alice);  // covers carol's Update by reference
  auto forged = A::forge_commit(alice.g(), genuine, [&](Commit& c) {
    c.proposals.push_back(ProposalOrRef{Proposal{Remove{carol.g().own_leaf().value}}});
  });
  ASSERT_TRUE(IsOk(forged));
  for (Member* m : {&bob, &carol, &dave})
    EXPECT_TRUE(rejects(*m, *forged, Errc::policy_violation));
  EXPECT_TRUE(genuine_goes_through(alice, genuine, {&bob, &carol, &dave}));
}

TEST_P(MlsGroupAttackTest, CommitWithCommittersOwnUpdateByValue) {
  ASSERT_TRUE(setup());
  const Bytes genuine = empty_commit(alice);
  auto update = alice.g().update_proposal(rng_);  // a properly signed Update of alice's leaf
  ASSERT_TRUE(IsOk(update));
  const Bytes forged = with_proposals(alice, genuine, {*update});
  for (Member* m : {&bob, &carol, &dave})
    EXPECT_TRUE(rejects(*m, forged, Errc::policy_violation));
  EXPECT_TRUE(genuine_goes_through(alice, genuine, {&bob, &carol, &dave}));
}

TEST_P(MlsGroupAttackTest, CommitWithTwoGroupContextExtensions) {
  ASSERT_TRUE(setup());
  const Bytes genuine = empty_commit(alice);
  const Bytes forged = with_proposals(
      alice, genuine, {Proposal{GroupContextExtensions{}}, Proposal{GroupContextExtensions{}}});
  for (Member* m : {&bob, &carol, &dave})
    EXPECT_TRUE(rejects(*m, forged, Errc::policy_violation));
  EXPECT_TRUE(genuine_goes_through(alice, genuine, {&bob, &carol, &dave}));
}

TEST_P(MlsGroupAttackTest, CommitWithReInitAndAnotherProposal) {
  ASSERT_TRUE(setup());
  const Bytes genuine = empty_commit(alice);
  const Proposal reinit{
      ReInit{text("next group"), record::kProtocolVersionMls10, suite().code(), {}}};
  const Bytes forged =
      with_proposals(alice, genuine, {reinit, Proposal{Remove{dave.g().own_leaf().value}}});
  for (Member* m : {&bob, &carol, &dave})
    EXPECT_TRUE(rejects(*m, forged, Errc::policy_violation));
  EXPECT_TRUE(genuine_goes_through(alice, genuine, {&bob, &carol, &dave}));
}

TEST_P(MlsGroupAttackTest, CommitWithExternalInitFromMember) {
  ASSERT_TRUE(setup());
  const Bytes genuine = empty_commit(alice);
  const Bytes forged = with_proposals(alice, genuine, {Proposal{ExternalInit{text("kem output")}}});
  for (Member* m : {&bob, &carol, &dave})
    EXPECT_TRUE(rejects(*m, forged, Errc::policy_violation));
  EXPECT_TRUE(genuine_goes_through(alice, genuine, {&bob, &carol, &dave}));
}

TEST_P(MlsGroupAttackTest, CommitAddingAClientAlreadyInTheGroup) {
  ASSERT_TRUE(setup());
  Member erin = member("erin");
  auto erin_kp = key_package(erin);
  auto bob_again = key_package(bob);  // a fresh KeyPackage of a current member
  const Bytes genuine = commit_with(alice, {Proposal{Add{erin_kp.key_package}}});
  const Bytes twice = with_proposals(
      alice, genuine, {Proposal{Add{erin_kp.key_package}}, Proposal{Add{erin_kp.key_package}}});
  const Bytes existing = with_proposals(
      alice, genuine, {Proposal{Add{erin_kp.key_package}}, Proposal{Add{bob_again.key_package}}});
  for (Member* m : {&bob, &carol, &dave}) {
    EXPECT_TRUE(rejects(*m, twice, Errc::policy_violation));
    EXPECT_TRUE(rejects(*m, existing, Errc::policy_violation));
  }
  EXPECT_TRUE(genuine_goes_through(alice, genuine, {&bob, &carol, &dave}));
}

TEST_P(MlsGroupAttackTest, CommitWithoutPathWhenOneIsRequired) {
  ASSERT_TRUE(setup());
  const Bytes genuine = commit_with(alice, {Proposal{Remove{dave.g().own_leaf().value}}});
  auto forged = A::forge_commit(alice.g(), genuine, [](Commit& c) { c.path.reset(); });
  ASSERT_TRUE(IsOk(forged));
  for (Member* m : {&bob, &carol, &dave})
    EXPECT_TRUE(rejects(*m, *forged, Errc::policy_violation));
  EXPECT_TRUE(genuine_goes_through(alice, genuine, {&bob, &carol, &dave}));
}

TEST_P(MlsGroupAttackTest, CommitReferencingAnUnknownProposal) {
  ASSERT_TRUE(setup());
  const Bytes genuine = empty_commit(alice);
  auto forged = A::forge_commit(alice.g(), genuine, [&](Commit& c) {
    c.proposals.push_back(ProposalOrRef{Bytes(suite().hash_size(), 0x42)});
  });
  ASSERT_TRUE(IsOk(forged));
  for (Member* m : {&bob, &carol, &dave})
    EXPECT_TRUE(rejects(*m, *forged, Errc::not_found));
  EXPECT_TRUE(genuine_goes_through(alice, genuine, {&bob, &carol, &dave}));
}

// RFC 9420 §12.2: the Remove of an external commit may only remove "an old version of" the
// joiner: its new leaf must meet the criteria of an Update of the removed leaf.
TEST_P(MlsGroupAttackTest, ExternalCommitRemovingAnotherMember) {
  ASSERT_TRUE(setup());
  Member mallory = member("mallory");
  auto info = alice.g().group_info(true, true, rng_);
  ASSERT_TRUE(IsOk(info));
  auto joined = Group::join_external(mallory.identity, *info, config_, rng_, std::nullopt,
                                     carol.g().own_leaf());
  ASSERT_TRUE(IsOk(joined));  // the joiner checks nothing of its own making
  for (Member* m : {&alice, &bob, &carol, &dave})
    EXPECT_TRUE(rejects(*m, joined->commit, Errc::policy_violation));
  // A plain external join of the same client is fine.
  auto honest = Group::join_external(mallory.identity, *info, config_, rng_);
  ASSERT_TRUE(IsOk(honest));
  ASSERT_TRUE(deliver(honest->commit, all()));
  mallory.group.emplace(std::move(honest->group));
  EXPECT_TRUE(same_epoch({&alice, &bob, &carol, &dave, &mallory}));
}

TEST_P(MlsGroupAttackTest, ExternalCommitWithForgedSignatureOrWithoutPath) {
  ASSERT_TRUE(setup());
  Member erin = member("erin");
  auto info = alice.g().group_info(true, true, rng_);
  ASSERT_TRUE(IsOk(info));
  auto joined = Group::join_external(erin.identity, *info, config_, rng_);
  ASSERT_TRUE(IsOk(joined));
  auto flipped = A::forge(
      alice.g(), joined->commit, [](record::PublicMessage& m) { m.auth.signature.back() ^= 1; },
      /*resign=*/false);
  ASSERT_TRUE(IsOk(flipped));
  auto m = A::decode_public(joined->commit);
  ASSERT_TRUE(IsOk(m));
  auto c = A::commit_of(*m);
  ASSERT_TRUE(IsOk(c));
  c->path.reset();
  m->content.content = *codec::encode(*c);
  auto no_path = A::encode_public(*m);
  ASSERT_TRUE(IsOk(no_path));
  for (Member* r : {&alice, &bob}) {
    EXPECT_TRUE(rejects(*r, *flipped, Errc::authentication_failed));
    EXPECT_TRUE(rejects(*r, *no_path, Errc::policy_violation));
  }
  ASSERT_TRUE(deliver(joined->commit, all()));
  erin.group.emplace(std::move(joined->group));
  EXPECT_TRUE(same_epoch({&alice, &bob, &carol, &dave, &erin}));
}

// --- Welcomes -------------------------------------------------------------------------------

TEST_P(MlsGroupAttackTest, WelcomeWithTreeThatDoesNotMatchTheTreeHash) {
  ASSERT_TRUE(setup());
  Member erin = member("erin");
  auto old_tree = alice.g().tree().encode();  // the tree of the epoch before the Welcome
  ASSERT_TRUE(IsOk(old_tree));
  // A tree of another group whose leaf 0 is also alice.
  Member other = member("other");
  Member alice2{"alice2", alice.identity, std::nullopt};
  ASSERT_TRUE(create(alice2, "another group"));
  ASSERT_TRUE(add(alice2, {&other}));
  auto other_tree = alice2.g().tree().encode();
  ASSERT_TRUE(IsOk(other_tree));

  auto kp = key_package(erin);
  CommitOptions options;
  options.proposals.push_back(Proposal{Add{kp.key_package}});
  options.ratchet_tree_in_welcome = false;
  CommitOutput out;
  ASSERT_TRUE(commit(alice, options, {&bob, &carol, &dave}, &out));
  EXPECT_TRUE(FailsWith(Group::join(erin.identity, kp, *out.welcome, config_, ByteView(*old_tree)),
                        Errc::authentication_failed));
  EXPECT_TRUE(
      FailsWith(Group::join(erin.identity, kp, *out.welcome, config_, ByteView(*other_tree)),
                Errc::authentication_failed));
  auto right_tree = alice.g().tree().encode();
  ASSERT_TRUE(IsOk(right_tree));
  auto joined = Group::join(erin.identity, kp, *out.welcome, config_, ByteView(*right_tree));
  ASSERT_TRUE(IsOk(joined));
  erin.group.emplace(std::move(*joined));
  EXPECT_TRUE(same_epoch({&alice, &bob, &carol, &dave, &erin}));
}

TEST_P(MlsGroupAttackTest, WelcomeForAKeyPackageNotHeld) {
  ASSERT_TRUE(setup());
  Member erin = member("erin"), frank = member("frank");
  auto erin_kp = key_package(erin);
  auto frank_kp = key_package(frank);
  CommitOutput out;
  ASSERT_TRUE(commit(alice, grouptest::proposing({Proposal{Add{erin_kp.key_package}}}),
                     {&bob, &carol, &dave}, &out));
  EXPECT_TRUE(
      FailsWith(Group::join(frank.identity, frank_kp, *out.welcome, config_), Errc::not_found));
  // A KeyPackage with erin's public part but frank's private keys does not open it either.
  KeyPackageBundle mixed{erin_kp.key_package, frank_kp.init_key, frank_kp.encryption_key};
  EXPECT_FALSE(Group::join(erin.identity, mixed, *out.welcome, config_).has_value());
  EXPECT_TRUE(IsOk(Group::join(erin.identity, erin_kp, *out.welcome, config_)));
}

TEST_P(MlsGroupAttackTest, TamperedWelcomeAndGroupInfo) {
  ASSERT_TRUE(setup());
  Member erin = member("erin"), frank = member("frank");
  auto kp = key_package(erin);
  CommitOutput out;
  ASSERT_TRUE(commit(alice, grouptest::proposing({Proposal{Add{kp.key_package}}}),
                     {&bob, &carol, &dave}, &out));
  // The encrypted GroupInfo ends the Welcome: its AEAD tag catches the change.
  Bytes welcome = *out.welcome;
  welcome.back() ^= 1;
  EXPECT_TRUE(
      FailsWith(Group::join(erin.identity, kp, welcome, config_), Errc::authentication_failed));

  // A GroupInfo for external joins whose signature or content was changed.
  auto decoded = codec::decode<MlsMessage>(out.group_info);
  ASSERT_TRUE(IsOk(decoded));
  GroupInfo info = std::get<GroupInfo>(decoded->body);
  GroupInfo bad_sig = info;
  bad_sig.signature.back() ^= 1;
  GroupInfo bad_tag = info;
  bad_tag.confirmation_tag[0] ^= 1;
  GroupInfo other_signer = info;  // signed by alice, claiming to be bob's
  other_signer.signer = bob.g().own_leaf().value;
  for (const GroupInfo* g : {&bad_sig, &bad_tag, &other_signer}) {
    auto bytes = codec::encode(MlsMessage{*g});
    ASSERT_TRUE(IsOk(bytes));
    EXPECT_TRUE(FailsWith(Group::join_external(frank.identity, *bytes, config_, rng_),
                          Errc::authentication_failed));
  }
  EXPECT_TRUE(IsOk(Group::join(erin.identity, kp, *out.welcome, config_)));
  EXPECT_TRUE(IsOk(Group::join_external(frank.identity, out.group_info, config_, rng_)));
}

TEST_P(MlsGroupAttackTest, TruncatedAndOversizedWelcomeAndGroupInfo) {
  ASSERT_TRUE(setup());
  Member erin = member("erin");
  auto kp = key_package(erin);
  CommitOutput out;
  ASSERT_TRUE(commit(alice, grouptest::proposing({Proposal{Add{kp.key_package}}}),
                     {&bob, &carol, &dave}, &out));
  const Bytes& welcome = *out.welcome;
  for (std::size_t n = 0; n < welcome.size(); n += (n < 64 ? 1 : 17))
    EXPECT_TRUE(FailsWith(Group::join(erin.identity, kp, ByteView(welcome).first(n), config_),
                          Errc::decode_error))
        << n;
  Bytes longer = welcome;
  longer.push_back(0);
  EXPECT_TRUE(FailsWith(Group::join(erin.identity, kp, longer, config_), Errc::trailing_data));
  // A commit is not a Welcome.
  EXPECT_TRUE(
      FailsWith(Group::join(erin.identity, kp, out.commit, config_), Errc::invalid_argument));

  Member frank = member("frank");
  const Bytes& info = out.group_info;
  for (std::size_t n = 0; n < info.size(); n += (n < 64 ? 1 : 17))
    EXPECT_TRUE(
        FailsWith(Group::join_external(frank.identity, ByteView(info).first(n), config_, rng_),
                  Errc::decode_error))
        << n;
  Bytes info_longer = info;
  info_longer.push_back(0);
  EXPECT_TRUE(FailsWith(Group::join_external(frank.identity, info_longer, config_, rng_),
                        Errc::trailing_data));
  EXPECT_TRUE(IsOk(Group::join(erin.identity, kp, welcome, config_)));
}

TEST_P(MlsGroupAttackTest, ProposalWithBadSignatureIsNotCached) {
  ASSERT_TRUE(setup());
  auto p = carol.g().propose(Proposal{Remove{dave.g().own_leaf().value}}, rng_);
  ASSERT_TRUE(IsOk(p));
  auto flipped = A::forge(
      carol.g(), *p, [](record::PublicMessage& m) { m.auth.signature.back() ^= 1; },
      /*resign=*/false);
  ASSERT_TRUE(IsOk(flipped));
  // Claiming to come from bob, signed by carol.
  auto as_bob = A::forge(carol.g(), *p, [&](record::PublicMessage& m) {
    m.content.sender = record::Sender::member(bob.g().own_leaf().value);
  });
  ASSERT_TRUE(IsOk(as_bob));
  for (Member* m : {&alice, &bob, &dave}) {
    EXPECT_TRUE(rejects(*m, *flipped, Errc::authentication_failed));
    EXPECT_TRUE(rejects(*m, *as_bob, Errc::authentication_failed));
    EXPECT_TRUE(m->g().cached_proposals().empty());
  }
  ASSERT_TRUE(deliver_proposal(*p, {&alice, &bob, &dave}));
  EXPECT_TRUE(commit(alice, {}, {&bob, &carol, &dave}));
  EXPECT_FALSE(dave.g().active());
}

// --- removed members ----------------------------------------------------------------------

TEST_P(MlsGroupAttackTest, ProposalFromRemovedMember) {
  ASSERT_TRUE(setup());
  // Bob keeps a copy of his state from before his removal.
  auto copy = Group::load(saved(bob.g()), config_);
  ASSERT_TRUE(IsOk(copy));
  Member old_bob{"old bob", bob.identity, std::move(*copy)};
  ASSERT_TRUE(commit(alice, grouptest::proposing({Proposal{Remove{bob.g().own_leaf().value}}}),
                     {&bob, &carol, &dave}));
  ASSERT_FALSE(bob.g().active());

  // In his old epoch: refused as stale.
  auto p = old_bob.g().propose(Proposal{Remove{carol.g().own_leaf().value}}, rng_);
  ASSERT_TRUE(IsOk(p));
  for (Member* m : {&alice, &carol, &dave})
    EXPECT_TRUE(rejects(*m, *p, Errc::unknown_epoch));
  // In the new epoch, even with the membership key and context leaked to him by an
  // accomplice: his leaf is gone.
  record::PublicMessage forged;
  auto body = codec::encode(Proposal{Remove{carol.g().own_leaf().value}});
  ASSERT_TRUE(IsOk(body));
  forged.content = record::FramedContent{carol.g().group_id(),
                                         carol.g().epoch(),
                                         record::Sender::member(old_bob.g().own_leaf().value),
                                         {},
                                         record::ContentType::proposal,
                                         *body};
  ASSERT_TRUE(IsOk(A::sign(carol.g(), A::signer(old_bob.g()), forged)));
  ASSERT_TRUE(IsOk(A::retag(carol.g(), forged)));
  auto forged_bytes = A::encode_public(forged);
  ASSERT_TRUE(IsOk(forged_bytes));
  for (Member* m : {&alice, &carol, &dave})
    EXPECT_TRUE(rejects(*m, *forged_bytes, Errc::unknown_sender));
  // Without the leak, the membership tag gives him away first.
  ASSERT_TRUE(IsOk(A::retag(old_bob.g(), forged)));
  forged_bytes = A::encode_public(forged);
  ASSERT_TRUE(IsOk(forged_bytes));
  for (Member* m : {&alice, &carol, &dave})
    EXPECT_TRUE(rejects(*m, *forged_bytes, Errc::authentication_failed));
  EXPECT_TRUE(commit(carol, {}, {&alice, &dave}));
  EXPECT_TRUE(talk(dave, {&alice, &carol}));
}

TEST_P(MlsGroupAttackTest, ApplicationMessageFromRemovedMemberForNewEpoch) {
  ASSERT_TRUE(setup());
  auto copy = Group::load(saved(bob.g()), config_);
  ASSERT_TRUE(IsOk(copy));
  Member old_bob{"old bob", bob.identity, std::move(*copy)};
  ASSERT_TRUE(commit(alice, grouptest::proposing({Proposal{Remove{bob.g().own_leaf().value}}}),
                     {&bob, &carol, &dave}));
  const std::uint64_t now = alice.g().epoch();

  auto m = old_bob.g().protect(text("still here"), rng_);
  ASSERT_TRUE(IsOk(m));
  // Relabelled for the new epoch: header (4) | group_id<V> (1 + 5) | epoch (8).
  Bytes relabelled = *m;
  ASSERT_EQ(relabelled[4], 5);
  for (int i = 0; i < 8; ++i)
    relabelled[10 + i] = static_cast<std::uint8_t>(now >> (8 * (7 - i)));
  for (Member* r : {&alice, &carol, &dave})
    EXPECT_TRUE(rejects_any(*r, relabelled));
  // A future epoch is unknown.
  relabelled[17] = static_cast<std::uint8_t>(now + 1);
  for (Member* r : {&alice, &carol, &dave})
    EXPECT_TRUE(rejects(*r, relabelled, Errc::unknown_epoch));
  EXPECT_TRUE(talk(carol, {&alice, &dave}));
}

// --- replays, stale epochs, wrong formats and groups ---------------------------------------

TEST_P(MlsGroupAttackTest, ReplayedCommit) {
  ASSERT_TRUE(setup());
  const Bytes genuine = empty_commit(alice);
  ASSERT_TRUE(genuine_goes_through(alice, genuine, {&bob, &carol, &dave}));
  for (Member* m : {&bob, &carol, &dave})
    EXPECT_TRUE(rejects(*m, genuine, Errc::unknown_epoch));
  EXPECT_TRUE(commit(bob, {}, {&alice, &carol, &dave}));
}

TEST_P(MlsGroupAttackTest, CommitForStaleOrFutureEpoch) {
  ASSERT_TRUE(setup());
  // Bob and alice commit in the same epoch; alice's wins.
  const Bytes loser = empty_commit(bob);
  const Bytes winner = empty_commit(alice);
  auto future = A::forge(alice.g(), winner, [](record::PublicMessage& m) { m.content.epoch += 1; });
  ASSERT_TRUE(IsOk(future));
  for (Member* m : {&carol, &dave})
    EXPECT_TRUE(rejects(*m, *future, Errc::unknown_epoch));
  bob.g().discard_pending_commit();
  ASSERT_TRUE(genuine_goes_through(alice, winner, {&bob, &carol, &dave}));
  for (Member* m : {&alice, &carol, &dave})
    EXPECT_TRUE(rejects(*m, loser, Errc::unknown_epoch));
  EXPECT_TRUE(commit(carol, {}, {&alice, &bob, &dave}));
}

TEST_P(MlsGroupAttackTest, ApplicationDataAsPublicMessage) {
  ASSERT_TRUE(setup());
  auto m = A::public_message(alice.g(), record::ContentType::application,
                             record::encode_application_data(text("in the clear")));
  ASSERT_TRUE(IsOk(m));
  for (Member* r : {&bob, &carol, &dave})
    EXPECT_TRUE(rejects(*r, *m, Errc::policy_violation));
  EXPECT_TRUE(talk(alice, {&bob, &carol, &dave}));
}

TEST_P(MlsGroupAttackTest, MessagesForAnotherGroup) {
  ASSERT_TRUE(setup());
  // The same people in another group.
  Member alice2{"alice2", alice.identity, std::nullopt}, bob2{"bob2", bob.identity, std::nullopt};
  ASSERT_TRUE(create(alice2, "another group"));
  ASSERT_TRUE(add(alice2, {&bob2}));
  auto app = alice2.g().protect(text("other"), rng_);
  ASSERT_TRUE(IsOk(app));
  auto other_commit = alice2.g().commit({}, rng_);
  ASSERT_TRUE(IsOk(other_commit));
  auto proposal = alice2.g().propose(Proposal{Remove{1}}, rng_);
  ASSERT_TRUE(IsOk(proposal));
  // An insider relabels a genuine commit for the other group's id.
  const Bytes genuine = empty_commit(alice);
  auto relabelled = A::forge(alice.g(), genuine,
                             [](record::PublicMessage& m) { m.content.group_id = text("x"); });
  ASSERT_TRUE(IsOk(relabelled));
  for (Member* r : {&bob, &carol, &dave}) {
    EXPECT_TRUE(rejects(*r, *app, Errc::wrong_group));
    EXPECT_TRUE(rejects(*r, other_commit->commit, Errc::wrong_group));
    EXPECT_TRUE(rejects(*r, *proposal, Errc::wrong_group));
    EXPECT_TRUE(rejects(*r, *relabelled, Errc::wrong_group));
  }
  EXPECT_TRUE(genuine_goes_through(alice, genuine, {&bob, &carol, &dave}));
}

TEST_P(MlsGroupAttackTest, NotAMessageForMembers) {
  ASSERT_TRUE(setup());
  auto info = alice.g().group_info(true, true, rng_);
  ASSERT_TRUE(IsOk(info));
  auto kp = codec::encode(MlsMessage{key_package(bob).key_package});
  ASSERT_TRUE(IsOk(kp));
  for (Member* r : {&bob, &carol}) {
    EXPECT_TRUE(rejects(*r, *info, Errc::invalid_argument));
    EXPECT_TRUE(rejects(*r, *kp, Errc::invalid_argument));
  }
  Bytes bad_version = *info;
  bad_version[1] = 2;
  EXPECT_TRUE(rejects(bob, bad_version, Errc::decode_error));
}

TEST_P(MlsGroupAttackTest, TruncatedAndOversizedMessages) {
  ASSERT_TRUE(setup());
  auto app = carol.g().protect(text("some application data"), rng_);
  ASSERT_TRUE(IsOk(app));
  auto p = carol.g().propose(Proposal{Remove{dave.g().own_leaf().value}}, rng_);
  ASSERT_TRUE(IsOk(p));
  const Bytes genuine = empty_commit(alice);

  for (const Bytes* msg : std::vector<const Bytes*>{&genuine, &*p, &*app}) {
    for (std::size_t n = 0; n < msg->size(); n += (n < 200 ? 1 : 7))
      EXPECT_TRUE(rejects(bob, ByteView(*msg).first(n), Errc::decode_error)) << n;
    for (std::size_t extra : {1, 2, 64}) {
      Bytes longer = *msg;
      longer.resize(msg->size() + extra, 0);
      EXPECT_TRUE(rejects(bob, longer, Errc::trailing_data)) << extra;
    }
  }
  // The genuine ones still work, in order.
  auto got_app = bob.g().process(*app);
  ASSERT_TRUE(IsOk(got_app));
  EXPECT_EQ(std::get<ApplicationMessage>(*got_app).data, text("some application data"));
  EXPECT_TRUE(IsOk(bob.g().process(*p)));
  EXPECT_TRUE(IsOk(alice.g().process(*p)));
  alice.g().discard_pending_commit();
  EXPECT_TRUE(commit(alice, {}, {&bob}));
}

// An encrypted handshake: tampering with the ciphertext is caught by the AEAD, and nothing
// is consumed, so the genuine commit still opens.
TEST_P(MlsGroupAttackTest, TamperedEncryptedCommit) {
  config_.encrypt_handshake = true;
  ASSERT_TRUE(setup());
  const Bytes genuine = empty_commit(alice);
  Bytes flipped = genuine;
  flipped[flipped.size() - 5] ^= 1;
  // header (4) | group_id<V> (6) | epoch (8) | content_type (1) | authenticated_data<V> (1) |
  // encrypted_sender_data<V> (1 + 28) | ciphertext<V> (2 + ...): the sender data, and the
  // ciphertext sample its key comes from.
  Bytes sender_data = genuine;
  sender_data[30] ^= 1;
  Bytes sample = genuine;
  sample[60] ^= 1;
  Bytes epoch = genuine;  // header (4) | group_id<V> (1 + 5) | epoch (8)
  epoch[10 + 7] ^= 1;
  for (Member* m : {&bob, &carol, &dave}) {
    EXPECT_TRUE(rejects(*m, flipped, Errc::authentication_failed));
    EXPECT_TRUE(rejects(*m, sender_data, Errc::authentication_failed));
    EXPECT_TRUE(rejects(*m, sample, Errc::authentication_failed));
    EXPECT_TRUE(rejects(*m, epoch, Errc::unknown_epoch));
  }
  EXPECT_TRUE(genuine_goes_through(alice, genuine, {&bob, &carol, &dave}));
  for (Member* m : {&bob, &carol, &dave})
    EXPECT_TRUE(rejects(*m, genuine, Errc::unknown_epoch));
}

}  // namespace
}  // namespace mpsec::mls
