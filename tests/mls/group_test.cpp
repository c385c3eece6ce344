// The MLS group, the protocol working as it should (RFC 9420 §11-§15): creation, adds by
// Welcome (many in one commit, with and without the ratchet tree), proposals by reference
// (Add, Update, Remove, leaving), external joins and resyncs, external and resumption PSKs,
// GroupContextExtensions with an external sender, encrypted handshakes, late and reordered
// application messages, the exporter, and the group controller's CommitPolicy.
#include "mls/group.hpp"

#include <gtest/gtest.h>

#include "mls/extensions.hpp"
#include "mls/group_test_access.hpp"

namespace mpsec::mls {
namespace {

using grouptest::Member;
using grouptest::saved;
using grouptest::text;
using testutil::FailsWith;
using testutil::IsOk;

class MlsGroupTest : public grouptest::GroupTestBase {
 protected:
  Bytes nonce() {
    Bytes n(suite().hash_size());
    EXPECT_TRUE(IsOk(rng_.fill(n)));
    return n;
  }
  Proposal external_psk(std::string_view id) {
    schedule::PreSharedKeyId psk;
    psk.psktype = schedule::PskType::external;
    psk.psk_id = text(id);
    psk.psk_nonce = nonce();
    return Proposal{PreSharedKey{psk}};
  }
  Proposal resumption_psk(const Group& g, std::uint64_t epoch) {
    schedule::PreSharedKeyId psk;
    psk.psktype = schedule::PskType::resumption;
    psk.usage = schedule::ResumptionPskUsage::application;
    psk.psk_group_id = g.group_id();
    psk.psk_epoch = epoch;
    psk.psk_nonce = nonce();
    return Proposal{PreSharedKey{psk}};
  }
  static record::WireFormat wire_format(ByteView message) {
    return static_cast<record::WireFormat>((message[2] << 8) | message[3]);
  }
};

// Suites 5 and 7 (P-521, P-384) are slow: only the broadest tests run them.
INSTANTIATE_TEST_SUITE_P(AllSuites, MlsGroupTest, ::testing::Values(1, 2, 3, 4, 5, 6, 7),
                         grouptest::suite_name);

class MlsGroupCheapSuitesTest : public MlsGroupTest {};
INSTANTIATE_TEST_SUITE_P(CheapSuites, MlsGroupCheapSuitesTest, ::testing::Values(1, 2, 3, 4, 6),
                         grouptest::suite_name);

TEST_P(MlsGroupTest, CreateAddExchangeUpdateRemove) {
  Member alice = member("alice"), bob = member("bob"), carol = member("carol");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob}));
  ASSERT_TRUE(add(bob, {&carol}, {&alice}));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol}));

  // Application messages both ways, with authenticated data.
  auto m = alice.g().protect(text("hello"), rng_, text("ad"));
  ASSERT_TRUE(IsOk(m));
  for (Member* c : {&bob, &carol}) {
    auto got = c->g().process(*m);
    ASSERT_TRUE(IsOk(got));
    const auto& app = std::get<ApplicationMessage>(*got);
    EXPECT_EQ(app.data, text("hello"));
    EXPECT_EQ(app.sender, alice.g().own_leaf());
    EXPECT_EQ(app.authenticated_data, text("ad"));
  }
  // An empty commit with a path (an update of carol's keys).
  ASSERT_TRUE(commit(carol, {}, {&alice, &bob}));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol}));

  // Alice removes Bob; Bob learns he is out, and cannot read what follows.
  CommitOptions rm;
  rm.proposals.push_back(Proposal{Remove{bob.g().own_leaf().value}});
  auto out = alice.g().commit(rm, rng_);
  ASSERT_TRUE(IsOk(out));
  ASSERT_TRUE(deliver(out->commit, {&carol}));
  auto bob_view = bob.g().process(out->commit);
  ASSERT_TRUE(IsOk(bob_view));
  EXPECT_TRUE(std::get<StagedCommit>(*bob_view).self_removed());
  ASSERT_TRUE(IsOk(bob.g().merge(std::move(std::get<StagedCommit>(*bob_view)))));
  EXPECT_FALSE(bob.g().active());
  ASSERT_TRUE(IsOk(alice.g().merge_pending_commit()));
  ASSERT_TRUE(same_epoch({&alice, &carol}));
  auto secret = alice.g().protect(text("after bob"), rng_);
  ASSERT_TRUE(IsOk(secret));
  EXPECT_TRUE(IsOk(carol.g().process(*secret)));
  EXPECT_FALSE(bob.g().process(*secret).has_value());
}

TEST_P(MlsGroupTest, SixMembersJoinFromOneWelcome) {
  Member alice = member("alice");
  std::vector<Member> joiners;
  for (const char* n : {"bob", "carol", "dave", "erin", "frank", "grace"})
    joiners.push_back(member(n));
  ASSERT_TRUE(create(alice));
  std::vector<Member*> js;
  for (auto& j : joiners)
    js.push_back(&j);

  CommitOutput out;
  ASSERT_TRUE(add(alice, js, {}, &out));
  // One Welcome with one entry per new member.
  auto welcome = codec::decode<MlsMessage>(*out.welcome);
  ASSERT_TRUE(IsOk(welcome));
  EXPECT_EQ(std::get<Welcome>(welcome->body).secrets.size(), joiners.size());

  std::vector<Member*> all = js;
  all.insert(all.begin(), &alice);
  ASSERT_TRUE(same_epoch(all));
  EXPECT_EQ(alice.g().tree().members().size(), 7u);
  EXPECT_EQ(alice.g().epoch(), 1u);
  // Everyone can talk to everyone, and the last joiner can commit.
  ASSERT_TRUE(talk(joiners.back(), {&alice, js[0], js[1], js[2], js[3], js[4]}));
  ASSERT_TRUE(talk(alice, js));
  std::vector<Member*> others(all.begin(), all.end() - 1);
  ASSERT_TRUE(commit(joiners.back(), {}, others));
  ASSERT_TRUE(same_epoch(all));
}

