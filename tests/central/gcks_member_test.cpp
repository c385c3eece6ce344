// The centralized mode working end to end in memory: registration, admission, group data,
// batch rekeys on joins and leaves, ejection, deregistration, restart from the journal, both
// key graphs and several suites.
#include <gtest/gtest.h>

#include "central_sim.hpp"

namespace mpsec::central {
namespace {

using sim::b;
using sim::CentralSim;
using sim::str;
using sim::test_config;

class CentralGroup : public ::testing::TestWithParam<std::tuple<KeyGraphType, std::uint16_t>> {
 protected:
  GroupConfig config() const {
    return test_config(std::get<0>(GetParam()), std::get<1>(GetParam()));
  }
};

void expect_same_group_key(CentralSim& s) {
  std::optional<Bytes> key;
  for (auto& m : s.members()) {
    if (m->member->state() != MemberState::active) continue;
    auto gk = m->member->group_key();
    ASSERT_TRUE(gk.has_value());
    Bytes k = to_bytes(gk->key.view());
    if (!key) key = k;
    EXPECT_EQ(*key, k) << m->name;
  }
}

TEST_P(CentralGroup, FiveMembersJoinAndExchangeMessages) {
  CentralSim s(config());
  for (const char* n : {"alice", "bob", "carol", "dave", "erin"}) {
    auto& m = s.add(n);
    s.join(m);
    ASSERT_EQ(m.member->state(), MemberState::active) << n;
  }
  s.step(Duration(10));
  EXPECT_TRUE(s.converged());
  EXPECT_EQ(s.gcks().members().size(), 5u);
  expect_same_group_key(s);
  auto& alice = *s.members()[0];
  s.send(alice, "hello group");
  for (auto& m : s.members()) {
    if (m.get() == &alice) continue;
    ASSERT_EQ(m->received.size(), 1u) << m->name;
    EXPECT_EQ(str(m->received[0].plaintext), "hello group");
    EXPECT_EQ(m->received[0].sender.value, alice.member->slot());
  }
}

TEST_P(CentralGroup, AnEjectedMemberCannotReadWhatFollows) {
  CentralSim s(config());
  auto& alice = s.add("alice");
  auto& bob = s.add("bob");
  auto& mallory = s.add("mallory");
  for (auto* m : {&alice, &bob, &mallory})
    s.join(*m);
  s.send(alice, "before");
  EXPECT_EQ(mallory.received.size(), 1u);
  auto out = s.gcks().eject(mallory.member->slot(), s.now());
  ASSERT_TRUE(out.has_value()) << out.error().describe();
  s.route(std::move(*out));
  s.deliver_multicast();
  EXPECT_EQ(mallory.member->state(), MemberState::departed);
  EXPECT_TRUE(mallory.has_event(MemberEvent::Kind::departed));
  // Even a copy of mallory that ignored the ejection and kept its keys cannot read.
  s.send(alice, "after");
  EXPECT_EQ(bob.received.size(), 2u);
  EXPECT_EQ(mallory.received.size(), 1u);
}

TEST_P(CentralGroup, ALateJoinerCannotReadWhatCameBefore) {
  CentralSim s(config());
  auto& alice = s.add("alice");
  auto& bob = s.add("bob");
  s.join(alice);
  s.join(bob);
  const Bytes early = s.send(alice, "before carol");
  auto& carol = s.add("carol");
  s.join(carol);
  ASSERT_EQ(carol.member->state(), MemberState::active);
  auto r = carol.member->handle(early, s.now());
  EXPECT_FALSE(r.has_value());
  s.send(alice, "after carol");
  ASSERT_EQ(carol.received.size(), 1u);
  EXPECT_EQ(str(carol.received[0].plaintext), "after carol");
}

TEST_P(CentralGroup, DeregistrationRemovesTheMember) {
  CentralSim s(config());
  auto& alice = s.add("alice");
  auto& bob = s.add("bob");
  s.join(alice);
  s.join(bob);
  auto req = bob.member->deregister();
  ASSERT_TRUE(req.has_value());
  s.to_gcks(bob, *req);
  s.run();
  EXPECT_EQ(bob.member->state(), MemberState::departed);
  EXPECT_EQ(s.gcks().members().size(), 1u);
  s.deliver_multicast();
  s.send(alice, "bob is gone");
  EXPECT_TRUE(bob.received.empty());
}

TEST_P(CentralGroup, TheGcksRestartsFromItsJournal) {
  CentralSim s(config());
  auto& alice = s.add("alice");
  auto& bob = s.add("bob");
  s.join(alice);
  s.join(bob);
  const std::uint64_t seq = s.gcks().seq();
  s.restart_gcks();
  EXPECT_EQ(s.gcks().seq(), seq);
  EXPECT_EQ(s.gcks().members().size(), 2u);
  auto& carol = s.add("carol");
  s.join(carol);
  s.deliver_multicast();
  EXPECT_GT(s.gcks().seq(), seq);
  EXPECT_TRUE(s.converged());
  expect_same_group_key(s);
  s.send(carol, "after the restart");
  EXPECT_EQ(alice.received.size(), 1u);
  EXPECT_EQ(bob.received.size(), 1u);
  // Resynchronisation works with the restored Registration SAs.
  auto out = s.gcks().eject(bob.member->slot(), s.now());
  ASSERT_TRUE(out.has_value());
  s.route(std::move(*out));
  s.deliver_multicast();
  EXPECT_EQ(bob.member->state(), MemberState::departed);
}

TEST_P(CentralGroup, AMemberOffTheAllowListIsRefused) {
  CentralSim s(config());
  auto& eve = s.add("eve", Role::sender, /*allowed=*/false);
  s.join(eve);
  EXPECT_EQ(eve.member->state(), MemberState::refused);
  EXPECT_TRUE(eve.has_event(MemberEvent::Kind::refused));
  EXPECT_EQ(s.gcks().counters().refused, 1u);
  EXPECT_TRUE(s.gcks().members().empty());
}

TEST_P(CentralGroup, AReceiverMayNotAskToSend) {
  CentralSim s(config());
  auto& r = s.add("reader", Role::receiver);
  s.join(r);
  ASSERT_EQ(r.member->state(), MemberState::active);
  EXPECT_FALSE(r.member->protect(b("x")).has_value());
  // The allow-list grants receiver only: asking for sender is refused.
  auto& greedy = s.add("greedy", Role::receiver);
  MemberConfig mc{test_config().group_id,
                  config().cipher_suite,
                  schedule::Credential::basic(b("greedy")),
                  *greedy.key,
                  Role::sender,
                  false,
                  s.gcks_key().verify_key().bytes(),
                  Duration(200)};
  greedy.member = std::move(*Member::create(std::move(mc), s.rng()));
  s.join(greedy);
  EXPECT_EQ(greedy.member->state(), MemberState::refused);
}

TEST_P(CentralGroup, UnicastMembersFollowRekeysWithoutMulticast) {
  CentralSim s(config());
  auto& alice = s.add("alice");
  auto& bob = s.add("bob", Role::sender, true, /*unicast=*/true);
  auto& carol = s.add("carol");
  for (auto* m : {&alice, &bob, &carol})
    s.join(*m);
  auto out = s.gcks().eject(carol.member->slot(), s.now());
  ASSERT_TRUE(out.has_value());
  s.route(std::move(*out));
  s.run();
  s.deliver_multicast();
  EXPECT_EQ(bob.member->seq(), s.gcks().seq());
  EXPECT_EQ(alice.member->seq(), s.gcks().seq());
}

TEST_P(CentralGroup, BatchedJoinsShareOneRekey) {
  GroupConfig c = config();
  c.batch_interval = Duration(500);
  CentralSim s(c);
  std::vector<sim::SimMember*> ms;
  for (int i = 0; i < 6; ++i)
    ms.push_back(&s.add("m" + std::to_string(i)));
  for (auto* m : ms)
    s.join(*m);
  // Nobody is admitted before the batch rekey.
  for (auto* m : ms)
    EXPECT_EQ(m->member->state(), MemberState::registering);
  const std::uint64_t before = s.gcks().seq();
  s.step(Duration(600));
  EXPECT_EQ(s.gcks().seq(), before + 1);
  for (auto* m : ms)
    EXPECT_EQ(m->member->state(), MemberState::active);
  expect_same_group_key(s);
}

TEST_P(CentralGroup, PeriodicRefreshChangesTheGroupKey) {
  GroupConfig c = config();
  c.rekey_interval = Duration(5'000);
  CentralSim s(c);
  auto& alice = s.add("alice");
  auto& bob = s.add("bob");
  s.join(alice);
  s.join(bob);
  const Bytes key = to_bytes(alice.member->group_key()->key.view());
  const std::uint64_t seq = s.gcks().seq();
  for (int i = 0; i < 6; ++i)
    s.step(Duration(1'000));
  EXPECT_GT(s.gcks().seq(), seq);
  EXPECT_NE(to_bytes(alice.member->group_key()->key.view()), key);
  EXPECT_TRUE(s.converged());
  expect_same_group_key(s);
}

INSTANTIATE_TEST_SUITE_P(Graphs, CentralGroup,
                         ::testing::Values(std::tuple{KeyGraphType::lkh, std::uint16_t{1}},
                                           std::tuple{KeyGraphType::flat, std::uint16_t{1}},
                                           std::tuple{KeyGraphType::lkh, std::uint16_t{2}},
                                           std::tuple{KeyGraphType::lkh, std::uint16_t{3}},
                                           std::tuple{KeyGraphType::flat, std::uint16_t{7}}),
                         [](const auto& param_info) {
                           return std::string(std::get<0>(param_info.param) == KeyGraphType::lkh
                                                  ? "lkh"
                                                  : "flat") +
                                  "_suite" + std::to_string(std::get<1>(param_info.param));
                         });

}  // namespace
}  // namespace mpsec::central
