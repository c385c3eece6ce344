// Group::save / Group::load: a member survives a restart (it continues with the next
// commit, the next message, late messages of the past epoch, its cached proposals and its
// pending Update), and a damaged save (truncated, corrupted, with trailing bytes) is refused
// with a typed error.
#include <gtest/gtest.h>

#include "mls/group.hpp"
#include "mls/group_test_access.hpp"

namespace mpsec::mls {
namespace {

using grouptest::Member;
using grouptest::saved;
using grouptest::text;
using testutil::FailsWith;
using testutil::IsOk;

class MlsGroupStateTest : public grouptest::GroupTestBase {
 protected:
  // Replaces the member's group with what a restart would give it.
  ::testing::AssertionResult restart(Member& m) {
    const Bytes before = saved(m.g());
    auto loaded = Group::load(before, config_);
    if (!loaded) return ::testing::AssertionFailure() << "load: " << loaded.error().describe();
    const Group& a = m.g();
    const Group& b = *loaded;
    if (b.epoch() != a.epoch() || !equal(b.epoch_authenticator(), a.epoch_authenticator()) ||
        b.group_id() != a.group_id() || b.own_leaf() != a.own_leaf() || b.active() != a.active() ||
        *b.tree_hash() != *a.tree_hash() || b.context() != a.context() ||
        b.suite().code() != a.suite().code() ||
        b.cached_proposals().size() != a.cached_proposals().size() ||
        !equal(b.resumption_psk(), a.resumption_psk()))
      return ::testing::AssertionFailure() << "the loaded group differs";
    if (a.active()) {
      auto ea = a.export_secret("restart", text("ctx"), 32);
      auto eb = b.export_secret("restart", text("ctx"), 32);
      if (!ea || !eb || !equal(ea->view(), eb->view()))
        return ::testing::AssertionFailure() << "the loaded group exports other secrets";
    }
    if (saved(b) != before) return ::testing::AssertionFailure() << "save(load(s)) != s";
    m.group.emplace(std::move(*loaded));
    return ::testing::AssertionSuccess();
  }

  // Where the fields a corruption test aims at lie in a save (see group_codec.cpp).
  struct Layout {
    std::size_t signer_key = 0;
    std::size_t active = 0;
    std::size_t reinit = 0;
    std::size_t context_suite = 0;
    std::size_t tree_hash = 0;
    std::size_t own_leaf = 0;
  };
  static Result<Layout> layout(ByteView s) {
    Layout l;
    codec::Reader r(s);
    MPSEC_TRY(r.u16());  // format
    MPSEC_TRY(r.u16());  // cipher suite
    const auto key = MPSEC_TRY(r.opaque());
    l.signer_key = r.position() - key.size();
    l.active = r.position();
    MPSEC_TRY(r.u8());
    l.reinit = r.position();
    MPSEC_ENSURE(MPSEC_TRY(r.u8()) == 0, Errc::invalid_argument, "a reinit is saved");
    MPSEC_TRY(r.u16());  // GroupContext.version
    l.context_suite = r.position();
    MPSEC_TRY(r.u16());
    MPSEC_TRY(r.opaque());  // group_id
    MPSEC_TRY(r.u64());     // epoch
    const auto th = MPSEC_TRY(r.opaque());
    l.tree_hash = r.position() - th.size();
    MPSEC_TRY(r.opaque());  // confirmed_transcript_hash
    MPSEC_TRY(r.opaque());  // extensions
    MPSEC_TRY(r.opaque());  // the ratchet tree
    l.own_leaf = r.position();
    return l;
  }
  static void put_u16(Bytes& b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
  }
  static void put_u32(Bytes& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
      b[at + i] = static_cast<std::uint8_t>(v >> (8 * (3 - i)));
  }

  // alice (0), bob (1), carol (2) in epoch 1.
  ::testing::AssertionResult setup() {
    if (auto r = create(alice); !r) return r;
    return add(alice, {&bob, &carol});
  }

