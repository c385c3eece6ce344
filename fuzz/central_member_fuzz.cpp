// Member::handle and Member::tick of a member that has just registered with a GCKS, over the
// messages of the group's later life (rekeys for joins, leaves, ejections and refreshes,
// heartbeats, resynchronisation responses and pushes, data from other members, its own
// ejection), given in any order, any number of times, changed, or replaced by the fuzzer's
// bytes; and over messages of a GCKS that signs or seals whatever the fuzzer says (a buggy or
// compromised key server must still not crash its members). Two groups: LKH with signed,
// padded data; a flat table with compressed data in which a batched double leave makes the
// GCKS push keys over the Registration SA.
//
// The member is rebuilt for each input by replaying its registration (its randomness is
// seeded, so the GCKS's recorded answers fit): cheaper than a GCKS per input, and exact.
//
// Invariants (abort on violation): nothing crashes; no error is Errc::internal; the sequence
// number never goes back; as long as only genuine messages were given, a refused message
// leaves seq, epoch, state and group key as they were, and the group key held at a sequence
// number is the one the group's members held at it; data is accepted only if it is byte for
// byte a message a member sent, and each such message once.
//
// Input: byte 0 picks the group (bit 0); then operations, each an opcode byte (bits 0-2)
// followed by the operation's bytes; variable-length fields have a 2-byte length.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "central/gcks.hpp"
#include "central/member.hpp"
#include "crypto/test_random.hpp"
#include "fuzz_input.hpp"

namespace {

using namespace mpsec;
using namespace mpsec::central;

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "central_member_fuzz: invariant violated: %s\n", what);
  std::abort();
}

template <class T>
T must(Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "central_member_fuzz: fixture %s: %s\n", what,
                 r.error().describe().c_str());
    std::abort();
  }
  return std::move(*r);
}

