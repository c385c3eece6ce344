// The MLS group: creation, adds by Welcome, application messages, updates, removes,
// external joins, proposals by reference, PSKs, and the negative cases of RFC 9420 §12.
#include "mls/group.hpp"

#include <gtest/gtest.h>

#include "base/test_support.hpp"
#include "crypto/test_random.hpp"
#include "mls/messages.hpp"

namespace mpsec::mls {
namespace {

using testutil::FailsWith;
using testutil::IsOk;

Bytes text(std::string_view s) {
  return to_bytes(as_bytes(s));
}

struct Client {
  Identity identity;
  std::optional<Group> group;
};

class MlsGroupTest : public ::testing::TestWithParam<std::uint16_t> {
 protected:
  crypto::CipherSuite suite() const { return *crypto::CipherSuite::from_code(GetParam()); }

  Client client(std::string_view name) {
    return Client{*Identity::generate(suite(), Credential::basic(text(name)), rng_), std::nullopt};
  }
  KeyPackageBundle key_package(const Client& c) {
    auto kp =
        create_key_package(c.identity, KeyPackageOptions{{0, UINT64_MAX}, false, {}, {}}, rng_);
    EXPECT_TRUE(IsOk(kp));
    return std::move(*kp);
  }
  // `committer` adds `joiner` and both sides (and every other listed member) move on.
  void add(Client& committer, Client& joiner, std::vector<Client*> others = {}) {
    auto kp = key_package(joiner);
    CommitOptions options;
    options.proposals.push_back(Proposal{Add{kp.key_package}});
    auto out = committer.group->commit(options, rng_);
    ASSERT_TRUE(IsOk(out));
    ASSERT_TRUE(out->welcome.has_value());
    for (Client* o : others) {
      auto staged = o->group->process(out->commit);
      ASSERT_TRUE(IsOk(staged));
      ASSERT_TRUE(IsOk(o->group->merge(std::move(std::get<StagedCommit>(*staged)))));
    }
    ASSERT_TRUE(IsOk(committer.group->merge_pending_commit()));
    auto joined = Group::join(joiner.identity, kp, *out->welcome, config_);
    ASSERT_TRUE(IsOk(joined));
    joiner.group.emplace(std::move(*joined));
    EXPECT_EQ(joiner.group->epoch(), committer.group->epoch());
    EXPECT_TRUE(equal(joiner.group->epoch_authenticator(), committer.group->epoch_authenticator()));
  }
  void deliver_commit(const Bytes& commit, std::vector<Client*> to) {
    for (Client* c : to) {
      auto staged = c->group->process(commit);
      ASSERT_TRUE(IsOk(staged));
      ASSERT_TRUE(std::holds_alternative<StagedCommit>(*staged));
      ASSERT_TRUE(IsOk(c->group->merge(std::move(std::get<StagedCommit>(*staged)))));
    }
  }
  void expect_same_epoch(std::vector<Client*> cs) {
    for (Client* c : cs) {
      EXPECT_EQ(c->group->epoch(), cs[0]->group->epoch());
      EXPECT_TRUE(equal(c->group->epoch_authenticator(), cs[0]->group->epoch_authenticator()));
      EXPECT_EQ(*c->group->tree_hash(), *cs[0]->group->tree_hash());
    }
  }

  crypto::SeededRandom rng_{1234};
  GroupConfig config_;
};

INSTANTIATE_TEST_SUITE_P(AllSuites, MlsGroupTest, ::testing::Values(1, 2, 3, 4, 5, 6, 7),
                         [](const auto& p) { return "Suite" + std::to_string(p.param); });

TEST_P(MlsGroupTest, CreateAddExchangeUpdateRemove) {
  Client alice = client("alice"), bob = client("bob"), carol = client("carol");
  auto g = Group::create(alice.identity, text("group-1"), config_, rng_);
  ASSERT_TRUE(IsOk(g));
  alice.group.emplace(std::move(*g));
  add(alice, bob);
  add(bob, carol, {&alice});
  expect_same_epoch({&alice, &bob, &carol});

  // Application messages both ways.
  auto m = alice.group->protect(text("hello"), rng_, text("ad"));
  ASSERT_TRUE(IsOk(m));
  for (Client* c : {&bob, &carol}) {
    auto got = c->group->process(*m);
    ASSERT_TRUE(IsOk(got));
    const auto& app = std::get<ApplicationMessage>(*got);
    EXPECT_EQ(app.data, text("hello"));
    EXPECT_EQ(app.sender, alice.group->own_leaf());
    EXPECT_EQ(app.authenticated_data, text("ad"));
  }
  // An empty commit with a path (an update of carol's keys).
  auto up = carol.group->commit({}, rng_);
  ASSERT_TRUE(IsOk(up));
  deliver_commit(up->commit, {&alice, &bob});
  ASSERT_TRUE(IsOk(carol.group->merge_pending_commit()));
  expect_same_epoch({&alice, &bob, &carol});

  // Alice removes Bob; Bob learns he is out, and cannot read what follows.
  CommitOptions rm;
  rm.proposals.push_back(Proposal{Remove{bob.group->own_leaf().value}});
  auto out = alice.group->commit(rm, rng_);
  ASSERT_TRUE(IsOk(out));
  deliver_commit(out->commit, {&carol});
  auto bob_view = bob.group->process(out->commit);
  ASSERT_TRUE(IsOk(bob_view));
  EXPECT_TRUE(std::get<StagedCommit>(*bob_view).self_removed());
  ASSERT_TRUE(IsOk(bob.group->merge(std::move(std::get<StagedCommit>(*bob_view)))));
  EXPECT_FALSE(bob.group->active());
  ASSERT_TRUE(IsOk(alice.group->merge_pending_commit()));
  expect_same_epoch({&alice, &carol});
  auto secret = alice.group->protect(text("after bob"), rng_);
  ASSERT_TRUE(IsOk(secret));
  EXPECT_TRUE(IsOk(carol.group->process(*secret)));
  EXPECT_FALSE(bob.group->process(*secret).has_value());
}

}  // namespace
}  // namespace mpsec::mls
