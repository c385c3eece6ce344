// Attacks on the centralized mode, each by name: replayed, re-signed and bit-flipped rekeys,
// stale heartbeats, replayed registrations, bad and expired cookies, forged and replayed
// SaRequests, and data from an ejected member. Each refusal must carry its typed error (or,
// where the protocol expects the input on a lossy channel, be ignored), be counted, and
// leave the target's state as it was; the genuine message still works afterwards.
#include <gtest/gtest.h>

#include "base/test_support.hpp"
#include "central_sim.hpp"

namespace mpsec::central {
namespace {

using sim::b;
using sim::CentralSim;
using sim::SimMember;
using sim::test_config;
using testutil::FailsWith;
using testutil::IsOk;

bool is(ByteView message, CentralWireFormat wf) {
  auto got = peek_wire_format(message);
  return got && *got == static_cast<std::uint16_t>(wf);
}

// What a refused message must not change at a member.
struct MemberView {
  std::uint64_t seq = 0;
  MemberState state = MemberState::idle;
  std::optional<std::uint64_t> epoch;
  Bytes group_key;
  Instant deadline;
};

MemberView view(const Member& m) {
  MemberView v{m.seq(), m.state(), m.epoch(), {}, m.next_deadline()};
  if (auto gk = m.group_key()) v.group_key = to_bytes(gk->key.view());
  return v;
}

::testing::AssertionResult unchanged(const Member& m, const MemberView& before) {
  const MemberView now = view(m);
  if (now.seq != before.seq)
    return ::testing::AssertionFailure() << "seq " << before.seq << " -> " << now.seq;
  if (now.state != before.state) return ::testing::AssertionFailure() << "state changed";
  if (now.epoch != before.epoch) return ::testing::AssertionFailure() << "epoch changed";
  if (now.group_key != before.group_key)
    return ::testing::AssertionFailure() << "group key changed";
  if (now.deadline != before.deadline)
    return ::testing::AssertionFailure() << "timers changed (a resync was scheduled?)";
  return ::testing::AssertionSuccess();
}

// The GCKS's membership as (slot, signature key) pairs.
std::vector<std::pair<std::uint32_t, Bytes>> membership(const Gcks& g) {
  std::vector<std::pair<std::uint32_t, Bytes>> out;
  for (const MemberInfo& m : g.members())
    out.emplace_back(m.slot, m.signature_key);
  return out;
}

// The multicast rekey of a GCKS output.
Bytes rekey_of(const GcksOutput& out) {
  for (const Outgoing& o : out.messages)
    if (o.to == Outgoing::To::multicast && is(o.message, CentralWireFormat::rekey))
      return o.message;
  ADD_FAILURE() << "no rekey in the GCKS output";
  return {};
}

// alice and bob in a group; then a forced rekey that alice has not received yet.
struct PendingRekey {
  CentralSim s{test_config()};
  SimMember& alice = s.add("alice");
  SimMember& bob = s.add("bob");
  Bytes genuine;

  PendingRekey() {
    s.join(alice);
    s.join(bob);
    alice.listening = false;
    auto out = s.gcks().force_rekey(s.now());
    EXPECT_TRUE(IsOk(out));
    genuine = rekey_of(*out);
    s.route(std::move(*out));
    s.deliver_multicast();
    alice.listening = true;
    EXPECT_EQ(alice.member->seq() + 1, s.gcks().seq());
  }
  // The genuine rekey goes through after the attack.
  void expect_genuine_applies() {
    auto r = alice.member->handle(genuine, s.now());
    ASSERT_TRUE(IsOk(r));
    EXPECT_EQ(alice.member->seq(), s.gcks().seq());
    EXPECT_EQ(to_bytes(alice.member->group_key()->key.view()),
              to_bytes(bob.member->group_key()->key.view()));
  }
};

// Members draw no randomness of their own in these paths; this counts what the GCKS draws.
class CountingRandom final : public Random {
 public:
  explicit CountingRandom(Random& inner) : inner_(inner) {}
  Status fill(MutableByteView out) override {
    ++draws;
    return inner_.fill(out);
  }
  std::size_t draws = 0;

