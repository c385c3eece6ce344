// A sans-I/O harness for the centralized mode: one GCKS and its members wired together in
// memory, a clock under the test's control, reliable unicast (as TCP gives) and a multicast
// channel that can drop, duplicate and reorder datagrams.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "central/gcks.hpp"
#include "central/member.hpp"
#include "crypto/test_random.hpp"

namespace mpsec::central::sim {

inline Bytes b(std::string_view s) {
  return Bytes(s.begin(), s.end());
}
inline std::string str(ByteView v) {
  return std::string(v.begin(), v.end());
}

struct SimMember {
  std::string name;
  ConnId conn = 0;
  std::optional<crypto::SigningKey> key;
  std::unique_ptr<Member> member;
  std::vector<record::Received> received;
  std::vector<MemberEvent> events;
  std::deque<Bytes> inbox;  // multicast datagrams not yet delivered
  bool listening = true;    // receives multicast
  bool has_event(MemberEvent::Kind k) const {
    for (const auto& e : events)
      if (e.kind == k) return true;
    return false;
  }
};

struct Loss {
  double drop = 0, duplicate = 0, reorder = 0;
};

class CentralSim {
 public:
  explicit CentralSim(GroupConfig config, std::uint64_t seed = 1)
      : rng_(seed), chaos_(static_cast<std::mt19937::result_type>(seed)) {
    config_ = std::move(config);
    gcks_key_ = *crypto::SigningKey::generate(suite().sig(), rng_);
    auto g = Gcks::create(config_, gcks_key_, journal_, rng_, now_);
    EXPECT_TRUE(g.has_value()) << (g ? "" : g.error().describe());
    gcks_ = std::move(*g);
  }

  crypto::CipherSuite suite() const {
    return *crypto::CipherSuite::from_code(config_.cipher_suite);
  }
  Gcks& gcks() { return *gcks_; }
  MemoryJournal& journal() { return journal_; }
  Instant now() const { return now_; }
  Random& rng() { return rng_; }
  const crypto::SigningKey& gcks_key() const { return gcks_key_; }
  std::vector<GcksEvent>& gcks_events() { return gcks_events_; }
  void set_loss(Loss l) { loss_ = l; }

  // A member process: its key, on the allow-list when `allowed`.
  SimMember& add(std::string name, Role role = Role::sender, bool allowed = true,
                 bool unicast = false) {
    auto m = std::make_unique<SimMember>();
    m->name = name;
    m->conn = next_conn_++;
    m->key = *crypto::SigningKey::generate(suite().sig(), rng_);
    if (allowed) {
      auto r = gcks_->allow({m->key->verify_key().bytes(), role, b(name)}, now_);
      EXPECT_TRUE(r.has_value()) << r.error().describe();
    }
    MemberConfig mc{config_.group_id,
                    config_.cipher_suite,
                    schedule::Credential::basic(b(name)),
                    *m->key,
                    role,
                    unicast,
                    gcks_key_.verify_key().bytes(),
                    Duration(200)};
    m->member = std::move(*Member::create(std::move(mc), rng_));
    m->listening = !unicast;
    members_.push_back(std::move(m));
    return *members_.back();
  }

  // Registration to the end (unicast is reliable).
  void join(SimMember& m) {
    auto hello = m.member->hello(now_);
    ASSERT_TRUE(hello.has_value()) << hello.error().describe();
    to_gcks(m, *hello);
    run();
    deliver_multicast();
  }

  // Delivers everything queued on unicast; multicast datagrams go to inboxes.
  void run() {
    while (!unicast_.empty()) {
      auto [conn, to_member, msg] = std::move(unicast_.front());
      unicast_.pop_front();
      if (unicast_hook && !unicast_hook(conn, to_member, msg)) continue;
      if (to_member) {
        SimMember* m = by_conn(conn);
        if (m == nullptr) continue;
        member_input(*m, msg);
      } else {
        auto r = gcks_->handle(conn, "peer-" + std::to_string(conn), msg, now_);
        if (r)
          route(std::move(*r));
        else
          last_gcks_error_ = r.error();
      }
    }
  }