  Member alice = member("alice"), bob = member("bob"), carol = member("carol"),
         dave = member("dave"), erin = member("erin");
};

INSTANTIATE_TEST_SUITE_P(AllSuites, MlsGroupStateTest, ::testing::Values(1, 2, 3, 4, 5, 6, 7),
                         grouptest::suite_name);

class MlsGroupStateCheapTest : public MlsGroupStateTest {};
INSTANTIATE_TEST_SUITE_P(Suites, MlsGroupStateCheapTest, ::testing::Values(1, 2, 3),
                         grouptest::suite_name);

TEST_P(MlsGroupStateTest, LoadedGroupContinues) {
  ASSERT_TRUE(setup());
  // A message of this epoch that arrives after the next commit.
  auto late = carol.g().protect(text("late"), rng_);
  ASSERT_TRUE(IsOk(late));
  ASSERT_TRUE(commit(alice, {}, {&bob, &carol}));
  // Bob has a pending Update and a cached Add of dave.
  auto update = bob.g().update_proposal(rng_);
  ASSERT_TRUE(IsOk(update));
  auto p1 = bob.g().propose(*update, rng_);
  ASSERT_TRUE(IsOk(p1));
  auto dave_kp = key_package(dave);
  auto p2 = carol.g().propose(Proposal{Add{dave_kp.key_package}}, rng_);
  ASSERT_TRUE(IsOk(p2));
  ASSERT_TRUE(deliver_proposal(*p1, {&alice, &carol}));
  ASSERT_TRUE(deliver_proposal(*p2, {&alice, &bob}));

  ASSERT_TRUE(restart(bob));
  EXPECT_EQ(bob.g().cached_proposals().size(), 2u);
  // The past epoch came along.
  auto got_late = bob.g().process(*late);
  ASSERT_TRUE(IsOk(got_late));
  EXPECT_EQ(std::get<ApplicationMessage>(*got_late).data, text("late"));

  // The next commit covers bob's Update (its private key came along) and the Add.
  CommitOutput out;
  ASSERT_TRUE(commit(alice, {}, {&bob, &carol}, &out));
  EXPECT_EQ(alice.g().tree().leaf_node(bob.g().own_leaf())->encryption_key,
            std::get<Update>(update->body).leaf_node.encryption_key);
  auto joined = Group::join(dave.identity, dave_kp, *out.welcome, config_);
  ASSERT_TRUE(IsOk(joined));
  dave.group.emplace(std::move(*joined));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol, &dave}));
  ASSERT_TRUE(talk(alice, {&bob, &carol, &dave}));
  ASSERT_TRUE(talk(bob, {&alice, &carol, &dave}));

  // A member restarted right after joining, and a member that joined externally.
  ASSERT_TRUE(restart(dave));
  auto info = carol.g().group_info(true, true, rng_);
  ASSERT_TRUE(IsOk(info));
  auto ext = Group::join_external(erin.identity, *info, config_, rng_);
  ASSERT_TRUE(IsOk(ext));
  erin.group.emplace(std::move(ext->group));
  ASSERT_TRUE(restart(erin));
  ASSERT_TRUE(deliver(ext->commit, {&alice, &bob, &carol, &dave}));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol, &dave, &erin}));

  // Everyone restarts, then the group goes on.
  for (Member* m : {&alice, &bob, &carol, &dave, &erin})
    ASSERT_TRUE(restart(*m)) << m->name;
  ASSERT_TRUE(commit(bob, {}, {&alice, &carol, &dave, &erin}));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol, &dave, &erin}));
  ASSERT_TRUE(talk(erin, {&alice, &bob, &carol, &dave}));
}