// Add, Update and Remove proposals from three members, committed by reference by a fourth.
TEST_P(MlsGroupTest, ProposalsByMembersCommittedByReference) {
  Member alice = member("alice"), bob = member("bob"), carol = member("carol"),
         dave = member("dave"), erin = member("erin");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob, &carol, &dave}));
  std::vector<Member*> all = {&alice, &bob, &carol, &dave};

  auto erin_kp = key_package(erin);
  auto add_p = bob.g().propose(Proposal{Add{erin_kp.key_package}}, rng_);
  ASSERT_TRUE(IsOk(add_p));
  ASSERT_TRUE(deliver_proposal(*add_p, {&alice, &carol, &dave}));

  auto update = carol.g().update_proposal(rng_);
  ASSERT_TRUE(IsOk(update));
  const Bytes carol_new_key = std::get<Update>(update->body).leaf_node.encryption_key;
  auto update_p = carol.g().propose(*update, rng_);
  ASSERT_TRUE(IsOk(update_p));
  ASSERT_TRUE(deliver_proposal(*update_p, {&alice, &bob, &dave}));

  const std::uint32_t bob_leaf = bob.g().own_leaf().value;
  auto remove_p = dave.g().propose(Proposal{Remove{bob_leaf}}, rng_);
  ASSERT_TRUE(IsOk(remove_p));
  ASSERT_TRUE(deliver_proposal(*remove_p, {&alice, &bob, &carol}));
  for (Member* m : all)
    EXPECT_EQ(m->g().cached_proposals().size(), 3u) << m->name;

  auto out = alice.g().commit({}, rng_);
  ASSERT_TRUE(IsOk(out));
  // All three are covered by reference.
  auto commit_body = GroupTestAccess::commit_of(out->commit);
  ASSERT_TRUE(IsOk(commit_body));
  ASSERT_EQ(commit_body->proposals.size(), 3u);
  for (const auto& por : commit_body->proposals)
    EXPECT_TRUE(std::holds_alternative<Bytes>(por.value));
  ASSERT_TRUE(out->welcome.has_value());

  for (Member* m : {&carol, &dave}) {
    auto staged = m->g().process(out->commit);
    ASSERT_TRUE(IsOk(staged)) << m->name;
    auto& sc = std::get<StagedCommit>(*staged);
    EXPECT_EQ(sc.proposals().size(), 3u);
    EXPECT_EQ(sc.added().size(), 1u);
    ASSERT_EQ(sc.removed().size(), 1u);
    EXPECT_EQ(sc.removed()[0].value, bob_leaf);
    EXPECT_FALSE(sc.self_removed());
    ASSERT_TRUE(IsOk(m->g().merge(std::move(sc))));
  }
  ASSERT_TRUE(IsOk(alice.g().merge_pending_commit()));
  auto joined = Group::join(erin.identity, erin_kp, *out->welcome, config_);
  ASSERT_TRUE(IsOk(joined));
  erin.group.emplace(std::move(*joined));

  ASSERT_TRUE(same_epoch({&alice, &carol, &dave, &erin}));
  // Carol's leaf carries the key of her Update; the path of alice's commit reached her
  // through it.
  EXPECT_EQ(alice.g().tree().leaf_node(carol.g().own_leaf())->encryption_key, carol_new_key);
  EXPECT_TRUE(alice.g().cached_proposals().empty());
  ASSERT_TRUE(talk(carol, {&alice, &dave, &erin}));
  ASSERT_TRUE(talk(erin, {&alice, &carol, &dave}));
  ASSERT_TRUE(commit(carol, {}, {&alice, &dave, &erin}));
  ASSERT_TRUE(same_epoch({&alice, &carol, &dave, &erin}));

  // Bob learns he is out, though erin took his leaf in the same commit.
  auto bob_view = bob.g().process(out->commit);
  ASSERT_TRUE(IsOk(bob_view));
  EXPECT_TRUE(std::get<StagedCommit>(*bob_view).self_removed());
  ASSERT_TRUE(IsOk(bob.g().merge(std::move(std::get<StagedCommit>(*bob_view)))));
  EXPECT_FALSE(bob.g().active());
}

