// MLS (RFC 9420) group operations at 2 to 8192 members, suite 1:
//   mls/commit_remove/<n>/{full,blank}   create a commit removing one member, with a path
//   mls/process_commit/<n>/{full,blank}  another member processes it (staged, not merged)
//   mls/add_welcome/<n>/{full,blank}     a commit adding one member, with its Welcome
//   mls/join/<n>/{full,blank}            the new member processes that Welcome
//   mls/protect/<n>, mls/unprotect/<n>   a signed 1 KiB application message
// "full": no blank nodes on the paths involved (every copath subtree of the committer, and
// every sibling subtree along the removed member's path, has
// committed since); "blank": the tree one big Add commit leaves. Counters: commit_bytes and
// welcome_bytes. Baselines in the same run: crypto/evp_sign/ed25519, crypto/evp_verify/ed25519.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <set>

#include "crypto/test_random.hpp"
#include "mls/group.hpp"

namespace {

using namespace mpsec;
using namespace mpsec::mls;

Bytes text(const std::string& s) {
  return to_bytes(as_bytes(s));
}

struct Fixture {
  std::optional<Group> a, b;  // the committer (leaf 0) and a processor (leaf 1)
  LeafIndex removed;
  Bytes remove_commit;
  std::optional<Identity> joiner;
  std::optional<KeyPackageBundle> joiner_kp;
  Bytes add_commit, welcome;
};

template <class T>
T must(Result<T> r) {
  if (!r) {
    std::fprintf(stderr, "mls_bench setup failed: %s\n", r.error().describe().c_str());
    std::abort();
  }
  return std::move(*r);
}
void must(Status s) {
  if (!s) {
    std::fprintf(stderr, "mls_bench setup failed: %s\n", s.error().describe().c_str());
    std::abort();
  }
}

std::unique_ptr<Fixture> build(std::uint32_t n, bool full) {
  const auto suite = *crypto::CipherSuite::from_code(1);
  crypto::SeededRandom rng(n * 2 + (full ? 1 : 0));
  GroupConfig config;
  auto id = [&](std::uint32_t i) {
    return must(Identity::generate(suite, Credential::basic(text("m" + std::to_string(i))), rng));
  };
  const KeyPackageOptions kpo{{0, UINT64_MAX}, false, {}, {}};
  auto f = std::make_unique<Fixture>();
  const Identity alice = id(0);
  f->a.emplace(must(Group::create(alice, text("bench"), config, rng)));

  // Tracked members: leaf 1 (the processor) and, for a full tree, committers whose paths leave
  // no blank node where the benchmarks look: leaves 2, 4, ..., n/2 fill every copath subtree
  // of leaf 0 (the committer), and leaves (n-1) XOR 2^k fill the sibling subtrees along the
  // removed leaf's path, so blanking that path leaves each copath resolution one node.
  std::set<std::uint32_t> committers;
  if (full) {
    for (std::uint32_t k = 2; k < n; k *= 2)
      committers.insert(k);
    for (std::uint32_t bit = 1; bit < n; bit *= 2)
      if (const std::uint32_t leaf = (n - 1) ^ bit; leaf >= 2) committers.insert(leaf);
  }
  std::map<std::uint32_t, std::pair<Identity, KeyPackageBundle>> tracked;
  CommitOptions add_all;
  for (std::uint32_t leaf = 1; leaf < n; ++leaf) {
    Identity m = id(leaf);
    auto kp = must(create_key_package(m, kpo, rng));
    add_all.proposals.push_back(Proposal{Add{kp.key_package}});
    const bool committer = committers.contains(leaf);
    if (leaf == 1 || committer) tracked.emplace(leaf, std::make_pair(std::move(m), std::move(kp)));
  }
  auto out = must(f->a->commit(add_all, rng));
  must(f->a->merge_pending_commit());
  std::map<std::uint32_t, Group> groups;
  for (auto& [leaf, m] : tracked)
    groups.emplace(leaf, must(Group::join(m.first, m.second, *out.welcome, config)));
  for (auto& [leaf, g] : groups) {
    if (leaf == 1) continue;
    auto c = must(g.commit({}, rng));
    must(g.merge_pending_commit());
    for (auto& [other, og] : groups)
      if (other != leaf) must(og.merge(std::get<StagedCommit>(must(og.process(c.commit)))));
    must(f->a->merge(std::get<StagedCommit>(must(f->a->process(c.commit)))));
  }
  f->b.emplace(std::move(groups.at(1)));

  // The commit processed by mls/process_commit: removing the last member (or, with two
  // members, the processor itself).
  f->removed = LeafIndex(n - 1);
  CommitOptions remove;
  remove.proposals.push_back(Proposal{Remove{f->removed.value}});
  f->remove_commit = must(f->a->commit(remove, rng)).commit;
  f->a->discard_pending_commit();

  f->joiner.emplace(id(n));
  f->joiner_kp.emplace(must(create_key_package(*f->joiner, kpo, rng)));
  CommitOptions add;
  add.proposals.push_back(Proposal{Add{f->joiner_kp->key_package}});
  auto added = must(f->a->commit(add, rng));
  f->a->discard_pending_commit();
  f->add_commit = added.commit;
  f->welcome = *added.welcome;
  return f;
}

Fixture& fixture(std::uint32_t n, bool full) {
  static std::map<std::pair<std::uint32_t, bool>, std::unique_ptr<Fixture>> cache;
  auto& slot = cache[{n, full}];
  if (!slot) slot = build(n, full);
  return *slot;
}

void commit_remove(benchmark::State& state, std::uint32_t n, bool full) {
  auto& f = fixture(n, full);
  crypto::SeededRandom rng(1);
  CommitOptions options;
  options.proposals.push_back(Proposal{Remove{f.removed.value}});
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto out = f.a->commit(options, rng);
    if (!out) state.SkipWithError(out.error().describe().c_str());
    bytes = out ? out->commit.size() : 0;
    f.a->discard_pending_commit();
  }
  state.counters["commit_bytes"] = static_cast<double>(bytes);
}