TEST_P(MlsGroupStateCheapTest, ReadKeysStayConsumedAcrossRestart) {
  ASSERT_TRUE(setup());
  auto m1 = alice.g().protect(text("one"), rng_);
  auto m2 = alice.g().protect(text("two"), rng_);
  ASSERT_TRUE(IsOk(m1) && IsOk(m2));
  ASSERT_TRUE(IsOk(bob.g().process(*m2)));
  ASSERT_TRUE(restart(bob));
  EXPECT_TRUE(FailsWith(bob.g().process(*m2), Errc::replay));
  EXPECT_TRUE(IsOk(bob.g().process(*m1)));  // the skipped key came along
  EXPECT_TRUE(FailsWith(bob.g().process(*m1), Errc::replay));
  // A sender restarted does not reuse its generations.
  ASSERT_TRUE(restart(alice));
  auto m3 = alice.g().protect(text("three"), rng_);
  ASSERT_TRUE(IsOk(m3));
  auto got = bob.g().process(*m3);
  ASSERT_TRUE(IsOk(got));
  EXPECT_EQ(std::get<ApplicationMessage>(*got).generation, 2u);
}

TEST_P(MlsGroupStateCheapTest, PendingCommitIsNotSaved) {
  ASSERT_TRUE(setup());
  auto mine = alice.g().commit({}, rng_);
  ASSERT_TRUE(IsOk(mine));
  ASSERT_TRUE(alice.g().has_pending_commit());
  ASSERT_TRUE(restart(alice));
  EXPECT_FALSE(alice.g().has_pending_commit());
  EXPECT_EQ(alice.g().epoch(), 1u);
  // The delivery service ordered bob's commit first: the restarted alice follows it.
  ASSERT_TRUE(commit(bob, {}, {&alice, &carol}));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol}));
}

TEST_P(MlsGroupStateCheapTest, RemovedMemberLoadsInactive) {
  ASSERT_TRUE(setup());
  auto late = alice.g().protect(text("sent before bob left"), rng_);
  ASSERT_TRUE(IsOk(late));
  ASSERT_TRUE(commit(alice, grouptest::proposing({Proposal{Remove{bob.g().own_leaf().value}}}),
                     {&bob, &carol}));
  ASSERT_FALSE(bob.g().active());
  auto loaded = Group::load(saved(bob.g()), config_);
  ASSERT_TRUE(IsOk(loaded));
  EXPECT_FALSE(loaded->active());
  EXPECT_EQ(saved(*loaded), saved(bob.g()));
  auto m = alice.g().protect(text("after bob"), rng_);
  ASSERT_TRUE(IsOk(m));
  auto c = alice.g().commit({}, rng_);
  ASSERT_TRUE(IsOk(c));
  EXPECT_TRUE(FailsWith(loaded->process(*m), Errc::unknown_epoch));
  EXPECT_TRUE(FailsWith(loaded->process(c->commit), Errc::invalid_state));
  EXPECT_TRUE(FailsWith(loaded->protect(text("x"), rng_), Errc::invalid_state));
  EXPECT_TRUE(FailsWith(loaded->commit({}, rng_), Errc::invalid_state));
  EXPECT_TRUE(FailsWith(loaded->propose(Proposal{Remove{0}}, rng_), Errc::invalid_state));
  EXPECT_TRUE(FailsWith(loaded->export_secret("x", {}, 32), Errc::invalid_state));
  // Late messages of its last epoch it still reads, as before the restart.
  auto got = loaded->process(*late);
  ASSERT_TRUE(IsOk(got));
  EXPECT_EQ(std::get<ApplicationMessage>(*got).data, text("sent before bob left"));
}

TEST_P(MlsGroupStateCheapTest, TruncatedSaveIsRefused) {
  ASSERT_TRUE(setup());
  ASSERT_TRUE(commit(bob, {}, {&alice, &carol}));
  const Bytes s = saved(bob.g());
  for (std::size_t n = 0; n < s.size(); n += (n < 300 ? 1 : 13))
    EXPECT_TRUE(FailsWith(Group::load(ByteView(s).first(n), config_), Errc::decode_error)) << n;
  EXPECT_TRUE(FailsWith(Group::load(ByteView(s).first(s.size() - 1), config_), Errc::decode_error));
  EXPECT_TRUE(IsOk(Group::load(s, config_)));
}

