// Reinitialisation, branching (RFC 9420 §11.2-11.3) and proposals from outside the group
// (§12.1.8).
#include <gtest/gtest.h>

#include "mls/extensions.hpp"
#include "mls/group_test_access.hpp"

namespace mpsec::mls {
namespace {

using grouptest::GroupTestBase;
using grouptest::Member;
using testutil::FailsWith;
using testutil::IsOk;

class MlsResumptionTest : public GroupTestBase {};
INSTANTIATE_TEST_SUITE_P(Suites, MlsResumptionTest, ::testing::Values(1, 2),
                         [](const auto& p) { return "Suite" + std::to_string(p.param); });

TEST_P(MlsResumptionTest, ReInitMovesTheGroupToANewSuiteWithTheSameMembers) {
  Member alice = member("alice"), bob = member("bob"), carol = member("carol");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob, &carol}));
  const std::uint16_t new_suite = GetParam() == 1 ? 3 : 7;
  ReInit r{grouptest::text("group-v2"), record::kProtocolVersionMls10, new_suite, {}};
  ASSERT_TRUE(commit(bob, grouptest::proposing({Proposal{r}}), {&alice, &carol}));
  for (Member* m : {&alice, &bob, &carol}) {
    ASSERT_TRUE(m->g().reinit_parameters().has_value());
    EXPECT_TRUE(FailsWith(m->g().protect(grouptest::text("x"), rng_), Errc::invalid_state));
  }
  // Alice recreates the group in the new suite; Bob and Carol join and check it against the
  // old group.
  const auto cs = *crypto::CipherSuite::from_code(new_suite);
  auto new_id = [&](std::string_view n) {
    return *Identity::generate(cs, Credential::basic(grouptest::text(n)), rng_);
  };
  Identity a2 = new_id("alice"), b2 = new_id("bob"), c2 = new_id("carol");
  KeyPackageOptions kpo{{0, UINT64_MAX}, false, {}, {}};
  auto bkp = *create_key_package(b2, kpo, rng_);
  auto ckp = *create_key_package(c2, kpo, rng_);
  const KeyPackage kps[] = {bkp.key_package, ckp.key_package};
  auto resumed = alice.g().reinitialize(a2, kps, config_, rng_);
  ASSERT_TRUE(IsOk(resumed));
  EXPECT_EQ(resumed->group.epoch(), 1u);
  EXPECT_EQ(resumed->group.suite().code(), new_suite);
  auto b = bob.g().join_resumed(b2, bkp, resumed->welcome, config_);
  auto c = carol.g().join_resumed(c2, ckp, resumed->welcome, config_);
  ASSERT_TRUE(IsOk(b));
  ASSERT_TRUE(IsOk(c));
  EXPECT_TRUE(equal(b->epoch_authenticator(), resumed->group.epoch_authenticator()));
  // Without the old group's resumption PSK the Welcome cannot be opened.
  EXPECT_TRUE(FailsWith(Group::join(b2, bkp, resumed->welcome, config_), Errc::not_found));
}

TEST_P(MlsResumptionTest, ReInitWithOtherMembersIsRefusedByJoiners) {
  Member alice = member("alice"), bob = member("bob"), carol = member("carol"),
         mallory = member("mallory");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob, &carol}));
  ReInit r{grouptest::text("group-v2"), record::kProtocolVersionMls10, GetParam(), {}};
  ASSERT_TRUE(commit(alice, grouptest::proposing({Proposal{r}}), {&bob, &carol}));
  // Alice leaves Carol out and brings Mallory in instead.
  auto bkp = key_package(bob);
  auto mkp = key_package(mallory);
  const KeyPackage kps[] = {bkp.key_package, mkp.key_package};
  auto resumed = alice.g().reinitialize(alice.identity, kps, config_, rng_);
  ASSERT_TRUE(IsOk(resumed));
  EXPECT_TRUE(FailsWith(bob.g().join_resumed(bob.identity, bkp, resumed->welcome, config_),
                        Errc::policy_violation));
}

