// A real GCKS on SqliteStore: registrations, an ejection and rekeys a member misses, then a
// restart from the reopened store. Every step is run twice, once on a MemoryJournal, and the
// two must agree: what the store loads, the restored GCKS, and what members see afterwards
// (the member that missed the rekeys resynchronises over its restored Registration SA).
#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <tuple>

#include "central/central_sim.hpp"
#include "codec/tls.hpp"
#include "store/sqlite_store.hpp"

namespace mpsec::store {
namespace {

using namespace central;
using sim::b;

struct Peer {
  std::string name;
  ConnId conn = 0;
  std::unique_ptr<Member> member;
  bool listening = true;
  std::vector<std::string> received;
  std::vector<MemberEvent> events;
  bool has(MemberEvent::Kind k) const {
    for (const auto& e : events)
      if (e.kind == k) return true;
    return false;
  }
};

// One GCKS and its members in memory, over reliable unicast and lossless multicast; the
// GCKS's journal is injected and the GCKS can be replaced by one restored from a snapshot.
class Site {
 public:
  explicit Site(Journal& journal) {
    auto g = Gcks::create(config_, key_, journal, rng_, now_);
    EXPECT_TRUE(g.has_value()) << (g ? "" : g.error().describe());
    if (g) gcks_ = std::move(*g);
  }

  Gcks& gcks() { return *gcks_; }
  Peer& peer(std::string_view name) {
    for (auto& p : peers_)
      if (p->name == name) return *p;
    ADD_FAILURE() << "no peer " << name;
    return *peers_.front();
  }

  void join(std::string name) {
    auto p = std::make_unique<Peer>();
    p->name = name;
    p->conn = next_conn_++;
    const crypto::SigningKey key = *crypto::SigningKey::generate(suite().sig(), rng_);
    ASSERT_TRUE(gcks_->allow({key.verify_key().bytes(), Role::sender, b(name)}, now_));
    MemberConfig mc{config_.group_id,
                    config_.cipher_suite,
                    schedule::Credential::basic(b(name)),
                    key,
                    Role::sender,
                    false,
                    key_.verify_key().bytes(),
                    Duration(200)};
    p->member = std::move(*Member::create(std::move(mc), rng_));
    auto hello = p->member->hello(now_);
    ASSERT_TRUE(hello.has_value());
    queue_.push_back({p->conn, false, *hello});
    peers_.push_back(std::move(p));
    run();
    ASSERT_EQ(peers_.back()->member->state(), MemberState::active) << name;
  }
  void eject(std::string_view name) {
    auto out = gcks_->eject(peer(name).member->slot(), now_);
    ASSERT_TRUE(out.has_value()) << out.error().describe();
    route(std::move(*out));
    run();
  }
  void force_rekey() {
    auto out = gcks_->force_rekey(now_);
    ASSERT_TRUE(out.has_value()) << out.error().describe();
    route(std::move(*out));
    run();
  }
  void send(std::string_view from, std::string_view text) {
    auto msg = peer(from).member->protect(b(text));
    ASSERT_TRUE(msg.has_value()) << msg.error().describe();
    multicast(*msg);
    run();
  }
  // Time passes: GCKS timers (heartbeats), then member timers (resynchronisation).
  void step(Duration d) {
    now_ += d;
    auto out = gcks_->tick(now_);
    ASSERT_TRUE(out.has_value()) << out.error().describe();
    route(std::move(*out));
    run();
    for (auto& p : peers_) {
      auto t = p->member->tick(now_);
      if (t) take(*p, std::move(*t));
    }
    run();
  }
  void stop_gcks() { gcks_.reset(); }
  void restore(Journal& journal, GcksSnapshot snapshot) {
    auto g = Gcks::restore(std::move(snapshot), key_, journal, rng_, now_);
    ASSERT_TRUE(g.has_value()) << g.error().describe();
    gcks_ = std::move(*g);
  }

 private:
  crypto::CipherSuite suite() const {
    return *crypto::CipherSuite::from_code(config_.cipher_suite);
  }
  void multicast(const Bytes& msg) {
    for (auto& p : peers_)
      if (p->listening) queue_.push_back({p->conn, true, msg});
  }
  void route(GcksOutput out) {
    for (auto& o : out.messages) {
      if (o.to == Outgoing::To::multicast) {
        multicast(o.message);
      } else if (o.to == Outgoing::To::connection) {
        queue_.push_back({o.conn, true, std::move(o.message)});
      } else {
        for (auto& p : peers_)
          if (p->member->state() == MemberState::active && p->member->slot() == o.slot)
            queue_.push_back({p->conn, true, o.message});
      }
    }
  }
  void take(Peer& p, MemberOutput out) {
    for (auto& e : out.events)
      p.events.push_back(std::move(e));
    for (auto& d : out.data)
      p.received.push_back(std::string(d.plaintext.begin(), d.plaintext.end()));
    for (auto& m : out.to_gcks)
      queue_.push_back({p.conn, false, std::move(m)});
  }
  void run() {
    while (!queue_.empty()) {
      auto [conn, to_member, msg] = std::move(queue_.front());
      queue_.pop_front();
      if (!to_member) {
        auto out = gcks_->handle(conn, "peer-" + std::to_string(conn), msg, now_);
        if (out) route(std::move(*out));
        continue;
      }
      for (auto& p : peers_) {
        if (p->conn != conn) continue;
        auto r = p->member->handle(msg, now_);
        if (r) take(*p, std::move(*r));
      }
    }
  }

