// Gcks::handle and Gcks::tick of a fixed group (LKH, batched joins) in which alice and bob are
// already members, over a sequence of operations an attacker on the network can perform, plus
// the administrator's. The harness computes what the fuzzer cannot (cookie round trips, the
// member side of the handshake, MACs of Registration SAs it holds), so inputs reach past
// each cryptographic check; raw, replayed and mutated messages cover the rest. Each input
// starts from the group restored from its journal (Gcks::restore, as after a restart): much
// cheaper than registering alice and bob again, and the same state but for SA counters.
//
// Invariants (abort on violation): nothing crashes; a refused message returns a typed error
// other than Errc::internal, is counted exactly once, and leaves the sequence number and the
// membership as they were; the GCKS never stops (its journal does not fail); every rekey it
// emits is signed by its key and numbered one above the last; no signature key is a member
// twice; a GCKS restored from the journal at the end has the same sequence number and members.
//
// Input: a sequence of operations, each an opcode byte (bits 0-2 the operation, bits 3-4 the
// connection) followed by the operation's bytes; variable-length fields have a 2-byte length.
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <optional>
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
  std::fprintf(stderr, "central_gcks_fuzz: invariant violated: %s\n", what);
  std::abort();
}

template <class T>
T must(Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "central_gcks_fuzz: fixture %s: %s\n", what, r.error().describe().c_str());
    std::abort();
  }
  return std::move(*r);
}