TEST_P(MlsResumptionTest, BranchMakesASubgroupOfMembers) {
  Member alice = member("alice"), bob = member("bob"), carol = member("carol");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob, &carol}));
  auto bkp = key_package(bob);
  const KeyPackage kps[] = {bkp.key_package};
  auto sub = alice.g().branch(alice.identity, grouptest::text("subgroup"), kps, config_, rng_);
  ASSERT_TRUE(IsOk(sub));
  auto b = bob.g().join_resumed(bob.identity, bkp, sub->welcome, config_);
  ASSERT_TRUE(IsOk(b));
  EXPECT_EQ(b->epoch(), 1u);
  EXPECT_TRUE(equal(b->epoch_authenticator(), sub->group.epoch_authenticator()));
  // The old group goes on.
  ASSERT_TRUE(talk(carol, {&alice, &bob}));
}

TEST_P(MlsResumptionTest, BranchWithAnOutsiderIsRefused) {
  Member alice = member("alice"), bob = member("bob"), eve = member("eve");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob}));
  auto bkp = key_package(bob);
  auto ekp = key_package(eve);
  const KeyPackage kps[] = {bkp.key_package, ekp.key_package};
  auto sub = alice.g().branch(alice.identity, grouptest::text("subgroup"), kps, config_, rng_);
  ASSERT_TRUE(IsOk(sub));
  EXPECT_TRUE(FailsWith(bob.g().join_resumed(bob.identity, bkp, sub->welcome, config_),
                        Errc::policy_violation));
}

TEST_P(MlsResumptionTest, ExternalSenderProposesAndAMemberCommits) {
  Member alice = member("alice"), bob = member("bob"), carol = member("carol");
  // A delivery service with its own key is the group's external sender.
  auto ds = *crypto::SigningKey::generate(suite().sig(), rng_);
  std::vector<ExternalSender> senders{
      {ds.verify_key().bytes(), Credential::basic(grouptest::text("ds"))}};
  std::vector<Extension> ext{
      {static_cast<std::uint16_t>(ExtensionType::external_senders), *codec::encode(senders)}};
  auto g = Group::create(alice.identity, grouptest::text("group"), config_, rng_, ext);
  ASSERT_TRUE(IsOk(g));
  alice.group.emplace(std::move(*g));
  ASSERT_TRUE(add(alice, {&bob, &carol}));
  auto p = external_proposal(suite(), ds, 0, alice.g().group_id(), alice.g().epoch(),
                             Proposal{Remove{carol.g().own_leaf().value}});
  ASSERT_TRUE(IsOk(p));
  ASSERT_TRUE(deliver_proposal(*p, {&alice, &bob, &carol}));
  ASSERT_TRUE(commit(bob, {}, {&alice, &carol}));
  EXPECT_FALSE(carol.g().active());
  ASSERT_TRUE(same_epoch({&alice, &bob}));
  // An unknown external sender index, or another key, is refused.
  auto bad = external_proposal(suite(), ds, 3, alice.g().group_id(), alice.g().epoch(),
                               Proposal{Remove{bob.g().own_leaf().value}});
  EXPECT_TRUE(FailsWith(alice.g().process(*bad), Errc::unknown_sender));
  auto other = *crypto::SigningKey::generate(suite().sig(), rng_);
  auto forged = external_proposal(suite(), other, 0, alice.g().group_id(), alice.g().epoch(),
                                  Proposal{Remove{bob.g().own_leaf().value}});
  EXPECT_TRUE(FailsWith(alice.g().process(*forged), Errc::authentication_failed));
}

TEST_P(MlsResumptionTest, NewMemberProposesItsOwnAdd) {
  Member alice = member("alice"), bob = member("bob"), dave = member("dave");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob}));
  auto kp = key_package(dave);
  auto p = new_member_proposal(suite(), dave.identity.signing_key, kp.key_package,
                               alice.g().group_id(), alice.g().epoch());
  ASSERT_TRUE(IsOk(p));
  ASSERT_TRUE(deliver_proposal(*p, {&alice, &bob}));
  CommitOutput out;
  ASSERT_TRUE(commit(alice, {}, {&bob}, &out));
  ASSERT_TRUE(out.welcome.has_value());
  auto joined = Group::join(dave.identity, kp, *out.welcome, config_);
  ASSERT_TRUE(IsOk(joined));
  EXPECT_TRUE(equal(joined->epoch_authenticator(), alice.g().epoch_authenticator()));
}

}  // namespace
}  // namespace mpsec::mls