// A commit that removes a member and adds another puts the newcomer in the freed leaf
// (the leftmost blank one): the removed member must still see that it was removed.
TEST_P(MlsGroupCheapSuitesTest, RemovedMemberWhoseLeafIsReusedSeesItsRemoval) {
  Member alice = member("alice"), bob = member("bob"), carol = member("carol"),
         dave = member("dave");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob, &carol}));
  const LeafIndex bob_leaf = bob.g().own_leaf();
  auto dave_kp = key_package(dave);
  CommitOptions options;
  options.proposals.push_back(Proposal{Remove{bob_leaf.value}});
  options.proposals.push_back(Proposal{Add{dave_kp.key_package}});
  auto out = alice.g().commit(options, rng_);
  ASSERT_TRUE(IsOk(out));
  ASSERT_TRUE(deliver(out->commit, {&carol}));
  ASSERT_TRUE(IsOk(alice.g().merge_pending_commit()));
  auto joined = Group::join(dave.identity, dave_kp, *out->welcome, config_);
  ASSERT_TRUE(IsOk(joined));
  dave.group.emplace(std::move(*joined));
  EXPECT_EQ(dave.g().own_leaf(), bob_leaf);
  ASSERT_TRUE(same_epoch({&alice, &carol, &dave}));

  auto bob_view = bob.g().process(out->commit);
  ASSERT_TRUE(IsOk(bob_view));
  auto& sc = std::get<StagedCommit>(*bob_view);
  EXPECT_TRUE(sc.self_removed());
  ASSERT_EQ(sc.removed().size(), 1u);
  EXPECT_EQ(sc.removed()[0], bob_leaf);
  ASSERT_TRUE(IsOk(bob.g().merge(std::move(sc))));
  EXPECT_FALSE(bob.g().active());
  auto m = dave.g().protect(text("in bob's old seat"), rng_);
  ASSERT_TRUE(IsOk(m));
  EXPECT_FALSE(bob.g().process(*m).has_value());
}

TEST_P(MlsGroupCheapSuitesTest, MemberAsksToLeave) {
  Member alice = member("alice"), bob = member("bob"), carol = member("carol");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob, &carol}));
  // Bob may not commit his own removal: he proposes it.
  CommitOptions self_remove;
  self_remove.proposals.push_back(Proposal{Remove{bob.g().own_leaf().value}});
  EXPECT_TRUE(FailsWith(bob.g().commit(self_remove, rng_), Errc::policy_violation));
  EXPECT_FALSE(bob.g().has_pending_commit());

  // Sent in bob's last epoch, read by him after he left.
  auto late = alice.g().protect(text("farewell"), rng_);
  ASSERT_TRUE(IsOk(late));
  auto leave = bob.g().propose(Proposal{Remove{bob.g().own_leaf().value}}, rng_);
  ASSERT_TRUE(IsOk(leave));
  ASSERT_TRUE(deliver_proposal(*leave, {&alice, &carol}));
  auto out = carol.g().commit({}, rng_);
  ASSERT_TRUE(IsOk(out));
  ASSERT_TRUE(deliver(out->commit, {&alice}));
  auto bob_view = bob.g().process(out->commit);
  ASSERT_TRUE(IsOk(bob_view));
  EXPECT_TRUE(std::get<StagedCommit>(*bob_view).self_removed());
  ASSERT_TRUE(IsOk(bob.g().merge(std::move(std::get<StagedCommit>(*bob_view)))));
  ASSERT_TRUE(IsOk(carol.g().merge_pending_commit()));
  EXPECT_FALSE(bob.g().active());
  EXPECT_EQ(alice.g().tree().members().size(), 2u);
  ASSERT_TRUE(same_epoch({&alice, &carol}));
  auto m = carol.g().protect(text("bye bob"), rng_);
  ASSERT_TRUE(IsOk(m));
  EXPECT_TRUE(IsOk(alice.g().process(*m)));
  // Bob reads nothing of the new epoch, and may not send or commit; late messages of his
  // last epoch he still reads.
  EXPECT_TRUE(FailsWith(bob.g().process(*m), Errc::unknown_epoch));
  EXPECT_TRUE(FailsWith(bob.g().protect(text("x"), rng_), Errc::invalid_state));
  EXPECT_TRUE(FailsWith(bob.g().commit({}, rng_), Errc::invalid_state));
  EXPECT_TRUE(FailsWith(bob.g().propose(Proposal{Remove{0}}, rng_), Errc::invalid_state));
  auto c = alice.g().commit({}, rng_);
  ASSERT_TRUE(IsOk(c));
  EXPECT_TRUE(FailsWith(bob.g().process(c->commit), Errc::invalid_state));
  auto got = bob.g().process(*late);
  ASSERT_TRUE(IsOk(got));
  EXPECT_EQ(std::get<ApplicationMessage>(*got).data, text("farewell"));
}

// RFC 9420 §12.4: a committer SHOULD include the valid proposals it received "as long as
// this results in a valid proposal list": a cached proposal to remove the committer itself
// is left out, not a reason to refuse every commit of the epoch.
TEST_P(MlsGroupCheapSuitesTest, CommitterLeavesOutCachedProposalToRemoveItself) {
  Member alice = member("alice"), bob = member("bob"), carol = member("carol");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob, &carol}));
  auto p = bob.g().propose(Proposal{Remove{alice.g().own_leaf().value}}, rng_);
  ASSERT_TRUE(IsOk(p));
  ASSERT_TRUE(deliver_proposal(*p, {&alice, &carol}));
  auto out = alice.g().commit({}, rng_);
  ASSERT_TRUE(IsOk(out));
  auto body = GroupTestAccess::commit_of(out->commit);
  ASSERT_TRUE(IsOk(body));
  EXPECT_TRUE(body->proposals.empty());
  ASSERT_TRUE(deliver(out->commit, {&bob, &carol}));
  ASSERT_TRUE(IsOk(alice.g().merge_pending_commit()));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol}));
}

TEST_P(MlsGroupTest, ExternalJoinFromGroupInfo) {
  Member alice = member("alice"), bob = member("bob"), dave = member("dave"), erin = member("erin"),
         frank = member("frank");
  ASSERT_TRUE(create(alice));
  CommitOutput out;
  ASSERT_TRUE(add(alice, {&bob}, {}, &out));

  // From the GroupInfo of the last commit (ratchet tree and external_pub included).
  auto joined = Group::join_external(dave.identity, out.group_info, config_, rng_);
  ASSERT_TRUE(IsOk(joined));
  dave.group.emplace(std::move(joined->group));
  for (Member* m : {&alice, &bob}) {
    auto staged = m->g().process(joined->commit);
    ASSERT_TRUE(IsOk(staged)) << m->name;
    auto& sc = std::get<StagedCommit>(*staged);
    EXPECT_EQ(sc.committer().sender_type, record::SenderType::new_member_commit);
    ASSERT_TRUE(IsOk(m->g().merge(std::move(sc))));
  }
  ASSERT_TRUE(same_epoch({&alice, &bob, &dave}));
  ASSERT_TRUE(talk(dave, {&alice, &bob}));

  // From a GroupInfo a member publishes, with the tree.
  auto info = bob.g().group_info(true, true, rng_);
  ASSERT_TRUE(IsOk(info));
  auto joined2 = Group::join_external(erin.identity, *info, config_, rng_);
  ASSERT_TRUE(IsOk(joined2));
  erin.group.emplace(std::move(joined2->group));
  ASSERT_TRUE(deliver(joined2->commit, {&alice, &bob, &dave}));
  ASSERT_TRUE(same_epoch({&alice, &bob, &dave, &erin}));

  // Without the tree in the GroupInfo: the tree is passed out of band.
  auto bare = alice.g().group_info(false, true, rng_);
  ASSERT_TRUE(IsOk(bare));
  EXPECT_TRUE(
      FailsWith(Group::join_external(frank.identity, *bare, config_, rng_), Errc::not_found));
  auto tree = alice.g().tree().encode();
  ASSERT_TRUE(IsOk(tree));
  auto joined3 = Group::join_external(frank.identity, *bare, config_, rng_, ByteView(*tree));
  ASSERT_TRUE(IsOk(joined3));
  frank.group.emplace(std::move(joined3->group));
  ASSERT_TRUE(deliver(joined3->commit, {&alice, &bob, &dave, &erin}));
  ASSERT_TRUE(same_epoch({&alice, &bob, &dave, &erin, &frank}));
  ASSERT_TRUE(talk(frank, {&alice, &bob, &dave, &erin}));
  // The newcomer commits like any member.
  ASSERT_TRUE(commit(frank, {}, {&alice, &bob, &dave, &erin}));
  ASSERT_TRUE(same_epoch({&alice, &bob, &dave, &erin, &frank}));

  // Without external_pub, no external join.
  auto no_pub = alice.g().group_info(true, false, rng_);
  ASSERT_TRUE(IsOk(no_pub));
  Member gina = member("gina");
  EXPECT_TRUE(
      FailsWith(Group::join_external(gina.identity, *no_pub, config_, rng_), Errc::not_found));
}

// A member that lost its state rejoins by external commit, removing its old leaf.
TEST_P(MlsGroupCheapSuitesTest, ExternalJoinWithResync) {
  Member alice = member("alice"), bob = member("bob"), carol = member("carol");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob, &carol}));
  const LeafIndex old_leaf = bob.g().own_leaf();
  Member bob2{"bob2", bob.identity, std::nullopt};

  auto info = alice.g().group_info(true, true, rng_);
  ASSERT_TRUE(IsOk(info));
  auto joined = Group::join_external(bob.identity, *info, config_, rng_, std::nullopt, old_leaf);
  ASSERT_TRUE(IsOk(joined));
  bob2.group.emplace(std::move(joined->group));
  auto body = GroupTestAccess::commit_of(joined->commit);
  ASSERT_TRUE(IsOk(body));
  ASSERT_EQ(body->proposals.size(), 2u);  // ExternalInit and Remove

  for (Member* m : {&alice, &carol}) {
    auto staged = m->g().process(joined->commit);
    ASSERT_TRUE(IsOk(staged)) << m->name;
    auto& sc = std::get<StagedCommit>(*staged);
    ASSERT_EQ(sc.removed().size(), 1u);
    EXPECT_EQ(sc.removed()[0], old_leaf);
    ASSERT_TRUE(IsOk(m->g().merge(std::move(sc))));
  }
  // The old state sees itself removed.
  auto old_view = bob.g().process(joined->commit);
  ASSERT_TRUE(IsOk(old_view));
  EXPECT_TRUE(std::get<StagedCommit>(*old_view).self_removed());

  ASSERT_TRUE(same_epoch({&alice, &carol, &bob2}));
  EXPECT_EQ(alice.g().tree().members().size(), 3u);
  // The leftmost free leaf is the one just freed.
  EXPECT_EQ(bob2.g().own_leaf(), old_leaf);
  ASSERT_TRUE(talk(bob2, {&alice, &carol}));
  ASSERT_TRUE(commit(carol, {}, {&alice, &bob2}));
}