void process_commit(benchmark::State& state, std::uint32_t n, bool full) {
  auto& f = fixture(n, full);
  for (auto _ : state) {
    auto staged = f.b->process(f.remove_commit);
    if (!staged) state.SkipWithError(staged.error().describe().c_str());
    benchmark::DoNotOptimize(staged);
  }
  state.counters["commit_bytes"] = static_cast<double>(f.remove_commit.size());
}

void add_welcome(benchmark::State& state, std::uint32_t n, bool full) {
  auto& f = fixture(n, full);
  crypto::SeededRandom rng(2);
  CommitOptions options;
  options.proposals.push_back(Proposal{Add{f.joiner_kp->key_package}});
  for (auto _ : state) {
    auto out = f.a->commit(options, rng);
    if (!out) state.SkipWithError(out.error().describe().c_str());
    f.a->discard_pending_commit();
    benchmark::DoNotOptimize(out);
  }
  state.counters["commit_bytes"] = static_cast<double>(f.add_commit.size());
  state.counters["welcome_bytes"] = static_cast<double>(f.welcome.size());
}

void join(benchmark::State& state, std::uint32_t n, bool full) {
  auto& f = fixture(n, full);
  for (auto _ : state) {
    auto g = Group::join(*f.joiner, *f.joiner_kp, f.welcome, GroupConfig{});
    if (!g) state.SkipWithError(g.error().describe().c_str());
    benchmark::DoNotOptimize(g);
  }
  state.counters["welcome_bytes"] = static_cast<double>(f.welcome.size());
}

void protect(benchmark::State& state, std::uint32_t n) {
  auto& f = fixture(n, true);
  crypto::SeededRandom rng(3);
  const Bytes pt(1024, 0x61);
  for (auto _ : state) {
    auto m = f.a->protect(pt, rng);
    if (!m) state.SkipWithError(m.error().describe().c_str());
    benchmark::DoNotOptimize(m);
  }
}

void unprotect(benchmark::State& state, std::uint32_t n) {
  auto& f = fixture(n, true);
  // mls/protect moved the sender's ratchet far ahead: let the receiver jump to it.
  GroupConfig config = f.b->config();
  config.ratchet.max_forward_jump = UINT32_MAX / 2;
  f.b->set_config(config);
  crypto::SeededRandom rng(4);
  const Bytes pt(1024, 0x61);
  std::vector<Bytes> batch;
  std::size_t next = 0;
  for (auto _ : state) {
    if (next == batch.size()) {
      state.PauseTiming();
      batch.clear();
      for (int i = 0; i < 512; ++i)
        batch.push_back(*f.a->protect(pt, rng));
      next = 0;
      state.ResumeTiming();
    }
    auto got = f.b->process(batch[next++]);
    if (!got) state.SkipWithError(got.error().describe().c_str());
    benchmark::DoNotOptimize(got);
  }
}

const bool kRegistered = [] {
  for (std::uint32_t n : {2u, 16u, 128u, 1024u, 4096u, 8192u}) {
    for (bool full : {true, false}) {
      const std::string tail = std::to_string(n) + (full ? "/full" : "/blank");
      benchmark::RegisterBenchmark(("mls/commit_remove/" + tail).c_str(), commit_remove, n, full)
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("mls/process_commit/" + tail).c_str(), process_commit, n, full)
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("mls/add_welcome/" + tail).c_str(), add_welcome, n, full)
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("mls/join/" + tail).c_str(), join, n, full)
          ->Unit(benchmark::kMillisecond);
    }
    benchmark::RegisterBenchmark(("mls/protect/" + std::to_string(n)).c_str(), protect, n)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("mls/unprotect/" + std::to_string(n)).c_str(), unprotect, n)
        ->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace
