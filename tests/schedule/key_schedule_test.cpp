// The RFC 9420 §8 key schedule: members that start from the same inputs agree, every input
// changes every secret it feeds, the joiner path equals the member path, the exporter binds
// label, context and length, and PSKs enter in order. PreSharedKeyID is strictly decoded.
#include "schedule/key_schedule.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "base/test_support.hpp"
#include "schedule/group_context.hpp"
#include "schedule/psk.hpp"

namespace mpsec::schedule {
namespace {

using crypto::CipherSuite;
using testutil::FailsWith;
using testutil::hex;
using testutil::IsOk;

const CipherSuite& suite1() {
  static const CipherSuite s = *CipherSuite::from_code(1);
  return s;
}

SecretBytes pattern(std::size_t size, std::uint8_t seed) {
  SecretBytes s(size);
  for (std::size_t i = 0; i < size; ++i)
    s.data()[i] = static_cast<std::uint8_t>(seed * 13 + i);
  return s;
}

Bytes group_context(const CipherSuite& suite, std::uint64_t epoch, std::uint8_t tree = 1) {
  GroupContext gc;
  gc.cipher_suite = suite.code();
  gc.group_id = Bytes{'g', 'r', 'o', 'u', 'p'};
  gc.epoch = epoch;
  gc.tree_hash = Bytes(suite.hash_size(), tree);
  gc.confirmed_transcript_hash = Bytes(suite.hash_size(), 2);
  return *codec::encode(gc);
}

struct Inputs {
  std::uint8_t init = 1, commit = 2, psk = 3;
  std::uint64_t epoch = 1;
  std::uint8_t tree = 1;
};

EpochKeys advance(const CipherSuite& suite, const Inputs& in) {
  auto keys = advance_epoch(suite, InitSecret(pattern(suite.hash_size(), in.init)),
                            CommitSecret(pattern(suite.hash_size(), in.commit)),
                            PskSecret(pattern(suite.hash_size(), in.psk)),
                            group_context(suite, in.epoch, in.tree));
  EXPECT_TRUE(IsOk(keys));
  return *std::move(keys);
}

// Every secret one epoch change yields, in a fixed order, with its name.
std::vector<std::pair<const char*, Bytes>> all_secrets(const EpochKeys& k) {
  const auto& s = k.secrets;
  return {
      {"joiner", to_bytes(k.joiner.view())},
      {"welcome", to_bytes(k.welcome.view())},
      {"epoch", to_bytes(k.epoch.view())},
      {"sender_data", to_bytes(s.sender_data.view())},
      {"encryption", to_bytes(s.encryption.view())},
      {"exporter", to_bytes(s.exporter.view())},
      {"external", to_bytes(s.external.view())},
      {"confirmation_key", to_bytes(s.confirmation_key.view())},
      {"membership_key", to_bytes(s.membership_key.view())},
      {"resumption_psk", to_bytes(s.resumption_psk.view())},
      {"epoch_authenticator", to_bytes(s.epoch_authenticator.view())},
      {"init_secret", to_bytes(s.init_secret.view())},
  };
}

void ExpectAllEqual(const EpochKeys& a, const EpochKeys& b) {
  const auto x = all_secrets(a), y = all_secrets(b);
  for (std::size_t i = 0; i < x.size(); ++i)
    EXPECT_EQ(x[i].second, y[i].second) << x[i].first;
}

// Every secret differs, except those named in `same` (which must be equal).
void ExpectAllDiffer(const EpochKeys& a, const EpochKeys& b, std::set<std::string> same = {}) {
  const auto x = all_secrets(a), y = all_secrets(b);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (same.count(x[i].first))
      EXPECT_EQ(x[i].second, y[i].second) << x[i].first;
    else
      EXPECT_NE(x[i].second, y[i].second) << x[i].first;
  }
}

// --- advance_epoch -----------------------------------------------------------------------

TEST(KeySchedule, TwoMembersFromSameInputsAgreeOnEverySecret) {
  for (const auto& suite : CipherSuite::all()) {
    SCOPED_TRACE(suite.name());
    const auto alice = advance(suite, {});
    const auto bob = advance(suite, {});
    ExpectAllEqual(alice, bob);
    for (const auto& [name, secret] : all_secrets(alice))
      EXPECT_EQ(secret.size(), suite.hash_size()) << name;
  }
}

TEST(KeySchedule, EpochSecretsAreDistinctFromOneAnother) {
  const auto keys = advance(suite1(), {});
  std::set<Bytes> distinct;
  for (const auto& [name, secret] : all_secrets(keys))
    EXPECT_TRUE(distinct.insert(secret).second) << name << " equals another secret";
}

TEST(KeySchedule, ChainOfEpochsStaysConsistentBetweenMembers) {
  const auto& suite = suite1();
  InitSecret alice_init(pattern(suite.hash_size(), 9));
  InitSecret bob_init(pattern(suite.hash_size(), 9));
  std::set<Bytes> epoch_secrets;
  for (std::uint64_t epoch = 1; epoch <= 4; ++epoch) {
    const CommitSecret commit(pattern(suite.hash_size(), static_cast<std::uint8_t>(epoch)));
    const PskSecret psk(zero_secret(suite));
    const Bytes gc = group_context(suite, epoch);
    auto alice = advance_epoch(suite, alice_init, commit, psk, gc);
    auto bob = advance_epoch(suite, bob_init, commit, psk, gc);
    ASSERT_TRUE(IsOk(alice));
    ASSERT_TRUE(IsOk(bob));
    ExpectAllEqual(*alice, *bob);
    EXPECT_TRUE(epoch_secrets.insert(to_bytes(alice->epoch.view())).second) << epoch;
    // The next epoch starts from this epoch's init_secret.
    alice_init = alice->secrets.init_secret.clone();
    bob_init = bob->secrets.init_secret.clone();
  }
}

TEST(KeySchedule, ChangedCommitSecretChangesEverySecret) {
  for (const auto& suite : CipherSuite::all()) {
    SCOPED_TRACE(suite.name());
    ExpectAllDiffer(advance(suite, {}), advance(suite, {.commit = 0x77}));
  }
}

TEST(KeySchedule, ChangedInitSecretChangesEverySecret) {
  ExpectAllDiffer(advance(suite1(), {}), advance(suite1(), {.init = 0x77}));
}

TEST(KeySchedule, ChangedPskSecretChangesEverySecretAfterTheJoinerSecret) {
  // psk_secret enters after joiner_secret (so a Welcome can carry the joiner secret and
  // still require the PSK): the joiner secret is the same, everything after it is not.
  for (const auto& suite : CipherSuite::all()) {
    SCOPED_TRACE(suite.name());
    ExpectAllDiffer(advance(suite, {}), advance(suite, {.psk = 0x77}), {"joiner"});
  }
}

TEST(KeySchedule, ChangedGroupContextChangesEverySecret) {
  for (const auto& suite : CipherSuite::all()) {
    SCOPED_TRACE(suite.name());
    ExpectAllDiffer(advance(suite, {}), advance(suite, {.epoch = 2}));
    ExpectAllDiffer(advance(suite, {}), advance(suite, {.tree = 9}));
  }
}

TEST(KeySchedule, JoinerPathEqualsExistingMemberPath) {
  for (const auto& suite : CipherSuite::all()) {
    SCOPED_TRACE(suite.name());
    const InitSecret init(pattern(suite.hash_size(), 1));
    const CommitSecret commit(pattern(suite.hash_size(), 2));
    const PskSecret psk(pattern(suite.hash_size(), 3));
    const Bytes gc = group_context(suite, 5);
    auto member = advance_epoch(suite, init, commit, psk, gc);
    ASSERT_TRUE(IsOk(member));
    // The new member only learns joiner_secret (from the Welcome) and the PSK.
    auto joiner = derive_joiner_secret(suite, init, commit, gc);
    ASSERT_TRUE(IsOk(joiner));
    EXPECT_EQ(*joiner, member->joiner);
    auto joined =
        derive_epoch_from_joiner(suite, JoinerSecret(pattern(suite.hash_size(), 99)), psk, gc);
    ASSERT_TRUE(IsOk(joined));
    auto joined_right = derive_epoch_from_joiner(suite, std::move(*joiner), psk, gc);
    ASSERT_TRUE(IsOk(joined_right));
    ExpectAllEqual(*joined_right, *member);
    // A wrong joiner secret gets none of it.
    EXPECT_NE(joined->epoch, member->epoch);
  }
}

TEST(KeySchedule, ZeroSecretIsNhZeroBytes) {
  for (const auto& suite : CipherSuite::all()) {
    const auto z = zero_secret(suite);
    EXPECT_EQ(z.size(), suite.hash_size());
    EXPECT_TRUE(testutil::all_zero(z.view()));
  }
}

// --- exporter ------------------------------------------------------------------------------

TEST(MlsExport, DeterministicAndSensitiveToLabelContextAndLength) {
  const auto keys = advance(suite1(), {});
  const auto& exp = keys.secrets.exporter;
  const Bytes ctx = {1, 2, 3};
  auto base = mls_export(suite1(), exp, "label", ctx, 32);
  ASSERT_TRUE(IsOk(base));
  EXPECT_EQ(base->size(), 32u);
  EXPECT_EQ(*base, *mls_export(suite1(), exp, "label", ctx, 32));
  EXPECT_NE(*base, *mls_export(suite1(), exp, "labeL", ctx, 32));
  EXPECT_NE(*base, *mls_export(suite1(), exp, "label", Bytes{1, 2, 4}, 32));
  EXPECT_NE(*base, *mls_export(suite1(), exp, "label", Bytes{}, 32));
  // The length is bound into the label: a shorter export is not a prefix of a longer one.
  auto shorter = mls_export(suite1(), exp, "label", ctx, 16);
  ASSERT_TRUE(IsOk(shorter));
  EXPECT_EQ(shorter->size(), 16u);
  EXPECT_FALSE(mpsec::equal(shorter->view(), base->view().first(16)));
  auto longer = mls_export(suite1(), exp, "label", ctx, 100);
  ASSERT_TRUE(IsOk(longer));
  EXPECT_EQ(longer->size(), 100u);
  // Another epoch's exporter secret exports something else.
  const auto other = advance(suite1(), {.epoch = 2});
  EXPECT_NE(*base, *mls_export(suite1(), other.secrets.exporter, "label", ctx, 32));
}

TEST(MlsExport, LengthBeyondHkdfLimitIsRefused) {
  const auto keys = advance(suite1(), {});
  auto r = mls_export(suite1(), keys.secrets.exporter, "label", {}, 255 * 32 + 1);
  EXPECT_FALSE(r.has_value());
}

// --- external key pair -------------------------------------------------------------------

TEST(ExternalKeyPair, DeterministicFromExternalSecret) {
  for (const auto& suite : CipherSuite::all()) {
    SCOPED_TRACE(suite.name());
    const auto a = advance(suite, {});
    const auto b = advance(suite, {});
    const auto c = advance(suite, {.commit = 0x55});
    auto ka = external_key_pair(suite, a.secrets.external);
    auto kb = external_key_pair(suite, b.secrets.external);
    auto kc = external_key_pair(suite, c.secrets.external);
    ASSERT_TRUE(IsOk(ka));
    ASSERT_TRUE(IsOk(kb));
    ASSERT_TRUE(IsOk(kc));
    EXPECT_EQ(ka->kem(), suite.kem());
    EXPECT_EQ(ka->public_key().bytes().size(), crypto::kem_info(suite.kem()).public_size);
    EXPECT_EQ(ka->public_key().bytes(), kb->public_key().bytes());
    EXPECT_EQ(*ka->serialize(), *kb->serialize());
    EXPECT_NE(ka->public_key().bytes(), kc->public_key().bytes());
  }
}

// --- PSK secret ------------------------------------------------------------------------------

PreSharedKeyId external_id(std::string_view id, std::uint8_t nonce) {
  PreSharedKeyId p;
  p.psktype = PskType::external;
  p.psk_id = to_bytes(as_bytes(id));
  p.psk_nonce = Bytes(32, nonce);
  return p;
}

PreSharedKeyId resumption_id(std::uint64_t epoch, ResumptionPskUsage usage) {
  PreSharedKeyId p;
  p.psktype = PskType::resumption;
  p.usage = usage;
  p.psk_group_id = Bytes{'o', 'l', 'd'};
  p.psk_epoch = epoch;
  p.psk_nonce = Bytes(32, 0xee);
  return p;
}

TEST(PskSecret, NoPsksGivesAllZeroNhBytes) {
  for (const auto& suite : CipherSuite::all()) {
    auto s = derive_psk_secret(suite, {});
    ASSERT_TRUE(IsOk(s));
    EXPECT_EQ(s->size(), suite.hash_size()) << suite.name();
    EXPECT_TRUE(testutil::all_zero(s->view())) << suite.name();
  }
}

TEST(PskSecret, OnePskIsNotZeroAndDependsOnKeyAndId) {
  const auto& suite = suite1();
  const auto id = external_id("psk", 1);
  const Bytes key(32, 0xaa);
  const PskInput one[] = {{&id, key}};
  auto s = derive_psk_secret(suite, one);
  ASSERT_TRUE(IsOk(s));
  EXPECT_FALSE(testutil::all_zero(s->view()));
  EXPECT_EQ(*s, *derive_psk_secret(suite, one));

  const Bytes other_key(32, 0xab);
  const PskInput wrong_key[] = {{&id, other_key}};
  EXPECT_NE(*s, *derive_psk_secret(suite, wrong_key));
  const auto other_nonce = external_id("psk", 2);
  const PskInput wrong_nonce[] = {{&other_nonce, key}};
  EXPECT_NE(*s, *derive_psk_secret(suite, wrong_nonce));
}

TEST(PskSecret, TwoPsksAreOrderSensitive) {
  for (const auto& suite : CipherSuite::all()) {
    const auto id_a = external_id("a", 1);
    const auto id_b = resumption_id(3, ResumptionPskUsage::application);
    const Bytes key_a(suite.hash_size(), 0x11), key_b(suite.hash_size(), 0x22);
    const PskInput ab[] = {{&id_a, key_a}, {&id_b, key_b}};
    const PskInput ba[] = {{&id_b, key_b}, {&id_a, key_a}};
    const PskInput a_only[] = {{&id_a, key_a}};
    auto s_ab = derive_psk_secret(suite, ab);
    auto s_ba = derive_psk_secret(suite, ba);
    auto s_a = derive_psk_secret(suite, a_only);
    ASSERT_TRUE(IsOk(s_ab));
    ASSERT_TRUE(IsOk(s_ba));
    ASSERT_TRUE(IsOk(s_a));
    EXPECT_EQ(s_ab->size(), suite.hash_size());
    EXPECT_NE(*s_ab, *s_ba) << suite.name();
    // The count is bound in: a PSK alone is not the first step of a pair.
    EXPECT_NE(*s_ab, *s_a) << suite.name();
  }
}

// --- PreSharedKeyID encoding ------------------------------------------------------------

void ExpectStrictRoundTrip(const PreSharedKeyId& id, const Bytes& expected) {
  auto bytes = codec::encode(id);
  ASSERT_TRUE(IsOk(bytes));
  EXPECT_EQ(*bytes, expected);
  auto back = codec::decode<PreSharedKeyId>(*bytes);
  ASSERT_TRUE(IsOk(back));
  EXPECT_EQ(*back, id);
  EXPECT_EQ(*codec::encode(*back), *bytes);
  for (std::size_t n = 0; n < bytes->size(); ++n)
    EXPECT_TRUE(
        FailsWith(codec::decode<PreSharedKeyId>(ByteView(*bytes).first(n)), Errc::decode_error))
        << "truncated to " << n;
  Bytes longer = *bytes;
  longer.push_back(0);
  EXPECT_TRUE(FailsWith(codec::decode<PreSharedKeyId>(longer), Errc::trailing_data));
}

TEST(PreSharedKeyIdCodec, ExternalRoundTripsByteExact) {
  PreSharedKeyId id;
  id.psktype = PskType::external;
  id.psk_id = Bytes{0x61, 0x62};
  id.psk_nonce = Bytes{0x01, 0x02};
  // psktype(1) psk_id<V> psk_nonce<V>
  ExpectStrictRoundTrip(id, hex("01"
                                "026162"
                                "020102"));
}

TEST(PreSharedKeyIdCodec, ResumptionRoundTripsByteExact) {
  PreSharedKeyId id;
  id.psktype = PskType::resumption;
  id.usage = ResumptionPskUsage::branch;
  id.psk_group_id = Bytes{0xaa};
  id.psk_epoch = 0x0102030405060708;
  id.psk_nonce = Bytes{};
  // psktype(2) usage(3) psk_group_id<V> psk_epoch(uint64) psk_nonce<V>
  ExpectStrictRoundTrip(id, hex("02"
                                "03"
                                "01aa"
                                "0102030405060708"
                                "00"));
}

TEST(PreSharedKeyIdCodec, UnknownPskTypeIsRejected) {
  for (std::uint8_t t : {0, 3, 255})
    EXPECT_TRUE(FailsWith(codec::decode<PreSharedKeyId>(Bytes{t, 0x00, 0x00}), Errc::decode_error))
        << int(t);
}

TEST(PreSharedKeyIdCodec, UnknownResumptionUsageIsRejected) {
  for (std::uint8_t u : {0, 4, 255}) {
    const Bytes encoded = {0x02, u, 0x00, 0, 0, 0, 0, 0, 0, 0, 1, 0x00};
    EXPECT_TRUE(FailsWith(codec::decode<PreSharedKeyId>(encoded), Errc::decode_error)) << int(u);
  }
  // The same bytes with a valid usage decode: the usage byte alone made the difference.
  EXPECT_TRUE(
      IsOk(codec::decode<PreSharedKeyId>(Bytes{0x02, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 1, 0x00})));
}

}  // namespace
}  // namespace mpsec::schedule