  crypto::SeededRandom rng_{std::uint64_t{7}};
  GroupConfig config_ = sim::test_config();
  crypto::SigningKey key_ = *crypto::SigningKey::generate(crypto::SigAlg::ed25519, rng_);
  Instant now_{Duration(1'800'000'000'000)};
  std::unique_ptr<Gcks> gcks_;
  std::vector<std::unique_ptr<Peer>> peers_;
  std::deque<std::tuple<ConnId, bool, Bytes>> queue_;
  ConnId next_conn_ = 1;
};

void expect_same(const GcksSnapshot& want, const GcksSnapshot& got) {
  EXPECT_EQ(*codec::encode(want.config), *codec::encode(got.config));
  EXPECT_EQ(want.seq, got.seq);
  EXPECT_EQ(to_bytes(want.graph.view()), to_bytes(got.graph.view()));
  ASSERT_EQ(want.members.size(), got.members.size());
  for (std::size_t i = 0; i < want.members.size(); ++i)
    EXPECT_EQ(to_bytes(codec::encode_secret(want.members[i])->view()),
              to_bytes(codec::encode_secret(got.members[i])->view()));
  EXPECT_EQ(want.recent_rekeys, got.recent_rekeys);
}

// Four join, dave stops listening, carol is ejected and four refreshes follow: dave misses
// more rekeys than a heartbeat repeats.
void before_restart(Site& s) {
  for (const char* n : {"alice", "bob", "carol", "dave"})
    s.join(n);
  s.peer("dave").listening = false;
  s.eject("carol");
  for (int i = 0; i < 4; ++i)
    s.force_rekey();
}

// The restored GCKS heartbeats, dave notices the gap and resynchronises, erin joins, alice
// sends to everyone.
void after_restart(Site& s) {
  s.peer("dave").listening = true;
  for (int i = 0; i < 4; ++i)
    s.step(Duration(300));
  s.join("erin");
  s.send("alice", "after the restart");
}

Result<SecretBytes> group_key(Site& s, std::string_view who) {
  auto k = s.peer(who).member->group_key();
  if (!k) return tl::unexpected(k.error());
  return std::move(k->key);
}

TEST(SqliteStoreGcks, ARestoredGcksGoesOnAsFromTheMemoryJournal) {
  char tmpl[] = "/tmp/mpsec_store_XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  const std::string path = dir + "/gcks.db";
  const std::unique_ptr<const std::string, void (*)(const std::string*)> cleanup(
      &dir, [](const std::string* d) { std::filesystem::remove_all(*d); });
  const Bytes group_id = sim::test_config().group_id;

  MemoryJournal mem;
  Site ref(mem);
  before_restart(ref);

  auto store = SqliteStore::open(path, SecretBytes(Bytes(32, 9)));
  ASSERT_TRUE(store.has_value()) << store.error().describe();
  Site site(**store);
  before_restart(site);
  const std::uint64_t seq = site.gcks().seq();
  EXPECT_EQ(seq, ref.gcks().seq());
  EXPECT_GE(seq, 8u);  // four admissions, one ejection, four refreshes
  EXPECT_TRUE(site.peer("carol").has(MemberEvent::Kind::departed));
  {
    auto got = (*store)->load(group_id);
    ASSERT_TRUE(got.has_value()) << got.error().describe();
    expect_same(*mem.snapshot(group_id), *got);
  }

  // Restart: the GCKS and the store go away; both come back from the file.
  site.stop_gcks();
  store->reset();
  auto reopened = SqliteStore::open(path, SecretBytes(Bytes(32, 9)));
  ASSERT_TRUE(reopened.has_value()) << reopened.error().describe();
  auto snap = (*reopened)->load(group_id);
  ASSERT_TRUE(snap.has_value()) << snap.error().describe();
  expect_same(*mem.snapshot(group_id), *snap);
  EXPECT_EQ(snap->seq, seq);
  EXPECT_EQ(snap->members.size(), 3u);
  site.restore(**reopened, std::move(*snap));
  ref.restore(mem, *mem.snapshot(group_id));
  EXPECT_EQ(site.gcks().seq(), seq);
  ASSERT_EQ(site.gcks().members().size(), 3u);

  after_restart(ref);
  after_restart(site);
  Peer& dave = site.peer("dave");
  EXPECT_TRUE(dave.has(MemberEvent::Kind::resynced));
  EXPECT_EQ(dave.member->seq(), site.gcks().seq());
  EXPECT_GT(site.gcks().seq(), seq);  // erin's admission, committed to the reopened store
  EXPECT_EQ(site.gcks().seq(), ref.gcks().seq());
  EXPECT_EQ(site.gcks().members().size(), 4u);
  for (const char* n : {"bob", "dave", "erin"}) {
    ASSERT_EQ(site.peer(n).received.size(), 1u) << n;
    EXPECT_EQ(site.peer(n).received[0], "after the restart");
    EXPECT_EQ(site.peer(n).received, ref.peer(n).received);
    auto k = group_key(site, n);
    auto want = group_key(ref, n);
    ASSERT_TRUE(k.has_value() && want.has_value());
    EXPECT_EQ(to_bytes(k->view()), to_bytes(want->view())) << n;
  }
  EXPECT_TRUE(site.peer("carol").received.empty());
  auto last = (*reopened)->load(group_id);
  ASSERT_TRUE(last.has_value()) << last.error().describe();
  expect_same(*mem.snapshot(group_id), *last);

  site.stop_gcks();
}

}  // namespace
}  // namespace mpsec::store