TEST_P(MlsGroupTest, ExternalPskKnownToAllMembers) {
  auto store = std::make_shared<PskStore>();
  store->add_external(text("psk-1"), SecretBytes(text("a shared secret of the whole group")));
  store->add_external(text("psk-2"), SecretBytes(text("another one")));
  config_.psks = store;
  Member alice = member("alice"), bob = member("bob"), carol = member("carol"),
         dave = member("dave");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob, &carol}));

  // By value, together with an Add: the new member needs the PSK too (it is in its config).
  auto dave_kp = key_package(dave);
  CommitOptions options;
  options.proposals.push_back(external_psk("psk-1"));
  options.proposals.push_back(Proposal{Add{dave_kp.key_package}});
  CommitOutput out;
  ASSERT_TRUE(commit(alice, options, {&bob, &carol}, &out));
  auto joined = Group::join(dave.identity, dave_kp, *out.welcome, config_);
  ASSERT_TRUE(IsOk(joined));
  dave.group.emplace(std::move(*joined));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol, &dave}));

  // Proposed by one member, committed by another.
  auto p = bob.g().propose(external_psk("psk-2"), rng_);
  ASSERT_TRUE(IsOk(p));
  ASSERT_TRUE(deliver_proposal(*p, {&alice, &carol, &dave}));
  auto c = carol.g().commit({}, rng_);
  ASSERT_TRUE(IsOk(c));
  // A member without the PSK cannot follow; nothing changes for it.
  GroupConfig no_psk = config_;
  no_psk.psks = nullptr;
  dave.g().set_config(no_psk);
  const Bytes dave_before = saved(dave.g());
  EXPECT_TRUE(FailsWith(dave.g().process(c->commit), Errc::not_found));
  EXPECT_EQ(saved(dave.g()), dave_before);
  dave.g().set_config(config_);
  ASSERT_TRUE(deliver(c->commit, {&alice, &bob, &dave}));
  ASSERT_TRUE(IsOk(carol.g().merge_pending_commit()));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol, &dave}));
  ASSERT_TRUE(talk(dave, {&alice, &bob, &carol}));

  // A PSK nobody holds cannot be committed.
  CommitOptions unknown;
  unknown.proposals.push_back(external_psk("psk-unknown"));
  EXPECT_TRUE(FailsWith(alice.g().commit(unknown, rng_), Errc::not_found));
  EXPECT_FALSE(alice.g().has_pending_commit());
}

TEST_P(MlsGroupCheapSuitesTest, ResumptionPskOfEarlierEpochs) {
  Member alice = member("alice"), bob = member("bob"), carol = member("carol");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob, &carol}));
  ASSERT_TRUE(commit(bob, {}, {&alice, &carol}));
  ASSERT_TRUE(commit(carol, {}, {&alice, &bob}));
  const std::uint64_t now = alice.g().epoch();  // 3; all three were members since epoch 1

  CommitOptions options;
  options.proposals.push_back(resumption_psk(alice.g(), now - 1));
  options.proposals.push_back(resumption_psk(alice.g(), now));
  ASSERT_TRUE(commit(alice, options, {&bob, &carol}));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol}));

  auto p = bob.g().propose(resumption_psk(bob.g(), now - 2), rng_);
  ASSERT_TRUE(IsOk(p));
  ASSERT_TRUE(deliver_proposal(*p, {&alice, &carol}));
  ASSERT_TRUE(commit(carol, {}, {&alice, &bob}));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol}));
  ASSERT_TRUE(talk(bob, {&alice, &carol}));

  // An epoch that is not kept (or has not happened) is not a PSK.
  CommitOptions future;
  future.proposals.push_back(resumption_psk(alice.g(), alice.g().epoch() + 1));
  EXPECT_TRUE(FailsWith(alice.g().commit(future, rng_), Errc::not_found));
  CommitOptions ancient;
  ancient.proposals.push_back(resumption_psk(alice.g(), 0));  // before bob and carol, dropped
  config_.resumption_psks_kept = 2;
  alice.g().set_config(config_);
  ASSERT_TRUE(commit(alice, {}, {&bob, &carol}));
  ASSERT_TRUE(commit(alice, {}, {&bob, &carol}));
  ASSERT_TRUE(commit(alice, {}, {&bob, &carol}));
  EXPECT_TRUE(FailsWith(alice.g().commit(ancient, rng_), Errc::not_found));
  // Reinit and branch PSKs are not proposals.
  CommitOptions reinit;
  auto r = resumption_psk(alice.g(), alice.g().epoch() - 1);
  std::get<PreSharedKey>(r.body).psk.usage = schedule::ResumptionPskUsage::reinit;
  reinit.proposals.push_back(r);
  EXPECT_TRUE(FailsWith(alice.g().commit(reinit, rng_), Errc::policy_violation));
}