 private:
  Random& inner_;
};

// --- rekeys and heartbeats ----------------------------------------------------------------

TEST(CentralAttack, AReplayedRekeyIsIgnoredAndCounted) {
  // Repeats are normal on a multicast channel (heartbeats carry the last rekeys), so a
  // duplicate is not an error: the member drops it, counts it, and nothing moves.
  PendingRekey p;
  p.expect_genuine_applies();
  const MemberView before = view(*p.alice.member);
  const MemberCounters c = p.alice.member->counters();
  auto r = p.alice.member->handle(p.genuine, p.s.now());
  ASSERT_TRUE(IsOk(r));
  EXPECT_TRUE(r->events.empty());
  EXPECT_TRUE(r->to_gcks.empty());
  EXPECT_EQ(p.alice.member->counters().duplicates, c.duplicates + 1);
  EXPECT_EQ(p.alice.member->counters().buffered, c.buffered);
  EXPECT_TRUE(unchanged(*p.alice.member, before));

  // Two rekeys later, the old one is still only a duplicate: no rollback, no gap.
  for (int i = 0; i < 2; ++i) {
    auto out = p.s.gcks().force_rekey(p.s.now());
    ASSERT_TRUE(IsOk(out));
    p.s.route(std::move(*out));
    p.s.deliver_multicast();
  }
  ASSERT_EQ(p.alice.member->seq(), p.s.gcks().seq());
  const MemberView later = view(*p.alice.member);
  r = p.alice.member->handle(p.genuine, p.s.now() + Duration(10));
  ASSERT_TRUE(IsOk(r));
  EXPECT_TRUE(r->events.empty());
  EXPECT_EQ(p.alice.member->counters().duplicates, c.duplicates + 2);
  EXPECT_TRUE(unchanged(*p.alice.member, later));
}

TEST(CentralAttack, ARekeySignedByAnotherKeyIsRejected) {
  PendingRekey p;
  const Rekey rk = *decode_message<Rekey>(p.genuine);
  codec::Writer w;
  rk.encode_tbs(w);
  const Bytes tbs = *std::move(w).finish();
  const crypto::SigningKey outsider = *crypto::SigningKey::generate(p.s.suite().sig(), p.s.rng());
  struct Forger {
    const char* who;
    const crypto::SigningKey& key;
    std::string_view label;
  };
  // An outsider's key, a member's own key, and the GCKS's key under another label (a
  // heartbeat signature is no rekey signature).
  const Forger forgers[] = {{"outsider", outsider, kRekeyLabel},
                            {"member bob", *p.bob.key, kRekeyLabel},
                            {"GCKS, heartbeat label", p.s.gcks_key(), kHeartbeatLabel}};
  std::uint64_t forged = p.alice.member->counters().forged;
  for (const Forger& f : forgers) {
    Rekey copy = rk;
    copy.signature = *p.s.suite().sign_with_label(f.key, f.label, tbs);
    const MemberView before = view(*p.alice.member);
    EXPECT_TRUE(FailsWith(p.alice.member->handle(*encode_message(copy), p.s.now()),
                          Errc::authentication_failed))
        << f.who;
    EXPECT_EQ(p.alice.member->counters().forged, ++forged) << f.who;
    EXPECT_EQ(p.alice.member->counters().buffered, 0u) << f.who;
    EXPECT_TRUE(unchanged(*p.alice.member, before)) << f.who;
  }
  p.expect_genuine_applies();
}

TEST(CentralAttack, ARekeyWithAnyBitFlippedIsRejected) {
  PendingRekey p;
  const MemberView before = view(*p.alice.member);
  const MemberCounters c = p.alice.member->counters();
  std::size_t accepted = 0, changed = 0, untyped = 0, signature_failures = 0;
  for (std::size_t bit = 0; bit < p.genuine.size() * 8; ++bit) {
    Bytes flipped = p.genuine;
    flipped[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    auto r = p.alice.member->handle(flipped, p.s.now());
    if (r) {
      ++accepted;
      ADD_FAILURE() << "accepted with bit " << bit << " flipped";
    } else if (r.error().code == Errc::internal) {
      ++untyped;
    } else if (r.error().code == Errc::authentication_failed) {
      ++signature_failures;
    }
    if (!unchanged(*p.alice.member, before)) ++changed;
  }
  EXPECT_EQ(accepted, 0u);
  EXPECT_EQ(changed, 0u);
  EXPECT_EQ(untyped, 0u);
  // Flips in the signed content or the signature fail the signature, and only those count as
  // forged; flips in the framing and lengths are decode errors.
  EXPECT_GT(signature_failures, p.genuine.size() * 8 / 2);
  EXPECT_EQ(p.alice.member->counters().forged, c.forged + signature_failures);
  EXPECT_EQ(p.alice.member->counters().buffered, c.buffered);
  EXPECT_EQ(p.alice.member->counters().duplicates, c.duplicates);
  p.expect_genuine_applies();
}

TEST(CentralAttack, AStaleHeartbeatChangesNothing) {
  CentralSim s(test_config());
  auto& alice = s.add("alice");
  auto& bob = s.add("bob");
  s.join(alice);
  s.join(bob);
  std::vector<Bytes> heartbeats;
  s.multicast_hook = [&](const Bytes& m) {
    if (is(m, CentralWireFormat::heartbeat)) heartbeats.push_back(m);
  };
  s.step(Duration(1'000));
  ASSERT_EQ(heartbeats.size(), 1u);
  const Bytes old = heartbeats[0];
  auto& carol = s.add("carol");
  s.join(carol);
  s.step(Duration(1'000));
  ASSERT_EQ(heartbeats.size(), 2u);
  const Bytes latest = heartbeats[1];
  ASSERT_GT(decode_message<Heartbeat>(latest)->seq, decode_message<Heartbeat>(old)->seq);
  ASSERT_EQ(alice.member->seq(), s.gcks().seq());

  // Later than the last heartbeat: a fresh one would move the liveness deadline, a lower
  // sequence number must not look like news either.
  const Instant later = s.now() + Duration(300);
  const MemberView before = view(*alice.member);
  const MemberCounters c = alice.member->counters();
  for (const Bytes* hb : {&old, &latest}) {
    auto r = alice.member->handle(*hb, later);
    ASSERT_TRUE(IsOk(r));
    EXPECT_TRUE(r->events.empty());
    EXPECT_TRUE(r->to_gcks.empty());
    EXPECT_TRUE(unchanged(*alice.member, before));
  }
  EXPECT_EQ(alice.member->counters().stale_heartbeats, c.stale_heartbeats + 2);
  EXPECT_EQ(alice.member->counters().duplicates, c.duplicates);  // its repeats were not read
  EXPECT_EQ(alice.member->counters().forged, c.forged);
  EXPECT_EQ(alice.member->counters().resync_requests, c.resync_requests);
}

// --- registration ---------------------------------------------------------------------------

// carol's registration with every unicast message she sent the GCKS recorded.
struct RecordedJoin {
  CentralSim s{test_config()};
  SimMember& alice = s.add("alice");
  SimMember& bob = s.add("bob");
  SimMember& carol = s.add("carol");
  std::vector<Bytes> sent;  // by carol, in order

  RecordedJoin() {
    s.join(alice);
    s.join(bob);
    s.unicast_hook = [&](ConnId conn, bool to_member, const Bytes& m) {
      if (!to_member && conn == carol.conn) sent.push_back(m);
      return true;
    };
    s.join(carol);
    s.unicast_hook = nullptr;
    EXPECT_EQ(carol.member->state(), MemberState::active);
  }
  const Bytes& hello_with_cookie() const { return sent.at(1); }
  const Bytes& auth() const { return sent.at(2); }
  std::string carol_peer() const { return "peer-" + std::to_string(carol.conn); }
};

TEST(CentralAttack, AReplayedHelloIsRefusedByItsNonce) {
  RecordedJoin j;
  ASSERT_EQ(j.sent.size(), 3u);
  ASSERT_TRUE(is(j.hello_with_cookie(), CentralWireFormat::register_hello));
  ASSERT_FALSE(decode_message<RegisterHello>(j.hello_with_cookie())->cookie.empty());
  const auto members = membership(j.s.gcks());
  const GcksCounters c = j.s.gcks().counters();
  // From carol's address (the cookie is bound to it) on a new connection, and on hers.
  for (ConnId conn : {ConnId{77}, j.carol.conn}) {
    EXPECT_TRUE(FailsWith(j.s.gcks().handle(conn, j.carol_peer(), j.hello_with_cookie(), j.s.now()),
                          Errc::replay));
  }
  EXPECT_EQ(j.s.gcks().counters().replayed_nonces, c.replayed_nonces + 2);
  EXPECT_EQ(j.s.gcks().counters().bad_cookies, c.bad_cookies);
  EXPECT_EQ(j.s.gcks().counters().registrations, c.registrations);
  EXPECT_EQ(membership(j.s.gcks()), members);
  // No handshake was started for it: a RegisterAuth on that connection finds none.
  EXPECT_TRUE(
      FailsWith(j.s.gcks().handle(77, j.carol_peer(), j.auth(), j.s.now()), Errc::invalid_state));
}

TEST(CentralAttack, AReplayedRegisterAuthIsRefusedAndCounted) {
  RecordedJoin j;
  ASSERT_TRUE(is(j.auth(), CentralWireFormat::register_auth));
  const auto members = membership(j.s.gcks());
  const std::uint64_t seq = j.s.gcks().seq();
  const GcksCounters c = j.s.gcks().counters();

  // On carol's connection, whose handshake is over.
  EXPECT_TRUE(FailsWith(j.s.gcks().handle(j.carol.conn, j.carol_peer(), j.auth(), j.s.now()),
                        Errc::invalid_state));
  EXPECT_EQ(j.s.gcks().counters().malformed, c.malformed + 1);

  // Into a handshake the attacker started itself: carol's RegisterAuth is bound to her own
  // handshake's keys and transcript.
  auto reg = sim::ManualRegistration::start(j.s.suite(), test_config().group_id, j.s.rng());
  ASSERT_TRUE(
      IsOk(reg.to_challenge(j.s.gcks(), 88, "peer-88", j.s.now(), j.s.gcks_key().verify_key())));
  EXPECT_TRUE(FailsWith(j.s.gcks().handle(88, "peer-88", j.auth(), j.s.now()),
                        Errc::authentication_failed));
  EXPECT_EQ(j.s.gcks().counters().auth_failures, c.auth_failures + 1);

  EXPECT_EQ(j.s.gcks().counters().registrations, c.registrations);
  EXPECT_EQ(j.s.gcks().counters().refused, c.refused);
  EXPECT_EQ(j.s.gcks().seq(), seq);
  EXPECT_EQ(membership(j.s.gcks()), members);
}

TEST(CentralAttack, ABadOrExpiredCookieIsRefusedBeforeAnyPublicKeyWork) {
  crypto::SeededRandom seeded(3);
  CountingRandom rng(seeded);
  MemoryJournal journal;
  const GroupConfig config = test_config();
  const auto suite = *crypto::CipherSuite::from_code(config.cipher_suite);
  Instant now(Duration(1'800'000'000'000));
  auto g =
      Gcks::create(config, *crypto::SigningKey::generate(suite.sig(), seeded), journal, rng, now);
  ASSERT_TRUE(IsOk(g));
  Gcks& gcks = **g;

  // The share is not a key at all: only public-key work would notice.
  RegisterHello hello;
  hello.group_id = config.group_id;
  hello.cipher_suite = config.cipher_suite;
  hello.member_nonce.fill(0x42);
  hello.member_share = Bytes(5, 0xaa);
  auto first = gcks.handle(1, "peer-1", *encode_message(hello), now);
  ASSERT_TRUE(IsOk(first));
  ASSERT_EQ(first->messages.size(), 1u);
  const Bytes cookie = decode_message<RegisterCookie>(first->messages[0].message)->cookie;

  auto refused_cheaply = [&](const RegisterHello& h, std::string_view peer, Instant at,
                             const char* what) {
    const GcksCounters c = gcks.counters();
    const std::size_t draws = rng.draws;
    auto r = gcks.handle(1, peer, *encode_message(h), at);
    ASSERT_TRUE(IsOk(r)) << what;
    ASSERT_EQ(r->messages.size(), 1u) << what;
    EXPECT_TRUE(is(r->messages[0].message, CentralWireFormat::register_cookie)) << what;
    EXPECT_EQ(gcks.counters().bad_cookies, c.bad_cookies + 1) << what;
    EXPECT_EQ(gcks.counters().malformed, c.malformed) << what;  // the share was never parsed
    EXPECT_EQ(rng.draws, draws) << what;                        // no ephemeral key was made
  };
  RegisterHello bad = hello;
  bad.cookie = cookie;
  bad.cookie.back() ^= 0x01;
  refused_cheaply(bad, "peer-1", now, "bad MAC");
  bad.cookie = Bytes(cookie.size() - 1, 0);
  refused_cheaply(bad, "peer-1", now, "short cookie");
  RegisterHello replayed = hello;
  replayed.cookie = cookie;
  refused_cheaply(replayed, "peer-2", now, "cookie from another address");
  RegisterHello other = replayed;
  other.member_nonce.fill(0x43);
  refused_cheaply(other, "peer-1", now, "cookie for another hello");

  // The control: the same cookie, in time and from its address, gets to the share.
  const GcksCounters c = gcks.counters();
  EXPECT_TRUE(
      FailsWith(gcks.handle(1, "peer-1", *encode_message(replayed), now), Errc::invalid_key));
  EXPECT_EQ(gcks.counters().malformed, c.malformed + 1);
  // Valid in its bucket and the next one, expired after.
  refused_cheaply(replayed, "peer-1", now + 2 * kCookieBucket, "expired cookie");
  // No handshake is pending for any of them.
  EXPECT_TRUE(FailsWith(gcks.handle(1, "peer-1", *encode_message(RegisterAuth{config.group_id, {}}),
                                    now + 2 * kCookieBucket),
                        Errc::invalid_state));
}

TEST(CentralAttack, ALowOrderShareIsRefusedAndCounted) {
  // Every 32-byte string is an X25519 public key; the all-zero (low-order) one gives an
  // all-zero DH result, which the GCKS must refuse as the member's bad input, counted.
  CentralSim s(test_config());
  auto reg = sim::ManualRegistration::start(s.suite(), test_config().group_id, s.rng());
  reg.hello.member_share = Bytes(32, 0);
  auto first = s.gcks().handle(5, "peer-5", *encode_message(reg.hello), s.now());
  ASSERT_TRUE(IsOk(first));
  reg.hello.cookie = decode_message<RegisterCookie>(first->messages.at(0).message)->cookie;
  const GcksCounters c = s.gcks().counters();
  EXPECT_TRUE(FailsWith(s.gcks().handle(5, "peer-5", *encode_message(reg.hello), s.now()),
                        Errc::invalid_key));
  EXPECT_EQ(s.gcks().counters().malformed, c.malformed + 1);
  EXPECT_EQ(s.gcks().counters().replayed_nonces, c.replayed_nonces);
  EXPECT_TRUE(
      FailsWith(s.gcks().handle(5, "peer-5",
                                *encode_message(RegisterAuth{test_config().group_id, {}}), s.now()),
                Errc::invalid_state));
}

// --- the Registration SA --------------------------------------------------------------------

TEST(CentralAttack, AnSaRequestWithAForgedMacIsRefusedAndCounted) {
  CentralSim s(test_config());
  auto& alice = s.add("alice");
  auto& bob = s.add("bob");
  s.join(alice);
  s.join(bob);
  const RegistrationSa sa = *s.registration_sa(alice.member->slot());
  const RegistrationSa bobs = *s.registration_sa(bob.member->slot());
  const auto members = membership(s.gcks());
  const GcksCounters c = s.gcks().counters();
  const SaRequest genuine{test_config().group_id, sa.sa_id(), 5, SaRequestKind::resync, {}};

  SaRequest flipped = genuine;
  flipped.mac = *sa.request_mac(flipped);
  flipped.mac[3] ^= 0x10;
  SaRequest other_key = genuine;  // bob's SA key over alice's SA id
  other_key.mac = *bobs.request_mac(other_key);
  SaRequest unknown = genuine;
  unknown.sa_id = Bytes(kSaIdSize, 0x5a);
  unknown.mac = *sa.request_mac(unknown);
  SaRequest deregister = genuine;  // the kind is MACed too
  deregister.mac = *sa.request_mac(deregister);
  deregister.kind = SaRequestKind::deregister;
  SaRequest empty = genuine;
  int n = 0;
  for (const SaRequest* r : {&flipped, &other_key, &unknown, &deregister, &empty}) {
    EXPECT_TRUE(FailsWith(s.gcks().handle(alice.conn, "peer-1", *encode_message(*r), s.now()),
                          Errc::authentication_failed))
        << n;
    EXPECT_EQ(s.gcks().counters().sa_failures, c.sa_failures + ++n);
  }
  EXPECT_EQ(s.gcks().counters().sa_replays, c.sa_replays);
  EXPECT_EQ(s.gcks().counters().resyncs, c.resyncs);
  EXPECT_EQ(membership(s.gcks()), members);

  // The forgeries consumed nothing: the genuine request with that counter is answered.
  SaRequest ok_req = genuine;
  ok_req.mac = *sa.request_mac(ok_req);
  ASSERT_TRUE(IsOk(s.gcks().handle(alice.conn, "peer-1", *encode_message(ok_req), s.now())));
  EXPECT_EQ(s.gcks().counters().resyncs, c.resyncs + 1);
}

TEST(CentralAttack, AReplayedSaRequestIsRefusedAndItsResponseCannotRollBack) {
  CentralSim s(test_config());
  auto& alice = s.add("alice");
  auto& bob = s.add("bob");
  s.join(alice);
  s.join(bob);
  // alice hears nothing until her keys expire, then resynchronises over her SA.
  std::vector<Bytes> requests, responses;
  s.unicast_hook = [&](ConnId conn, bool to_member, const Bytes& m) {
    if (conn != alice.conn) return true;
    if (!to_member && is(m, CentralWireFormat::sa_request)) requests.push_back(m);
    if (to_member && is(m, CentralWireFormat::sa_response)) responses.push_back(m);
    return true;
  };
  alice.listening = false;
  for (int i = 0; i < 10 && requests.empty(); ++i)
    s.step(Duration(1'000));
  alice.listening = true;
  ASSERT_EQ(requests.size(), 1u);
  ASSERT_EQ(responses.size(), 1u);
  ASSERT_EQ(alice.member->counters().resync_requests, 1u);
  ASSERT_EQ(s.gcks().counters().resyncs, 1u);

  const GcksCounters c = s.gcks().counters();
  EXPECT_TRUE(FailsWith(s.gcks().handle(alice.conn, "peer-1", requests[0], s.now()), Errc::replay));
  EXPECT_TRUE(FailsWith(s.gcks().handle(99, "elsewhere", requests[0], s.now()), Errc::replay));
  EXPECT_EQ(s.gcks().counters().sa_replays, c.sa_replays + 2);
  EXPECT_EQ(s.gcks().counters().resyncs, c.resyncs);
  EXPECT_EQ(s.gcks().counters().sa_failures, c.sa_failures);

  // The group moves on; the old response, replayed to alice, is refused.
  auto out = s.gcks().force_rekey(s.now());
  ASSERT_TRUE(IsOk(out));
  s.route(std::move(*out));
  s.deliver_multicast();
  ASSERT_EQ(alice.member->seq(), s.gcks().seq());
  const MemberView before = view(*alice.member);
  EXPECT_TRUE(FailsWith(alice.member->handle(responses[0], s.now()), Errc::replay));
  EXPECT_TRUE(unchanged(*alice.member, before));
}

// --- group data -----------------------------------------------------------------------------

TEST(CentralAttack, DataFromAnEjectedMemberIsRejectedByTheOthers) {
  CentralSim s(test_config());
  auto& alice = s.add("alice");
  auto& bob = s.add("bob");
  auto& mallory = s.add("mallory");
  for (auto* m : {&alice, &bob, &mallory})
    s.join(*m);
  s.send(mallory, "while a member");
  ASSERT_EQ(bob.received.size(), 1u);

  // mallory's copy ignores the ejection and keeps sending with the keys it had.
  mallory.listening = false;
  auto out = s.gcks().eject(mallory.member->slot(), s.now());
  ASSERT_TRUE(IsOk(out));
  s.route(std::move(*out));
  s.deliver_multicast();
  ASSERT_EQ(bob.member->seq(), s.gcks().seq());
  ASSERT_EQ(mallory.member->state(), MemberState::active);  // as far as it knows
  auto late = mallory.member->protect(b("after the ejection"));
  ASSERT_TRUE(IsOk(late));

  // The others keep the old epoch only for its grace time (messages sent before the rekey
  // may still be in flight, and a receiver cannot tell when one was sent); after it, the
  // ejected member's keys open nothing.
  const Duration grace = test_config().data_policy.epoch_grace;
  for (Duration waited{0}; waited <= grace; waited += Duration(1'000))
    s.step(Duration(1'000));
  for (auto* m : {&alice, &bob}) {
    const std::size_t received = m->received.size();
    const std::uint64_t rejected = m->member->counters().rejected_data;
    EXPECT_TRUE(FailsWith(m->member->handle(*late, s.now()), Errc::unknown_epoch)) << m->name;
    EXPECT_EQ(m->member->counters().rejected_data, rejected + 1) << m->name;
    EXPECT_EQ(m->received.size(), received) << m->name;
  }
  // And the member that did learn of its ejection cannot send at all.
  EXPECT_EQ(mallory.member->state(), MemberState::departed);  // told over its SA meanwhile
  EXPECT_TRUE(FailsWith(mallory.member->protect(b("still here?")), Errc::invalid_state));
}

}  // namespace
}  // namespace mpsec::central