  void to_gcks(SimMember& m, Bytes msg) { unicast_.push_back({m.conn, false, std::move(msg)}); }
  void route(GcksOutput out) {
    for (auto& e : out.events)
      gcks_events_.push_back(e);
    for (auto& o : out.messages) {
      switch (o.to) {
        case Outgoing::To::connection:
          unicast_.push_back({o.conn, true, std::move(o.message)});
          break;
        case Outgoing::To::member:
          for (auto& m : members_)
            if (m->member->state() == MemberState::active && m->member->slot() == o.slot)
              unicast_.push_back({m->conn, true, o.message});
          break;
        case Outgoing::To::multicast:
          multicast(o.message);
          break;
      }
    }
  }
  void multicast(const Bytes& msg) {
    if (multicast_hook) multicast_hook(msg);
    for (auto& m : members_) {
      if (!m->listening) continue;
      if (chance(loss_.drop)) continue;
      m->inbox.push_back(msg);
      if (chance(loss_.duplicate)) m->inbox.push_back(msg);
    }
  }
  // Hands each member its multicast datagrams (reordered at random when asked).
  void deliver_multicast() {
    for (auto& m : members_) {
      std::vector<Bytes> batch(m->inbox.begin(), m->inbox.end());
      m->inbox.clear();
      if (loss_.reorder > 0 && batch.size() > 1 && chance(loss_.reorder))
        std::shuffle(batch.begin(), batch.end(), chaos_);
      for (auto& msg : batch)
        member_input(*m, msg);
    }
    run();
  }
  void member_input(SimMember& m, const Bytes& msg) {
    auto r = m.member->handle(msg, now_);
    if (!r) return;
    take(m, std::move(*r));
  }
  void take(SimMember& m, MemberOutput out) {
    for (auto& e : out.events)
      m.events.push_back(e);
    for (auto& d : out.data)
      m.received.push_back(std::move(d));
    for (auto& msg : out.to_gcks)
      to_gcks(m, std::move(msg));
  }
  // Advances time by `d`: GCKS and member timers fire, messages flow.
  void step(Duration d) {
    now_ += d;
    auto r = gcks_->tick(now_);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().describe());
    if (r) route(std::move(*r));
    run();
    deliver_multicast();
    for (auto& m : members_) {
      auto t = m->member->tick(now_);
      if (t) take(*m, std::move(*t));
    }
    run();
  }
  // Sends group data from one member to every listener (lossless unless loss is set).
  Bytes send(SimMember& from, std::string_view text) {
    auto msg = from.member->protect(b(text));
    EXPECT_TRUE(msg.has_value()) << (msg ? "" : msg.error().describe());
    if (!msg) return {};
    multicast(*msg);
    deliver_multicast();
    return *msg;
  }
  // Replaces the GCKS by one restored from the journal (a restart).
  void restart_gcks() {
    auto snap = journal_.snapshot(config_.group_id);
    ASSERT_TRUE(snap.has_value()) << snap.error().describe();
    gcks_.reset();
    auto g = Gcks::restore(std::move(*snap), gcks_key_, journal_, rng_, now_);
    ASSERT_TRUE(g.has_value()) << g.error().describe();
    gcks_ = std::move(*g);
  }

  bool converged() {
    auto gk = gcks_->seq();
    for (auto& m : members_) {
      if (m->member->state() != MemberState::active) continue;
      if (m->member->seq() != gk) return false;
    }
    return true;
  }
  std::vector<std::unique_ptr<SimMember>>& members() { return members_; }
  SimMember* by_conn(ConnId c) {
    for (auto& m : members_)
      if (m->conn == c) return m.get();
    return nullptr;
  }
  const std::optional<Error>& last_gcks_error() const { return last_gcks_error_; }

  // Optional hooks for tests of loss and attacks. unicast_hook sees every unicast message
  // before it is delivered (conn, whether it goes to the member, the message) and drops it by
  // returning false; multicast_hook sees every multicast datagram before loss applies.
  std::function<bool(ConnId, bool, const Bytes&)> unicast_hook;
  std::function<void(const Bytes&)> multicast_hook;

  // Every active member holds the GCKS's sequence number and one group key.
  bool converged_on_one_key() {
    if (!converged()) return false;
    std::optional<Bytes> key;
    for (auto& m : members_) {
      if (m->member->state() != MemberState::active) continue;
      auto gk = m->member->group_key();
      if (!gk) return false;
      Bytes k = to_bytes(gk->key.view());
      if (key && *key != k) return false;
      key = std::move(k);
    }
    return true;
  }
  std::vector<SimMember*> active() {
    std::vector<SimMember*> out;
    for (auto& m : members_)
      if (m->member->state() == MemberState::active) out.push_back(m.get());
    return out;
  }
  // The Registration SA of the member in `slot`, as the GCKS stored it (to forge or replay
  // authenticated requests and responses in tests).
  Result<RegistrationSa> registration_sa(std::uint32_t slot) const {
    GcksSnapshot snap = MPSEC_TRY(journal_.snapshot(config_.group_id));
    for (MemberRecord& m : snap.members)
      if (m.slot == slot) return RegistrationSa::create(suite(), m.sa_id, std::move(m.sa_secret));
    return fail(Errc::not_found, "no member in that slot");
  }
  // The GCKS's key graph as stored now (secrets included).
  Result<std::unique_ptr<tree::KeyGraph>> stored_graph() const {
    GcksSnapshot snap = MPSEC_TRY(journal_.snapshot(config_.group_id));
    codec::Reader r(snap.graph.view());
    auto g = MPSEC_TRY(tree::decode_key_graph(suite(), r));
    MPSEC_TRY(r.finish());
    return g;
  }

 private:
  bool chance(double p) {
    return p > 0 && std::uniform_real_distribution<double>(0, 1)(chaos_) < p;
  }