// A GroupContextExtensions proposal installs an external sender, whose Remove proposal a
// member then commits by reference.
TEST_P(MlsGroupCheapSuitesTest, GroupContextExtensionsAndExternalSender) {
  Member alice = member("alice"), bob = member("bob"), carol = member("carol");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob, &carol}));
  auto ds_key = crypto::SigningKey::generate(suite().sig(), rng_);
  ASSERT_TRUE(IsOk(ds_key));
  std::vector<ExternalSender> senders{
      ExternalSender{ds_key->verify_key().bytes(), Credential::basic(text("delivery service"))}};
  auto data = codec::encode(senders);
  ASSERT_TRUE(IsOk(data));
  GroupContextExtensions gce;
  gce.extensions.push_back(
      Extension{static_cast<std::uint16_t>(ExtensionType::external_senders), *data});

  auto p = bob.g().propose(Proposal{gce}, rng_);
  ASSERT_TRUE(IsOk(p));
  ASSERT_TRUE(deliver_proposal(*p, {&alice, &carol}));
  ASSERT_TRUE(commit(alice, {}, {&bob, &carol}));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol}));
  for (Member* m : {&alice, &bob, &carol}) {
    ASSERT_EQ(m->g().context().extensions.size(), 1u);
    EXPECT_EQ(m->g().context().extensions[0], gce.extensions[0]);
  }

  // The external sender proposes removing carol: no membership tag, signed without the
  // group context (RFC 9420 §6.1).
  record::PublicMessage pm;
  auto body = codec::encode(Proposal{Remove{carol.g().own_leaf().value}});
  ASSERT_TRUE(IsOk(body));
  pm.content = record::FramedContent{alice.g().group_id(),
                                     alice.g().epoch(),
                                     record::Sender{record::SenderType::external, 0},
                                     {},
                                     record::ContentType::proposal,
                                     *body};
  auto sig =
      record::sign_content(suite(), *ds_key, record::WireFormat::public_message, pm.content, {});
  ASSERT_TRUE(IsOk(sig));
  pm.auth.signature = *sig;
  auto ext_msg = GroupTestAccess::encode_public(pm);
  ASSERT_TRUE(IsOk(ext_msg));
  for (Member* m : {&alice, &bob, &carol}) {
    auto got = m->g().process(*ext_msg);
    ASSERT_TRUE(IsOk(got)) << m->name;
    EXPECT_EQ(std::get<ProposalMessage>(*got).sender.sender_type, record::SenderType::external);
  }
  auto out = bob.g().commit({}, rng_);
  ASSERT_TRUE(IsOk(out));
  ASSERT_TRUE(deliver(out->commit, {&alice}));
  ASSERT_TRUE(IsOk(bob.g().merge_pending_commit()));
  ASSERT_TRUE(same_epoch({&alice, &bob}));
  EXPECT_EQ(alice.g().tree().members().size(), 2u);

  // Extensions the members do not support cannot be required.
  RequiredCapabilities required;
  required.extension_types.push_back(0xff00);
  auto req = codec::encode(required);
  ASSERT_TRUE(IsOk(req));
  GroupContextExtensions unsupported;
  unsupported.extensions.push_back(
      Extension{static_cast<std::uint16_t>(ExtensionType::required_capabilities), *req});
  CommitOptions bad;
  bad.proposals.push_back(Proposal{unsupported});
  EXPECT_TRUE(FailsWith(alice.g().commit(bad, rng_), Errc::policy_violation));
  // Nor can a group context carry an extension twice.
  GroupContextExtensions twice;
  twice.extensions = {gce.extensions[0], gce.extensions[0]};
  CommitOptions dup;
  dup.proposals.push_back(Proposal{twice});
  EXPECT_FALSE(alice.g().commit(dup, rng_).has_value());
}

TEST_P(MlsGroupTest, WelcomeWithoutRatchetTree) {
  Member alice = member("alice"), bob = member("bob"), carol = member("carol");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob}));
  auto kp = key_package(carol);
  CommitOptions options;
  options.proposals.push_back(Proposal{Add{kp.key_package}});
  options.ratchet_tree_in_welcome = false;
  auto out = alice.g().commit(options, rng_);
  ASSERT_TRUE(IsOk(out));
  ASSERT_TRUE(deliver(out->commit, {&bob}));
  ASSERT_TRUE(IsOk(alice.g().merge_pending_commit()));

  EXPECT_TRUE(FailsWith(Group::join(carol.identity, kp, *out->welcome, config_), Errc::not_found));
  auto tree = alice.g().tree().encode();
  ASSERT_TRUE(IsOk(tree));
  auto joined = Group::join(carol.identity, kp, *out->welcome, config_, ByteView(*tree));
  ASSERT_TRUE(IsOk(joined));
  carol.group.emplace(std::move(*joined));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol}));
  ASSERT_TRUE(talk(carol, {&alice, &bob}));
  ASSERT_TRUE(commit(carol, {}, {&alice, &bob}));
  // The GroupInfo of the commit has no tree either.
  auto info = codec::decode<MlsMessage>(out->group_info);
  ASSERT_TRUE(IsOk(info));
  EXPECT_EQ(find_extension(std::get<GroupInfo>(info->body).extensions, ExtensionType::ratchet_tree),
            nullptr);
}