TEST_P(MlsGroupStateCheapTest, SaveWithTrailingBytesIsRefused) {
  ASSERT_TRUE(setup());
  const Bytes s = saved(carol.g());
  for (std::size_t extra : {1, 2, 100}) {
    Bytes longer = s;
    longer.resize(s.size() + extra, 0);
    EXPECT_TRUE(FailsWith(Group::load(longer, config_), Errc::trailing_data)) << extra;
  }
}

TEST_P(MlsGroupStateCheapTest, CorruptedSaveIsRefused) {
  ASSERT_TRUE(setup());
  ASSERT_TRUE(commit(carol, {}, {&alice, &bob}));
  const Bytes s = saved(bob.g());
  auto l = layout(s);
  ASSERT_TRUE(IsOk(l));
  auto load = [&](const Bytes& b) { return Group::load(b, config_); };

  Bytes b = s;
  put_u16(b, 0, 2);  // a format this version does not know
  EXPECT_TRUE(FailsWith(load(b), Errc::unsupported));
  b = s;
  put_u16(b, 2, 0x0042);  // no such cipher suite
  EXPECT_TRUE(FailsWith(load(b), Errc::unsupported));
  b = s;
  b[l->signer_key + 3] ^= 0x10;  // a signing key that is not the own leaf's
  EXPECT_TRUE(FailsWith(load(b), Errc::decode_error));
  b = s;
  b[l->active] = 2;
  EXPECT_TRUE(FailsWith(load(b), Errc::decode_error));
  b = s;
  b[l->reinit] = 2;
  EXPECT_TRUE(FailsWith(load(b), Errc::decode_error));
  b = s;
  b[l->tree_hash] ^= 1;  // the context does not describe the saved tree
  EXPECT_TRUE(FailsWith(load(b), Errc::decode_error));
  b = s;
  put_u32(b, l->own_leaf, 7);  // a leaf outside the tree
  EXPECT_TRUE(FailsWith(load(b), Errc::decode_error));
  b = s;
  put_u32(b, l->own_leaf, alice.g().own_leaf().value);  // someone else's leaf
  EXPECT_TRUE(FailsWith(load(b), Errc::decode_error));

  // Whatever byte is damaged, load either refuses with a typed error or gives a group; it
  // never crashes (the sanitizer build checks that too).
  for (std::size_t i = 0; i < s.size(); i += 11) {
    b = s;
    b[i] ^= 0x5a;
    auto r = load(b);
    if (!r) {
      EXPECT_NE(r.error().code, Errc::internal) << i << ": " << r.error().describe();
    }
  }
  EXPECT_TRUE(IsOk(load(s)));
}

// A save names its cipher suite twice (the state's and the GroupContext's); they must agree,
// or the loaded group would speak another suite than the rest of the group. Suites 1 and 3
// (and 4 and 6) share every key format, so only this check can tell them apart.
TEST_P(MlsGroupStateCheapTest, SaveWithAnotherCipherSuiteIsRefused) {
  ASSERT_TRUE(setup());
  const Bytes s = saved(bob.g());
  auto l = layout(s);
  ASSERT_TRUE(IsOk(l));
  const std::uint16_t code = GetParam();
  const std::uint16_t twin = code == 1 ? 3 : code == 3 ? 1 : code == 4 ? 6 : code == 6 ? 4 : 0;
  Bytes b = s;
  put_u16(b, l->context_suite, twin != 0 ? twin : (code == 1 ? 2 : 1));
  EXPECT_TRUE(FailsWith(Group::load(b, config_), Errc::decode_error));
  if (twin != 0) {
    b = s;
    put_u16(b, 2, twin);
    EXPECT_TRUE(FailsWith(Group::load(b, config_), Errc::decode_error));
  }
}

}  // namespace
}  // namespace mpsec::mls