Bytes text(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

std::uint16_t wire_format(ByteView m) {
  auto wf = peek_wire_format(m);
  return wf ? *wf : 0;
}

constexpr std::uint64_t kMemberSeed = 99;

// Forged leaf counts stay below this: a member builds a dense roster of `leaves` entries per
// epoch (SenderRoster::to_record), so a GCKS-signed count near schedule::kMaxLeaves (2^30)
// exhausts memory. That is a known gap (no member-side bound on the group size yet), not
// what this target looks for.
constexpr std::uint32_t kMaxForgedLeaves = 1u << 12;

// What the fuzzed member needs: its configuration and the answers to its registration, and
// the messages the group later sent it.
struct Target {
  Target(crypto::CipherSuite s, crypto::SigningKey k) : suite(s), gcks_key(std::move(k)) {}
  crypto::CipherSuite suite;
  crypto::SigningKey gcks_key;
  std::optional<MemberConfig> member;
  Instant hello_at;
  std::vector<std::pair<Bytes, Instant>> registration;  // the GCKS's answers, when they came
  std::uint64_t admitted_seq = 0;
  Instant admitted_at;
  std::vector<Bytes> library;
  std::vector<std::size_t> rekeys, heartbeats, responses;  // indices into library by kind
  std::map<Bytes, Bytes> data;                             // data message -> its plaintext
  std::map<std::uint64_t, Bytes> group_keys;               // seq -> the members' group key
  std::optional<RegistrationSa> sa;                        // the fuzzed member's
  std::vector<Bytes> signature_keys;                       // of every member, for rosters
};

struct Peer {
  std::string name;
  ConnId conn = 0;
  std::unique_ptr<Member> m;
};

// The group in memory: a GCKS, its members, lossless delivery.
class World {
 public:
  World(GroupConfig config, Target& t)
      : config_(std::move(config)), t_(t), rng_(1), now_(Duration(1'800'000'000'000)) {
    gcks_ = must(Gcks::create(config_, t.gcks_key, journal_, rng_, now_), "create");
  }

  Peer& add(std::string name, Role role, bool target = false) {
    auto key = must(crypto::SigningKey::generate(t_.suite.sig(), rng_), "key");
    must(gcks_->allow({key.verify_key().bytes(), role, text(name)}, now_), "allow");
    t_.signature_keys.push_back(key.verify_key().bytes());
    MemberConfig mc{config_.group_id,
                    config_.cipher_suite,
                    schedule::Credential::basic(text(name)),
                    key,
                    role,
                    false,
                    t_.gcks_key.verify_key().bytes(),
                    Duration(200)};
    if (target) t_.member.emplace(mc);
    auto p = std::make_unique<Peer>();
    p->name = std::move(name);
    p->conn = peers_.size() + 1;
    if (target) {
      member_rng_.emplace(kMemberSeed);
      p->m = must(Member::create(std::move(mc), *member_rng_), "member");
      target_ = p.get();
    } else {
      p->m = must(Member::create(std::move(mc), rng_), "member");
    }
    peers_.push_back(std::move(p));
    return *peers_.back();
  }

  void join(Peer& p) {
    if (&p == target_) t_.hello_at = now_;
    to_gcks_.emplace_back(p.conn, must(p.m->hello(now_), "hello"));
    run();
    for (int i = 0; i < 4 && p.m->state() == MemberState::registering; ++i)
      step(config_.batch_interval + Duration(1));
    check(p.m->state() == MemberState::active, "fixture member admitted");
    if (&p == target_) {
      t_.admitted_seq = p.m->seq();
      t_.admitted_at = now_;
      const GcksSnapshot snap = must(journal_.snapshot(config_.group_id), "snapshot");
      for (const MemberRecord& r : snap.members)
        if (r.slot == p.m->slot())
          t_.sa.emplace(must(RegistrationSa::create(t_.suite, r.sa_id, r.sa_secret.clone()), "sa"));
    }
    note_keys();
  }

  void send(Peer& from, std::string_view text_) {
    const Bytes msg = must(from.m->protect(text(text_)), "protect");
    t_.data.emplace(msg, text(text_));
    for (auto& p : peers_)
      if (p.get() != &from) deliver(*p, msg);
    run();
  }

  void leave(Peer& p) {
    to_gcks_.emplace_back(p.conn, must(p.m->deregister(), "deregister"));
    run();
  }

  void eject(Peer& p) {
    route(must(gcks_->eject(p.m->slot(), now_), "eject"));
    run();
  }

  void force_rekey() {
    route(must(gcks_->force_rekey(now_), "force rekey"));
    run();
  }

  // A resynchronisation request of the fuzzed member, made by the harness: its response goes
  // to the library under that counter.
  void resync_target(std::uint64_t counter) {
    SaRequest req{config_.group_id, t_.sa->sa_id(), counter, SaRequestKind::resync, {}};
    req.mac = must(t_.sa->request_mac(req), "mac");
    route(must(gcks_->handle(target_->conn, "target", must(encode_message(req), "req"), now_),
               "resync"));
    run();
  }

  void step(Duration d) {
    now_ += d;
    route(must(gcks_->tick(now_), "tick"));
    for (auto& p : peers_) {
      auto out = must(p->m->tick(now_), "member tick");
      for (auto& m : out.to_gcks)
        to_gcks_.emplace_back(p->conn, std::move(m));
    }
    run();
  }

  // An unsolicited "no longer a member" over the fuzzed member's Registration SA.
  void push_departure() {
    ResyncBody gone;
    gone.seq = gcks_->seq();
    record(must(encode_message(must(t_.sa->seal_response(0, gone, rng_), "seal")), "push"));
  }

 private:
  void route(GcksOutput out) {
    for (auto& o : out.messages) {
      switch (o.to) {
        case Outgoing::To::connection:
          for (auto& p : peers_)
            if (p->conn == o.conn) deliver(*p, o.message);
          break;
        case Outgoing::To::member:
          for (auto& p : peers_)
            if (p->m->state() == MemberState::active && p->m->slot() == o.slot)
              deliver(*p, o.message);
          break;
        case Outgoing::To::multicast:
          for (auto& p : peers_)
            deliver(*p, o.message);
          break;
      }
    }
  }

  // Everything anyone receives goes to the library: what was for others (their registration,
  // their resynchronisation) and what came before the fuzzed member joined must be harmless
  // to it too.
  void deliver(Peer& p, const Bytes& msg) {
    if (&p == target_ && p.m->state() == MemberState::registering &&
        wire_format(msg) != static_cast<std::uint16_t>(CentralWireFormat::rekey) &&
        wire_format(msg) != static_cast<std::uint16_t>(CentralWireFormat::heartbeat))
      t_.registration.emplace_back(msg, now_);
    record(msg);
    auto out = p.m->handle(msg, now_);
    if (!out) return;
    for (auto& m : out->to_gcks)
      to_gcks_.emplace_back(p.conn, std::move(m));
  }

  void record(const Bytes& msg) {
    if (!seen_.insert(msg).second) return;
    const std::size_t i = t_.library.size();
    t_.library.push_back(msg);
    switch (wire_format(msg)) {
      case static_cast<std::uint16_t>(CentralWireFormat::rekey):
        t_.rekeys.push_back(i);
        break;
      case static_cast<std::uint16_t>(CentralWireFormat::heartbeat):
        t_.heartbeats.push_back(i);
        break;
      case static_cast<std::uint16_t>(CentralWireFormat::sa_response):
        t_.responses.push_back(i);
        break;
      default:
        break;
    }
  }

  void run() {
    while (!to_gcks_.empty()) {
      auto [conn, msg] = std::move(to_gcks_.front());
      to_gcks_.pop_front();
      auto out = gcks_->handle(conn, "peer-" + std::to_string(conn), msg, now_);
      if (out) route(std::move(*out));
    }
    note_keys();
  }

  void note_keys() {
    for (auto& p : peers_)
      if (p->m->state() == MemberState::active)
        if (auto gk = p->m->group_key())
          t_.group_keys.emplace(p->m->seq(), to_bytes(gk->key.view()));
  }

  GroupConfig config_;
  Target& t_;
  crypto::SeededRandom rng_;
  std::optional<crypto::SeededRandom> member_rng_;
  MemoryJournal journal_;
  std::unique_ptr<Gcks> gcks_;
  Instant now_;
  std::vector<std::unique_ptr<Peer>> peers_;
  Peer* target_ = nullptr;
  std::deque<std::pair<ConnId, Bytes>> to_gcks_;
  std::set<Bytes> seen_;
};

GroupConfig base_config(std::string_view name) {
  GroupConfig c;
  c.group_id = text(name);
  c.cipher_suite = 1;
  c.heartbeat = Duration(1'000);
  c.rekey_interval = Duration(3'600'000);
  return c;
}

Target make_target() {
  crypto::SeededRandom rng(5);
  const auto suite = must(crypto::CipherSuite::from_code(1), "suite");
  return Target(suite, must(crypto::SigningKey::generate(suite.sig(), rng), "gcks key"));
}

// LKH (binary, so rekeys carry several wraps), signed and padded data, no batching.
Target build_lkh() {
  Target t = make_target();
  GroupConfig c = base_config("fuzz-member-lkh");
  c.graph = KeyGraphType::lkh;
  c.degree = 2;
  c.data_policy.sign = true;
  c.data_policy.padding_block = 16;
  World w(c, t);
  Peer& a = w.add("alice", Role::sender);
  Peer& b = w.add("bob", Role::receiver);
  Peer& m = w.add("target", Role::sender, true);
  Peer& carol = w.add("carol", Role::sender);
  Peer& dave = w.add("dave", Role::receiver);
  w.join(a);
  w.join(b);
  w.join(m);
  w.send(a, "a1");
  w.send(a, "a2");
  w.step(Duration(1'000));
  w.join(carol);
  w.send(a, "a3");
  w.send(carol, "c1");
  w.resync_target(1);
  w.leave(b);
  w.step(Duration(1'000));
  w.force_rekey();
  w.send(a, "a4");
  w.join(dave);
  w.eject(carol);
  w.step(Duration(1'000));
  w.send(a, "a5");
  w.resync_target(2);
  w.force_rekey();
  w.step(Duration(1'000));
  w.resync_target(3);
  w.send(m, "t1");
  w.eject(m);
  w.send(a, "a6");
  w.step(Duration(1'000));
  w.push_departure();
  return t;
}

// A flat table of 4 slots, compressed data, batched changes: alice and carol leave in one
// batch, so every key bob and the fuzzed member hold was known to a departed member and the
// GCKS pushes them their keys over their Registration SAs.
Target build_flat() {
  Target t = make_target();
  GroupConfig c = base_config("fuzz-member-flat");
  c.graph = KeyGraphType::flat;
  c.id_bits = 2;
  c.batch_interval = Duration(100);
  c.data_policy.compress = true;
  World w(c, t);
  Peer& a = w.add("alice", Role::sender);
  Peer& b = w.add("bob", Role::sender);
  Peer& m = w.add("target", Role::receiver, true);
  Peer& carol = w.add("carol", Role::sender);
  w.join(a);
  w.join(b);
  w.join(m);
  w.join(carol);
  w.send(b, "b1");
  w.send(carol, "c1");
  w.step(Duration(1'000));
  w.leave(a);
  w.leave(carol);
  w.step(Duration(101));
  w.send(b, "b2");
  w.resync_target(1);
  w.step(Duration(1'000));
  w.force_rekey();
  w.send(b, "b3");
  w.resync_target(2);
  w.eject(b);
  w.step(Duration(1'000));
  w.resync_target(3);
  w.push_departure();
  return t;
}

Target& target(bool flat) {
  static Target targets[2] = {build_lkh(), build_flat()};
  return targets[flat ? 1 : 0];
}

using fuzz::Input;
using fuzz::overwrite;

// What must not change when a genuine message is refused.
struct Observed {
  std::uint64_t seq;
  MemberState state;
  std::optional<std::uint64_t> epoch;
  std::optional<Bytes> group_key;
  bool operator==(const Observed&) const = default;
};

Observed observe(const Member& m) {
  std::optional<Bytes> key;
  if (auto gk = m.group_key()) key = to_bytes(gk->key.view());
  return {m.seq(), m.state(), m.epoch(), std::move(key)};
}

class Run {
 public:
  explicit Run(const Target& t) : t_(t), rng_(kMemberSeed), now_(t.hello_at) {
    member_ = must(Member::create(*t.member, rng_), "member");
    must(member_->hello(now_), "hello");
    for (const auto& [msg, at] : t.registration) {
      now_ = at;
      must(member_->handle(msg, now_), "registration");
    }
    check(member_->state() == MemberState::active && member_->seq() == t.admitted_seq,
          "the replayed registration admits the member as before");
    now_ = t.admitted_at;
  }

  void step(Input& in) {
    const std::uint8_t op = in.byte();
    switch (op & 7) {
      case 0:
        handle(to_bytes(in.chunk()), false);
        break;
      case 1:
        handle(t_.library[in.byte() % t_.library.size()], false);
        break;
      case 2: {
        Bytes m = t_.library[in.byte() % t_.library.size()];
        overwrite(m, in.chunk());
        handle(std::move(m), false);
        break;
      }
      case 3: {
        const std::uint8_t a = in.byte();
        now_ += (a & 0x80) ? Duration((a & 0x7f) * 500) : Duration(a * 10);
        const auto before = member_->seq();
        auto out = member_->tick(now_);
        check(out.has_value() || out.error().code != Errc::internal, "tick: no internal error");
        check(member_->seq() == before, "tick does not change the sequence number");
        break;
      }
      case 4: {
        const bool active = member_->state() == MemberState::active;
        auto sent = member_->protect(in.chunk());
        check(!sent || (active && t_.member->role == Role::sender), "only active senders send");
        auto leave = member_->deregister();
        check(!leave || active, "only members deregister");
        break;
      }
      case 5:
        forged_rekey(in);
        break;
      case 6:
        forged_heartbeat(in);
        break;
      default:
        forged_response(in);
    }
  }

  // With MPSEC_FUZZ_DEBUG set, what an input did (to see how deep inputs get).
  void report() const {
    static const bool debug = std::getenv("MPSEC_FUZZ_DEBUG") != nullptr;
    if (!debug) return;
    const MemberCounters& c = member_->counters();
    std::fprintf(stderr,
                 "seq %llu state %d data %zu forged %d | duplicates %llu forged %llu stale %llu "
                 "buffered %llu resync_requests %llu rejected_data %llu\n",
                 static_cast<unsigned long long>(member_->seq()),
                 static_cast<int>(member_->state()), accepted_.size(), forged_ ? 1 : 0,
                 static_cast<unsigned long long>(c.duplicates),
                 static_cast<unsigned long long>(c.forged),
                 static_cast<unsigned long long>(c.stale_heartbeats),
                 static_cast<unsigned long long>(c.buffered),
                 static_cast<unsigned long long>(c.resync_requests),
                 static_cast<unsigned long long>(c.rejected_data));
  }

 private:
  void handle(Bytes message, bool forged) {
    forged_ |= forged;
    const Observed before = observe(*member_);
    auto out = member_->handle(message, now_);
    check(member_->seq() >= before.seq, "the sequence number never goes back");
    if (!out) {
      check(out.error().code != Errc::internal, "a refusal is not an internal error");
      if (!forged_) check(observe(*member_) == before, "a refusal changes nothing");
      return;
    }
    for (const auto& d : out->data) {
      auto it = t_.data.find(message);
      check(it != t_.data.end(), "accepted data was sent by a member");
      check(it->second == d.plaintext, "accepted data is what was sent");
      check(accepted_.insert(message).second, "data is accepted once");
    }
    if (!forged_ && member_->state() == MemberState::active) {
      auto held = t_.group_keys.find(member_->seq());
      auto gk = member_->group_key();
      if (held != t_.group_keys.end() && gk)
        check(held->second == to_bytes(gk->key.view()), "the group key of a seq is the group's");
    }
  }

  // The GCKS's key signs a rekey the fuzzer changed.
  void forged_rekey(Input& in) {
    if (t_.rekeys.empty()) return;
    auto rk = decode_message<Rekey>(t_.library[t_.rekeys[in.byte() % t_.rekeys.size()]]);
    if (!rk) return;
    const std::uint8_t flags = in.byte();
    if (flags & 0x01) rk->seq += static_cast<std::int8_t>(in.byte());
    if (flags & 0x02) rk->leaves = in.byte();
    if (flags & 0x04) rk->departed.push_back(in.byte() % 8);
    if (flags & 0x08)
      rk->roster_added.push_back(
          {in.byte() % 8u, t_.signature_keys[in.byte() % t_.signature_keys.size()]});
    if (flags & 0x10) rk->graph.unreachable.push_back(in.byte() % 8);
    if (flags & 0x20) {
      // The content changed byte by byte, decoded again.
      Bytes raw = must(encode_message(*rk), "rekey");
      overwrite(raw, in.chunk());
      auto again = decode_message<Rekey>(raw);
      if (!again) return;
      rk = std::move(again);
    }
    if (rk->leaves > kMaxForgedLeaves) return;
    codec::Writer tbs;
    rk->encode_tbs(tbs);
    auto content = std::move(tbs).finish();
    if (!content) return;
    rk->signature = must(t_.suite.sign_with_label(t_.gcks_key, kRekeyLabel, *content), "sign");
    auto msg = encode_message(*rk);
    if (msg) handle(std::move(*msg), true);
  }

  // A heartbeat signed by the GCKS's key with any sequence number, time and repeats.
  void forged_heartbeat(Input& in) {
    Heartbeat hb;
    hb.group_id = t_.member->group_id;
    hb.seq = t_.admitted_seq + static_cast<std::int8_t>(in.byte());
    hb.sent_at_ms = static_cast<std::uint64_t>(t_.admitted_at.time_since_epoch().count()) +
                    (std::uint64_t{in.byte()} << 8 | in.byte()) * 10;
    const std::uint8_t n = in.byte() % 5;
    for (std::uint8_t i = 0; i < n && !t_.library.empty(); ++i)
      hb.recent.push_back(t_.library[in.byte() % t_.library.size()]);
    codec::Writer tbs;
    hb.encode_tbs(tbs);
    auto content = std::move(tbs).finish();
    if (!content) return;
    hb.signature = must(t_.suite.sign_with_label(t_.gcks_key, kHeartbeatLabel, *content), "sign");
    auto msg = encode_message(hb);
    if (msg) handle(std::move(*msg), true);
  }

  // A response sealed under the member's Registration SA with a changed body.
  void forged_response(Input& in) {
    if (t_.responses.empty()) return;
    auto resp =
        decode_message<SaResponse>(t_.library[t_.responses[in.byte() % t_.responses.size()]]);
    if (!resp) return;
    auto body = t_.sa->open_response(*resp);
    if (!body) return;
    const std::uint8_t flags = in.byte();
    if (flags & 0x01) body->seq += static_cast<std::int8_t>(in.byte());
    if (flags & 0x02) body->member = in.byte() % 3;
    if (flags & 0x04) body->data.leaves = in.byte();
    if (flags & 0x08) body->group_key_node = in.byte();
    if (flags & 0x10 && !body->keys.empty()) body->keys.pop_back();
    if (flags & 0x20) {
      auto raw = codec::encode(*body);
      if (!raw) return;
      overwrite(*raw, in.chunk());
      auto again = codec::decode<ResyncBody>(*raw);
      if (!again) return;
      body = std::move(again);
    }
    if (body->data.leaves > kMaxForgedLeaves) return;
    const std::uint64_t counter = (flags & 0x40) ? in.byte() % 5 : resp->counter;
    crypto::SeededRandom nonce(counter);
    auto sealed = t_.sa->seal_response(counter, *body, nonce);
    if (!sealed) return;
    auto msg = encode_message(*sealed);
    if (msg) handle(std::move(*msg), true);
  }

  const Target& t_;
  crypto::SeededRandom rng_;
  std::unique_ptr<Member> member_;
  Instant now_;
  bool forged_ = false;  // a message the GCKS's keys made for the fuzzer has been given
  std::set<Bytes> accepted_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const Target& t = target(data[0] & 1);
  Input in(data + 1, size - 1);
  Run run(t);
  for (int ops = 0; !in.empty() && ops < 64; ++ops)
    run.step(in);
  run.report();
  return 0;
}