TEST_P(MlsGroupCheapSuitesTest, EncryptedHandshake) {
  config_.encrypt_handshake = true;
  Member alice = member("alice"), bob = member("bob"), carol = member("carol"),
         dave = member("dave");
  ASSERT_TRUE(create(alice));
  CommitOutput out;
  ASSERT_TRUE(add(alice, {&bob, &carol}, {}, &out));
  EXPECT_EQ(wire_format(out.commit), record::WireFormat::private_message);

  // Proposals of all kinds as PrivateMessages, committed by reference.
  auto update = bob.g().update_proposal(rng_);
  ASSERT_TRUE(IsOk(update));
  auto p1 = bob.g().propose(*update, rng_);
  ASSERT_TRUE(IsOk(p1));
  EXPECT_EQ(wire_format(*p1), record::WireFormat::private_message);
  ASSERT_TRUE(deliver_proposal(*p1, {&alice, &carol}));
  auto dave_kp = key_package(dave);
  auto p2 = carol.g().propose(Proposal{Add{dave_kp.key_package}}, rng_);
  ASSERT_TRUE(IsOk(p2));
  ASSERT_TRUE(deliver_proposal(*p2, {&alice, &bob}));
  // A replayed encrypted proposal is refused: its key is gone.
  EXPECT_TRUE(FailsWith(alice.g().process(*p2), Errc::replay));

  auto c = alice.g().commit({}, rng_);
  ASSERT_TRUE(IsOk(c));
  EXPECT_EQ(wire_format(c->commit), record::WireFormat::private_message);
  ASSERT_TRUE(deliver(c->commit, {&bob, &carol}));
  ASSERT_TRUE(IsOk(alice.g().merge_pending_commit()));
  auto joined = Group::join(dave.identity, dave_kp, *c->welcome, config_);
  ASSERT_TRUE(IsOk(joined));
  dave.group.emplace(std::move(*joined));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol, &dave}));
  ASSERT_TRUE(talk(bob, {&alice, &carol, &dave}));
  ASSERT_TRUE(commit(dave, {}, {&alice, &bob, &carol}));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol, &dave}));
  // The replayed commit belongs to a past epoch now.
  EXPECT_TRUE(FailsWith(bob.g().process(c->commit), Errc::unknown_epoch));
}

// An encrypted commit is staged, then an application message of the same epoch arrives
// (sent before its sender saw the commit) and is read, then the commit is merged.
TEST_P(MlsGroupCheapSuitesTest, EncryptedCommitMergesAfterOtherMessagesOfItsEpoch) {
  config_.encrypt_handshake = true;
  Member alice = member("alice"), bob = member("bob"), carol = member("carol");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob, &carol}));
  auto late = carol.g().protect(text("sent before the commit"), rng_);
  ASSERT_TRUE(IsOk(late));
  auto c = alice.g().commit({}, rng_);
  ASSERT_TRUE(IsOk(c));
  auto staged = bob.g().process(c->commit);
  ASSERT_TRUE(IsOk(staged));
  ASSERT_TRUE(IsOk(bob.g().process(*late)));
  EXPECT_TRUE(IsOk(bob.g().merge(std::move(std::get<StagedCommit>(*staged)))));
  ASSERT_TRUE(IsOk(alice.g().merge_pending_commit()));
  EXPECT_EQ(bob.g().epoch(), alice.g().epoch());
}

TEST_P(MlsGroupCheapSuitesTest, ApplicationMessagesOutOfOrderAndFromPastEpochs) {
  Member alice = member("alice"), bob = member("bob"), carol = member("carol");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob, &carol}));
  std::vector<Bytes> ms;
  for (int i = 0; i < 4; ++i) {
    auto m = alice.g().protect(text("m" + std::to_string(i)), rng_);
    ASSERT_TRUE(IsOk(m));
    ms.push_back(*m);
  }
  for (int i : {3, 0, 2, 1}) {
    auto got = bob.g().process(ms[i]);
    ASSERT_TRUE(IsOk(got)) << i;
    const auto& app = std::get<ApplicationMessage>(*got);
    EXPECT_EQ(app.data, text("m" + std::to_string(i)));
    EXPECT_EQ(app.generation, static_cast<std::uint32_t>(i));
  }
  // Each key opens one message only.
  for (const auto& m : ms)
    EXPECT_TRUE(FailsWith(bob.g().process(m), Errc::replay));

  // Sent in epoch e, delivered in epoch e+1: still readable (past_epochs_kept = 1).
  const std::uint64_t e = alice.g().epoch();
  auto late1 = carol.g().protect(text("late 1"), rng_);
  auto late2 = carol.g().protect(text("late 2"), rng_);
  auto late3 = carol.g().protect(text("late 3"), rng_);
  ASSERT_TRUE(IsOk(late1) && IsOk(late2) && IsOk(late3));
  ASSERT_TRUE(commit(alice, {}, {&bob, &carol}));
  auto got2 = bob.g().process(*late2);
  ASSERT_TRUE(IsOk(got2));
  EXPECT_EQ(std::get<ApplicationMessage>(*got2).epoch, e);
  EXPECT_EQ(std::get<ApplicationMessage>(*got2).data, text("late 2"));
  auto got1 = bob.g().process(*late1);
  ASSERT_TRUE(IsOk(got1));
  EXPECT_TRUE(FailsWith(bob.g().process(*late2), Errc::replay));
  ASSERT_TRUE(talk(carol, {&alice, &bob}, "current"));
  // Two epochs later, epoch e is gone.
  ASSERT_TRUE(commit(bob, {}, {&alice, &carol}));
  EXPECT_TRUE(FailsWith(bob.g().process(*late3), Errc::unknown_epoch));
  EXPECT_TRUE(FailsWith(alice.g().process(*late3), Errc::unknown_epoch));

  // A member keeping no past epochs reads nothing late.
  GroupConfig none = config_;
  none.past_epochs_kept = 0;
  alice.g().set_config(none);
  auto late4 = bob.g().protect(text("late 4"), rng_);
  ASSERT_TRUE(IsOk(late4));
  ASSERT_TRUE(commit(carol, {}, {&alice, &bob}));
  EXPECT_TRUE(FailsWith(alice.g().process(*late4), Errc::unknown_epoch));
}