Bytes text(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

std::string peer_of(ConnId conn) {
  return "peer-" + std::to_string(conn);
}

constexpr ConnId kConns = 4;  // the fuzzer's connections are 1..4

// The fixed group as the journal holds it once alice and bob are members, and what the
// harness needs to act as would-be members.
struct Fixture {
  crypto::CipherSuite suite;
  GroupConfig config;
  crypto::SigningKey gcks_key;
  // alice (sender), bob (receiver), carol (sender), dave (receiver): allowed; mallory: not.
  std::vector<crypto::SigningKey> keys;
  std::vector<std::string> names;
  std::vector<crypto::DhPrivateKey> shares;  // member shares the fuzzer's hellos may use
  Bytes config_bytes;
  std::uint64_t seq = 0;
  SecretBytes graph;
  std::vector<SecretBytes> members;  // encoded MemberRecords
  std::optional<Bytes> last_rekey;
  std::vector<RegistrationSa> sas;  // alice's and bob's Registration SAs
  std::vector<Bytes> canned;        // the genuine registration messages, to replay or mutate
  Instant now;
};

// A member's registration to the end, with the batch deadline passed by ticking.
void register_member(Fixture& f, Gcks& g, Member& m, ConnId conn, Instant& now) {
  std::deque<Bytes> to_gcks{must(m.hello(now), "hello")};
  for (int rounds = 0; m.state() == MemberState::registering && rounds < 8; ++rounds) {
    std::vector<Outgoing> outs;
    while (!to_gcks.empty()) {
      f.canned.push_back(to_gcks.front());
      auto out = must(g.handle(conn, peer_of(conn), to_gcks.front(), now), "registration");
      to_gcks.pop_front();
      for (auto& o : out.messages)
        outs.push_back(std::move(o));
    }
    if (outs.empty()) {
      now += f.config.batch_interval + Duration(1);
      for (auto& o : must(g.tick(now), "tick").messages)
        outs.push_back(std::move(o));
    }
    for (const auto& o : outs)
      if (o.to == Outgoing::To::connection && o.conn == conn)
        for (auto& msg : must(m.handle(o.message, now), "member").to_gcks)
          to_gcks.push_back(std::move(msg));
  }
  check(m.state() == MemberState::active, "fixture member admitted");
}

Fixture build() {
  crypto::SeededRandom rng(1);
  const auto suite = must(crypto::CipherSuite::from_code(1), "suite");
  GroupConfig config;
  config.group_id = text("fuzz-group");
  config.cipher_suite = 1;
  config.graph = KeyGraphType::lkh;
  config.degree = 2;
  config.heartbeat = Duration(1'000);
  config.rekey_interval = Duration(20'000);
  config.batch_interval = Duration(200);
  Fixture f{suite,
            config,
            must(crypto::SigningKey::generate(suite.sig(), rng), "gcks key"),
            {},
            {"alice", "bob", "carol", "dave", "mallory"},
            {},
            {},
            0,
            {},
            {},
            {},
            {},
            {},
            Instant(Duration(1'800'000'000'000))};
  for (std::size_t i = 0; i < f.names.size(); ++i)
    f.keys.push_back(must(crypto::SigningKey::generate(suite.sig(), rng), "member key"));
  for (int i = 0; i < 2; ++i)
    f.shares.push_back(must(crypto::DhPrivateKey::generate(suite.hpke().kem, rng), "share"));

  MemoryJournal journal;
  auto gcks = must(Gcks::create(config, f.gcks_key, journal, rng, f.now), "create");
  for (std::size_t i = 0; i < 4; ++i)
    must(gcks->allow({f.keys[i].verify_key().bytes(), i % 2 == 0 ? Role::sender : Role::receiver,
                      text(f.names[i])},
                     f.now),
         "allow");
  for (std::size_t i = 0; i < 2; ++i) {
    const Role role = i == 0 ? Role::sender : Role::receiver;
    auto m = must(Member::create({config.group_id, config.cipher_suite,
                                  schedule::Credential::basic(text(f.names[i])), f.keys[i], role,
                                  false, f.gcks_key.verify_key().bytes(), Duration(200)},
                                 rng),
                  "member");
    register_member(f, *gcks, *m, i + 1, f.now);
  }
  GcksSnapshot snap = must(journal.snapshot(config.group_id), "snapshot");
  f.config_bytes = must(codec::encode(snap.config), "config");
  f.seq = snap.seq;
  f.graph = std::move(snap.graph);
  for (const MemberRecord& r : snap.members) {
    f.members.push_back(must(codec::encode_secret(r), "record"));
    f.sas.push_back(must(RegistrationSa::create(suite, r.sa_id, r.sa_secret.clone()), "sa"));
  }
  if (!snap.recent_rekeys.empty()) f.last_rekey = snap.recent_rekeys.back();
  return f;
}

Fixture& fixture() {
  static Fixture f = build();
  return f;
}

// A journal that holds what the fixture's journal held, as after a restart.
void seed(const Fixture& f, MemoryJournal& journal) {
  GcksCommit c;
  c.group_id = f.config.group_id;
  c.config = f.config_bytes;
  c.seq = f.seq;
  c.graph = f.graph.clone();
  c.rekey = f.last_rekey;
  for (const SecretBytes& m : f.members)
    c.members_added.push_back(m.clone());
  auto done = journal.commit(c);
  check(done.has_value(), "the journal takes the fixture's group");
}

using fuzz::Input;
using fuzz::overwrite;

std::uint64_t refusals(const GcksCounters& c) {
  return c.malformed + c.bad_cookies + c.replayed_nonces + c.auth_failures + c.sa_failures +
         c.sa_replays;
}

std::vector<std::pair<std::uint32_t, Bytes>> membership(const Gcks& g) {
  std::vector<std::pair<std::uint32_t, Bytes>> out;
  for (const MemberInfo& m : g.members())
    out.emplace_back(m.slot, m.signature_key);
  return out;
}

// The member side of one handshake the harness runs on a connection.
struct Manual {
  RegisterHello hello;
  Bytes t1;
  HandshakeKeys keys;
  std::optional<Bytes> t4;  // once an honest RegisterAuth went out
};

class Run {
 public:
  Run(const Fixture& f, MemoryJournal& journal)
      : f_(f),
        rng_(7),
        gcks_(must(Gcks::restore(must(journal.snapshot(f.config.group_id), "snapshot"), f.gcks_key,
                                 journal, rng_, f.now),
                   "restore")),
        now_(f.now),
        last_seq_(f.seq) {
    for (const RegistrationSa& sa : f.sas)
      sas_.push_back(&sa);
  }

  void step(Input& in) {
    const std::uint8_t op = in.byte();
    const ConnId conn = 1 + ((op >> 3) & 3);
    switch (op & 7) {
      case 0:
        send(conn, peer_of(conn), to_bytes(in.chunk()));
        break;
      case 1:
        hello(conn, in);
        break;
      case 2:
        auth(conn, in);
        break;
      case 3:
        sa_request(conn, in);
        break;
      case 4: {
        const std::uint8_t a = in.byte();
        now_ += (a & 0x80) ? Duration((a & 0x7f) * 1'000) : Duration(a * 10);
        auto out = gcks_->tick(now_);
        check(out.has_value(), "tick never fails");
        observe(*out);
        break;
      }
      case 5:
        admin(conn, in);
        break;
      case 6: {  // a message seen before, again, on any connection and from any address
        const std::uint8_t i = in.byte();
        const bool elsewhere = op & 0x20;
        const Bytes& m = pick(i);
        send(conn, elsewhere ? std::string("elsewhere") : peer_of(conn), Bytes(m));
        break;
      }
      default: {  // a message seen before, with bytes changed
        Bytes m = pick(in.byte());
        overwrite(m, in.chunk());
        send(conn, peer_of(conn), std::move(m));
      }
    }
  }

  // The journal holds everything the GCKS did: a restart finds it where it was. Pending joins
  // and leaves are flushed first (they are not committed, by design, until their rekey).
  void check_restart(MemoryJournal& journal) {
    now_ += f_.config.batch_interval + Duration(1);
    auto flushed = gcks_->tick(now_);
    check(flushed.has_value(), "tick never fails");
    observe(*flushed);
    crypto::SeededRandom rng(8);
    auto snap = journal.snapshot(f_.config.group_id);
    check(snap.has_value(), "the journal has the group");
    auto g = Gcks::restore(std::move(*snap), f_.gcks_key, journal, rng, now_);
    check(g.has_value(), "the GCKS restores from its journal");
    check((*g)->seq() == gcks_->seq(), "a restored GCKS has the same sequence number");
    auto before = membership(*gcks_), after = membership(**g);
    check(before == after, "a restored GCKS has the same members");
  }

  // With MPSEC_FUZZ_DEBUG set, what an input did (to see how deep inputs get).
  void report() const {
    static const bool debug = std::getenv("MPSEC_FUZZ_DEBUG") != nullptr;
    if (!debug) return;
    const GcksCounters& c = gcks_->counters();
    std::fprintf(
        stderr,
        "seq %llu members %zu sas %zu | malformed %llu cookies %llu bad_cookies %llu "
        "replayed_nonces %llu auth_failures %llu refused %llu sa_failures %llu "
        "sa_replays %llu registrations %llu resyncs %llu rekeys %llu\n",
        static_cast<unsigned long long>(gcks_->seq()), gcks_->members().size(), sas_.size(),
        static_cast<unsigned long long>(c.malformed),
        static_cast<unsigned long long>(c.cookies_sent),
        static_cast<unsigned long long>(c.bad_cookies),
        static_cast<unsigned long long>(c.replayed_nonces),
        static_cast<unsigned long long>(c.auth_failures),
        static_cast<unsigned long long>(c.refused), static_cast<unsigned long long>(c.sa_failures),
        static_cast<unsigned long long>(c.sa_replays),
        static_cast<unsigned long long>(c.registrations),
        static_cast<unsigned long long>(c.resyncs), static_cast<unsigned long long>(c.rekeys));
  }

 private:
  const Bytes& pick(std::uint8_t i) const {
    if (!sent_.empty() && (i & 1)) return sent_[(i >> 1) % sent_.size()];
    return f_.canned[(i >> 1) % f_.canned.size()];
  }

  void send(ConnId conn, const std::string& peer, Bytes message) {
    const GcksCounters before = gcks_->counters();
    const std::uint64_t seq = gcks_->seq();
    const auto members = membership(*gcks_);
    auto out = gcks_->handle(conn, peer, message, now_);
    check(!gcks_->failed(), "the GCKS never stops");
    if (sent_.size() < 64) sent_.push_back(std::move(message));
    if (!out) {
      check(out.error().code != Errc::internal, "a refusal is not an internal error");
      check(refusals(gcks_->counters()) == refusals(before) + 1, "a refusal is counted once");
      check(gcks_->seq() == seq, "a refusal leaves the sequence number");
      check(membership(*gcks_) == members, "a refusal leaves the membership");
      return;
    }
    observe(*out);
  }

  // Checks what the GCKS sends, and learns the Registration SAs of members the harness
  // registered.
  void observe(const GcksOutput& out) {
    check(gcks_->seq() >= last_seq_, "the sequence number never goes back");
    for (const Outgoing& o : out.messages) {
      auto wf = peek_wire_format(o.message);
      check(wf.has_value() && is_central(*wf), "the GCKS sends central-mode messages");
      if (*wf == static_cast<std::uint16_t>(CentralWireFormat::rekey)) {
        auto rk = decode_message<Rekey>(o.message);
        check(rk.has_value(), "a rekey decodes");
        if (rk->seq == last_seq_) continue;  // the same rekey to a unicast member
        check(rk->seq == last_seq_ + 1, "rekeys are numbered one above the last");
        codec::Writer tbs;
        rk->encode_tbs(tbs);
        check(f_.suite
                  .verify_with_label(f_.gcks_key.verify_key(), kRekeyLabel,
                                     must(std::move(tbs).finish(), "tbs"), rk->signature)
                  .has_value(),
              "a rekey verifies under the GCKS key");
        last_seq_ = rk->seq;
      } else if (*wf == static_cast<std::uint16_t>(CentralWireFormat::register_result) &&
                 o.to == Outgoing::To::connection) {
        learn_sa(o.conn, o.message);
      }
    }
    auto members = gcks_->members();
    for (std::size_t i = 0; i < members.size(); ++i)
      for (std::size_t j = i + 1; j < members.size(); ++j)
        check(members[i].signature_key != members[j].signature_key,
              "no signature key is a member twice");
  }

  void learn_sa(ConnId conn, ByteView message) {
    auto& st = manual_[conn - 1];
    if (!st || !st->t4 || owned_.size() >= 8) return;
    auto r = decode_message<RegisterResult>(message);
    if (!r) return;
    auto plain = crypto::aead_open(f_.suite.aead(), st->keys.gcks_key.view(),
                                   st->keys.gcks_nonce.view(), st->t1, r->encrypted);
    if (!plain) return;  // for a later handshake on this connection
    auto body = codec::decode<ResultBody>(*plain);
    check(body.has_value(), "a RegisterResult the harness can open decodes");
    check(verify_finished(f_.suite, st->keys.gcks_finished.view(), *st->t4, body->finished)
              .has_value(),
          "the GCKS's finished MAC verifies");
    if (body->accepted != 1 || !body->admission) return;
    check(body->admission->rekey_signature_key == f_.gcks_key.verify_key().bytes(),
          "the admission names the GCKS key");
    auto secret = f_.suite.expand_with_label(st->keys.handshake_secret.view(), kSaSecretLabel,
                                             *st->t4, f_.suite.hash_size());
    auto sa = RegistrationSa::create(f_.suite, body->admission->sa_id,
                                     must(std::move(secret), "sa secret"));
    check(sa.has_value(), "the admitted SA is well formed");
    owned_.push_back(std::move(*sa));
    sas_.push_back(&owned_.back());
  }

  void hello(ConnId conn, Input& in) {
    const std::uint8_t flags = in.byte();
    RegisterHello h;
    h.group_id = (flags & 0x01) ? Bytes{in.byte()} : f_.config.group_id;
    h.cipher_suite = (flags & 0x02) ? in.byte() : f_.config.cipher_suite;
    const ByteView nonce = in.take(kNonceSize);
    std::copy(nonce.begin(), nonce.end(), h.member_nonce.begin());
    const crypto::DhPrivateKey* share = nullptr;
    if (flags & 0x04) {
      h.member_share = to_bytes(in.chunk());
    } else {
      share = &f_.shares[in.byte() % f_.shares.size()];
      h.member_share = share->public_key().bytes();
    }
    const int cookie_mode = (flags >> 3) & 3;
    if (cookie_mode == 2) h.cookie = to_bytes(in.chunk());
    Bytes first = must(encode_message(h), "hello");
    if (cookie_mode != 0 && cookie_mode != 3) {
      send(conn, peer_of(conn), std::move(first));
      return;
    }
    // The cookie round trip a member on a real address completes.
    const auto got = gcks_->handle(conn, peer_of(conn), first, now_);
    if (!got) return;
    for (const Outgoing& o : got->messages)
      if (auto c = decode_message<RegisterCookie>(o.message)) h.cookie = c->cookie;
    if (h.cookie.empty()) return;
    // Mode 3: the cookie shows up from another address.
    const std::string peer = cookie_mode == 3 ? std::string("elsewhere") : peer_of(conn);
    const GcksCounters before = gcks_->counters();
    auto out = gcks_->handle(conn, peer, must(encode_message(h), "hello"), now_);
    check(!gcks_->failed(), "the GCKS never stops");
    if (!out) {
      check(out.error().code != Errc::internal, "a refusal is not an internal error");
      check(refusals(gcks_->counters()) == refusals(before) + 1, "a refusal is counted once");
      return;
    }
    observe(*out);
    if (share == nullptr) return;
    for (const Outgoing& o : out->messages) {
      auto ch = decode_message<RegisterChallenge>(o.message);
      if (!ch) continue;
      Manual st{h, must(transcript_t1(f_.suite, h, *ch), "t1"), {}, std::nullopt};
      check(f_.suite
                .verify_with_label(f_.gcks_key.verify_key(), kChallengeLabel, st.t1, ch->signature)
                .has_value(),
            "the challenge verifies under the GCKS key");
      auto peer_share =
          must(crypto::DhPublicKey::parse(f_.suite.hpke().kem, ch->gcks_share), "gcks share");
      auto dh = must(share->dh(peer_share), "dh");
      st.keys =
          must(derive_handshake_keys(f_.suite, dh.view(), h.member_nonce, ch->gcks_nonce, st.t1),
               "keys");
      manual_[conn - 1] = std::move(st);
    }
  }

  void auth(ConnId conn, Input& in) {
    const std::uint8_t flags = in.byte();
    auto& st = manual_[conn - 1];
    RegisterAuth msg;
    msg.group_id = (flags & 0x01) ? Bytes{} : f_.config.group_id;
    const int mode = (flags >> 1) & 3;
    if (!st || mode == 3) {  // no handshake keys: whatever the fuzzer says
      msg.encrypted = to_bytes(in.chunk());
      send(conn, peer_of(conn), must(encode_message(msg), "auth"));
      return;
    }
    const std::size_t claimed = in.byte() % f_.keys.size();
    const std::size_t signer = (flags & 0x08) ? in.byte() % f_.keys.size() : claimed;
    AuthBody body;
    body.credential = schedule::Credential::basic((flags & 0x10) ? to_bytes(in.chunk())
                                                                 : text(f_.names[claimed]));
    body.signature_key = f_.keys[claimed].verify_key().bytes();
    const std::uint8_t role = in.byte();
    body.role = role < 0xf0 ? (role & 1 ? Role::sender : Role::receiver) : static_cast<Role>(role);
    body.unicast_delivery = in.byte() % 3;
    const Bytes t2 = must(transcript_t2(f_.suite, st->t1, body), "t2");
    body.signature =
        must(f_.suite.sign_with_label(f_.keys[signer], kMemberAuthLabel, t2), "signature");
    const Bytes t3 = must(transcript_next(f_.suite, t2, body.signature), "t3");
    body.finished = must(finished_mac(f_.suite, st->keys.member_finished.view(), t3), "finished");
    Bytes plain = must(codec::encode(body), "body");
    if (mode == 0) st->t4 = must(transcript_next(f_.suite, t3, body.finished), "t4");
    if (mode == 1) overwrite(plain, in.chunk());
    if (mode == 2) plain = to_bytes(in.chunk());
    msg.encrypted = must(crypto::aead_seal(f_.suite.aead(), st->keys.member_key.view(),
                                           st->keys.member_nonce.view(), st->t1, plain),
                         "seal");
    send(conn, peer_of(conn), must(encode_message(msg), "auth"));
  }

  void sa_request(ConnId conn, Input& in) {
    const std::uint8_t flags = in.byte();
    const RegistrationSa& sa = *sas_[in.byte() % sas_.size()];
    SaRequest req;
    req.group_id = (flags & 0x01) ? Bytes{} : f_.config.group_id;
    req.sa_id = (flags & 0x02) ? sas_[in.byte() % sas_.size()]->sa_id() : sa.sa_id();
    req.counter = in.byte();
    if (flags & 0x04) req.counter = (req.counter << 56) | in.byte();
    req.kind = (flags & 0x08)   ? static_cast<SaRequestKind>(in.byte())
               : (flags & 0x10) ? SaRequestKind::deregister
                                : SaRequestKind::resync;
    req.mac = must(sa.request_mac(req), "mac");
    if (flags & 0x20) req.mac[in.byte() % req.mac.size()] ^= 1 << (flags >> 6);
    send(conn, peer_of(conn), must(encode_message(req), "sa request"));
  }

  void admin(ConnId conn, Input& in) {
    const std::uint8_t what = in.byte();
    const std::size_t k = in.byte() % f_.keys.size();
    Result<GcksOutput> out = GcksOutput{};
    switch (what % 6) {
      case 0:
        out = gcks_->eject(in.byte() % 8, now_);
        break;
      case 1:
        out = gcks_->force_rekey(now_);
        break;
      case 2:
        gcks_->connection_closed(conn);
        break;
      case 3:
        out = gcks_->revoke(f_.keys[k].verify_key().bytes(), now_);
        break;
      case 4:
        out = gcks_->allow({f_.keys[k].verify_key().bytes(),
                            (what & 0x80) ? Role::sender : Role::receiver, text(f_.names[k])},
                           now_);
        break;
      default:
        break;
    }
    check(!gcks_->failed(), "the GCKS never stops");
    if (!out) {
      check(out.error().code == Errc::not_found, "an administrative refusal is for no member");
      return;
    }
    observe(*out);
  }

  const Fixture& f_;
  crypto::SeededRandom rng_;
  std::unique_ptr<Gcks> gcks_;
  Instant now_;
  std::uint64_t last_seq_;
  std::array<std::optional<Manual>, kConns> manual_;
  std::vector<const RegistrationSa*> sas_;
  std::deque<RegistrationSa> owned_;  // stable addresses for sas_
  std::vector<Bytes> sent_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Fixture& f = fixture();
  MemoryJournal journal;
  seed(f, journal);
  Run run(f, journal);
  Input in(data, size);
  for (int ops = 0; !in.empty() && ops < 64; ++ops)
    run.step(in);
  run.check_restart(journal);
  run.report();
  return 0;
}