  crypto::SeededRandom rng_;
  std::mt19937 chaos_;
  Instant now_{Duration(1'800'000'000'000)};
  GroupConfig config_;
  crypto::SigningKey gcks_key_ = *crypto::SigningKey::generate(crypto::SigAlg::ed25519, rng_);
  MemoryJournal journal_;
  std::unique_ptr<Gcks> gcks_;
  std::vector<std::unique_ptr<SimMember>> members_;
  std::deque<std::tuple<ConnId, bool, Bytes>> unicast_;
  std::vector<GcksEvent> gcks_events_;
  std::optional<Error> last_gcks_error_;
  ConnId next_conn_ = 1;
  Loss loss_;
};

// The member side of registration computed by hand, so a test can send the GCKS whatever
// RegisterHello or AuthBody it likes (the GCKS's checks of each step).
struct ManualRegistration {
  crypto::CipherSuite suite;
  std::optional<crypto::DhPrivateKey> share;
  RegisterHello hello;
  RegisterChallenge challenge;
  Bytes t1;
  std::optional<HandshakeKeys> keys;

  static ManualRegistration start(const crypto::CipherSuite& suite, Bytes group_id, Random& rng) {
    ManualRegistration m{suite, {}, {}, {}, {}, {}};
    m.share = *crypto::DhPrivateKey::generate(suite.hpke().kem, rng);
    m.hello.group_id = std::move(group_id);
    m.hello.cipher_suite = static_cast<std::uint16_t>(suite.id());
    EXPECT_TRUE(rng.fill(m.hello.member_nonce).has_value());
    m.hello.member_share = m.share->public_key().bytes();
    return m;
  }
  // Hello, cookie, hello with the cookie: the GCKS's challenge, checked and keyed as a member
  // pinned to `gcks_key` would.
  Status to_challenge(Gcks& g, ConnId conn, std::string_view peer, Instant now,
                      const crypto::VerifyKey& gcks_key) {
    hello.cookie.clear();
    GcksOutput first = MPSEC_TRY(g.handle(conn, peer, MPSEC_TRY(encode_message(hello)), now));
    MPSEC_ENSURE(first.messages.size() == 1, Errc::internal, "no cookie");
    hello.cookie = MPSEC_TRY(decode_message<RegisterCookie>(first.messages[0].message)).cookie;
    GcksOutput second = MPSEC_TRY(g.handle(conn, peer, MPSEC_TRY(encode_message(hello)), now));
    MPSEC_ENSURE(second.messages.size() == 1, Errc::internal, "no challenge");
    challenge = MPSEC_TRY(decode_message<RegisterChallenge>(second.messages[0].message));
    MPSEC_ENSURE(challenge.gcks_signature_key == gcks_key.bytes(), Errc::authentication_failed,
                 "another GCKS");
    t1 = MPSEC_TRY(transcript_t1(suite, hello, challenge));
    MPSEC_TRY(suite.verify_with_label(gcks_key, kChallengeLabel, t1, challenge.signature));
    const crypto::DhPublicKey peer_share =
        MPSEC_TRY(crypto::DhPublicKey::parse(suite.hpke().kem, challenge.gcks_share));
    const SecretBytes dh = MPSEC_TRY(share->dh(peer_share));
    keys = MPSEC_TRY(
        derive_handshake_keys(suite, dh.view(), hello.member_nonce, challenge.gcks_nonce, t1));
    return ok();
  }
  // An AuthBody claiming `claimed`'s public key, signed by `signer` (the same key for an
  // honest member), with a correct finished MAC.
  Result<AuthBody> auth_body(const Credential& credential, const crypto::SigningKey& claimed,
                             const crypto::SigningKey& signer, Role role,
                             std::uint8_t unicast = 0) const {
    AuthBody body;
    body.credential = credential;
    body.signature_key = claimed.verify_key().bytes();
    body.role = role;
    body.unicast_delivery = unicast;
    const Bytes t2 = MPSEC_TRY(transcript_t2(suite, t1, body));
    body.signature = MPSEC_TRY(suite.sign_with_label(signer, kMemberAuthLabel, t2));
    const Bytes t3 = MPSEC_TRY(transcript_next(suite, t2, body.signature));
    body.finished = MPSEC_TRY(finished_mac(suite, keys->member_finished.view(), t3));
    return body;
  }
  // The RegisterAuth carrying `plaintext` (an encoded AuthBody, or anything) encrypted under
  // the member handshake key.
  Result<Bytes> register_auth(ByteView plaintext) const {
    RegisterAuth auth;
    auth.group_id = hello.group_id;
    auth.encrypted = MPSEC_TRY(crypto::aead_seal(suite.aead(), keys->member_key.view(),
                                                 keys->member_nonce.view(), t1, plaintext));
    return encode_message(auth);
  }
};

inline GroupConfig test_config(KeyGraphType graph = KeyGraphType::lkh, std::uint16_t suite = 1) {
  GroupConfig c;
  c.group_id = b("test-group");
  c.cipher_suite = suite;
  c.graph = graph;
  c.degree = 4;
  c.id_bits = 8;
  c.heartbeat = Duration(1'000);
  c.rekey_interval = Duration(3'600'000);
  c.batch_interval = Duration(0);
  return c;
}

}  // namespace mpsec::central::sim