// Lowering past_epochs_kept takes effect at the next epoch change, down to zero: keys of
// past epochs are not kept longer than the policy says (DESIGN.md §2).
TEST_P(MlsGroupCheapSuitesTest, LoweringPastEpochsKeptDropsKeptEpochs) {
  Member alice = member("alice"), bob = member("bob");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob}));
  auto late = alice.g().protect(text("late"), rng_);
  ASSERT_TRUE(IsOk(late));
  ASSERT_TRUE(commit(alice, {}, {&bob}));  // bob keeps epoch 1
  GroupConfig none = config_;
  none.past_epochs_kept = 0;
  bob.g().set_config(none);
  ASSERT_TRUE(commit(alice, {}, {&bob}));
  EXPECT_TRUE(FailsWith(bob.g().process(*late), Errc::unknown_epoch));
}

TEST_P(MlsGroupTest, ExporterAgreesAcrossMembers) {
  Member alice = member("alice"), bob = member("bob"), carol = member("carol");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob, &carol}));
  auto a = alice.g().export_secret("app key", text("ctx"), 32);
  ASSERT_TRUE(IsOk(a));
  EXPECT_EQ(a->size(), 32u);
  for (Member* m : {&bob, &carol}) {
    auto x = m->g().export_secret("app key", text("ctx"), 32);
    ASSERT_TRUE(IsOk(x));
    EXPECT_TRUE(equal(x->view(), a->view())) << m->name;
  }
  auto other_label = bob.g().export_secret("other key", text("ctx"), 32);
  auto other_ctx = bob.g().export_secret("app key", text("ctx2"), 32);
  auto longer = bob.g().export_secret("app key", text("ctx"), 64);
  ASSERT_TRUE(IsOk(other_label) && IsOk(other_ctx) && IsOk(longer));
  EXPECT_FALSE(equal(other_label->view(), a->view()));
  EXPECT_FALSE(equal(other_ctx->view(), a->view()));
  EXPECT_FALSE(equal(other_ctx->view(), other_label->view()));
  EXPECT_EQ(longer->size(), 64u);
  EXPECT_FALSE(equal(longer->view().first(32), a->view()));

  // A new epoch exports new values, still the same at every member.
  ASSERT_TRUE(commit(carol, {}, {&alice, &bob}));
  auto a2 = alice.g().export_secret("app key", text("ctx"), 32);
  auto b2 = bob.g().export_secret("app key", text("ctx"), 32);
  ASSERT_TRUE(IsOk(a2) && IsOk(b2));
  EXPECT_TRUE(equal(a2->view(), b2->view()));
  EXPECT_FALSE(equal(a2->view(), a->view()));
}

// Seed 000's group controller: only the creator (leaf 0) may commit Adds.
TEST_P(MlsGroupCheapSuitesTest, CommitPolicyRefusesAddsByNonCreators) {
  config_.policy = [](const Group&, const record::Sender&, LeafIndex committer,
                      const Proposal& p) -> Status {
    if (p.type() == ProposalType::add && committer.value != 0)
      return fail(Errc::policy_violation, "only the group controller adds members");
    return ok();
  };
  Member alice = member("alice"), bob = member("bob"), carol = member("carol"),
         dave = member("dave"), erin = member("erin");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob, &carol}));

  // Bob cannot commit an Add ...
  auto dave_kp = key_package(dave);
  CommitOptions by_bob;
  by_bob.proposals.push_back(Proposal{Add{dave_kp.key_package}});
  EXPECT_TRUE(FailsWith(bob.g().commit(by_bob, rng_), Errc::policy_violation));
  EXPECT_FALSE(bob.g().has_pending_commit());
  // ... but may propose one, which the controller commits.
  auto p = bob.g().propose(Proposal{Add{dave_kp.key_package}}, rng_);
  ASSERT_TRUE(IsOk(p));
  ASSERT_TRUE(deliver_proposal(*p, {&alice, &carol}));
  // Carol cannot commit it by reference either.
  EXPECT_TRUE(FailsWith(carol.g().commit({}, rng_), Errc::policy_violation));
  CommitOutput out;
  ASSERT_TRUE(commit(alice, {}, {&bob, &carol}, &out));
  auto joined = Group::join(dave.identity, dave_kp, *out.welcome, config_);
  ASSERT_TRUE(IsOk(joined));
  dave.group.emplace(std::move(*joined));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol, &dave}));
  // Other changes stay open to every member.
  ASSERT_TRUE(commit(carol, {}, {&alice, &bob, &dave}));

  // A member that ignores the policy is refused by everyone else; nothing changes.
  GroupConfig lax = config_;
  lax.policy = nullptr;
  bob.g().set_config(lax);
  auto erin_kp = key_package(erin);
  CommitOptions rogue;
  rogue.proposals.push_back(Proposal{Add{erin_kp.key_package}});
  auto forged = bob.g().commit(rogue, rng_);
  ASSERT_TRUE(IsOk(forged));
  for (Member* m : {&alice, &carol, &dave}) {
    const Bytes before = saved(m->g());
    EXPECT_TRUE(FailsWith(m->g().process(forged->commit), Errc::policy_violation)) << m->name;
    EXPECT_EQ(saved(m->g()), before) << m->name;
  }
  bob.g().discard_pending_commit();
  ASSERT_TRUE(commit(dave, {}, {&alice, &bob, &carol}));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol, &dave}));
}

}  // namespace
}  // namespace mpsec::mls
