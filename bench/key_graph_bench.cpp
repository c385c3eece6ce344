// Key graphs of the centralized mode: GCKS compute per rekey, suite 1 (32-byte keys).
//   lkh/leave/<d>/<n>        one member removed + rekey()
//   lkh/join/<d>/<n>         one member admitted (into a freed slot) + rekey()
//   lkh/batch_1pct/<d>/<n>   n/100 removals and n/100 admissions + one rekey()
//   flat/leave/<n>           the flat table with W = log2(n) id bits, full: one removal + rekey()
// for d = 2, 4, 8 and n = 1024, 16384, 131072, 1048576. Each graph is built once (bulk
// admits, no rekey in between) and shared by the three LKH figures of its (d, n); every
// iteration puts it back as it was, outside the timing.
// Counters: rekey_bytes (the encoded GraphRekey), wraps, revisions, member_apply_ns (one
// member's MemberKeyRing::apply of that rekey, timed on its own: the member that does the most
// work, a sibling of the departed or admitted slot), bytes_per_member (memory_bytes() / n).
// Baseline in the same run: crypto/evp_aes256gcm_wrap, one 32-byte key sealed with AES-256-GCM
// straight on EVP, key set up per wrap (every wrap is under a different key), so a rekey's
// time reads in wrap units.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <type_traits>

#include "crypto/cipher_suite.hpp"
#include "crypto/test_random.hpp"
#include "tree/key_graph.hpp"

namespace {

using namespace mpsec;
using namespace mpsec::tree;

const Bytes kContext = {'b', 'e', 'n', 'c', 'h'};

const crypto::CipherSuite& suite() {
  static const crypto::CipherSuite s = *crypto::CipherSuite::from_code(1);
  return s;
}

template <class T>
T must(Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "key_graph_bench: %s failed: %s\n", what, r.error().describe().c_str());
    std::abort();
  }
  if constexpr (!std::is_void_v<T>) return std::move(*r);
}

// One graph at a time: the figures of one (kind, d, n) run one after another.
struct Cache {
  bool flat = false;
  std::uint32_t param = 0, n = 0;
  std::unique_ptr<KeyGraph> graph;
};

KeyGraph& cached_graph(bool flat, std::uint32_t param, std::uint32_t n) {
  static Cache cache;
  if (cache.graph && cache.flat == flat && cache.param == param && cache.n == n)
    return *cache.graph;
  cache.graph.reset();
  const auto start = std::chrono::steady_clock::now();
  crypto::SeededRandom rng(std::uint64_t{param} << 32 | n);
  auto g = must(flat ? make_flat_table(suite(), kContext, param, rng)
                     : make_lkh_tree(suite(), kContext, param, rng),
                "make graph");
  for (std::uint32_t i = 0; i < n; ++i)
    (void)must(g->admit(rng), "admit");
  (void)must(g->rekey(false, rng), "rekey");
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "built %s %u/%u in %.2f s (%.1f bytes/member)\n", flat ? "flat" : "lkh",
               param, n, secs, static_cast<double>(g->memory_bytes()) / n);
  cache = Cache{flat, param, n, std::move(g)};
  return *cache.graph;
}

MemberKeyRing ring_of(const KeyGraph& g, std::uint32_t slot) {
  auto keys = must(g.member_keys(slot), "member_keys");
  return MemberKeyRing(suite(), kContext, std::move(keys), must(g.group_key(), "group_key").node);
}

// Sums of the per-rekey figures, reported as averages.
struct Figures {
  double bytes = 0, wraps = 0, revisions = 0, apply_ns = 0;
  std::int64_t count = 0;

  void add(const GraphRekey& rk, MemberKeyRing& member) {
    bytes += static_cast<double>(must(codec::encode(rk), "encode").size());
    wraps += static_cast<double>(rk.wraps.size());
    revisions += static_cast<double>(rk.revisions.size());
    const auto start = std::chrono::steady_clock::now();
    auto applied = member.apply(rk);
    const auto stop = std::chrono::steady_clock::now();
    (void)must(std::move(applied), "member apply");
    apply_ns += static_cast<double>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(stop - start).count());
    ++count;
  }
  void report(benchmark::State& state, const KeyGraph& g, std::uint32_t n) const {
    const double c = count > 0 ? static_cast<double>(count) : 1.0;
    state.counters["rekey_bytes"] = bytes / c;
    state.counters["wraps"] = wraps / c;
    state.counters["revisions"] = revisions / c;
    state.counters["member_apply_ns"] = apply_ns / c;
    state.counters["bytes_per_member"] = static_cast<double>(g.memory_bytes()) / n;
  }
};

void lkh_leave(benchmark::State& state, std::uint32_t degree, std::uint32_t n) {
  KeyGraph& g = cached_graph(false, degree, n);
  Random& rng = system_random();
  std::mt19937 prng(1);
  Figures fig;
  for (auto _ : state) {
    state.PauseTiming();
    const auto victim = static_cast<std::uint32_t>(prng() % n);
    MemberKeyRing sibling = ring_of(g, victim ^ 1u);
    state.ResumeTiming();

    (void)must(g.remove(victim), "remove");
    auto rk = must(g.rekey(false, rng), "rekey");

    state.PauseTiming();
    fig.add(rk, sibling);
    (void)must(g.admit(rng), "admit");  // refills the slot
    (void)must(g.rekey(false, rng), "rekey");
    state.ResumeTiming();
  }
  fig.report(state, g, n);
}

void lkh_join(benchmark::State& state, std::uint32_t degree, std::uint32_t n) {
  KeyGraph& g = cached_graph(false, degree, n);
  Random& rng = system_random();
  std::mt19937 prng(2);
  Figures fig;
  for (auto _ : state) {
    state.PauseTiming();
    const auto slot = static_cast<std::uint32_t>(prng() % n);
    (void)must(g.remove(slot), "remove");  // make room: the tree is full
    (void)must(g.rekey(false, rng), "rekey");
    MemberKeyRing sibling = ring_of(g, slot ^ 1u);
    state.ResumeTiming();

    auto admission = must(g.admit(rng), "admit");
    auto rk = must(g.rekey(false, rng), "rekey");

    state.PauseTiming();
    benchmark::DoNotOptimize(admission);
    fig.add(rk, sibling);
    state.ResumeTiming();
  }
  fig.report(state, g, n);
}

void lkh_batch(benchmark::State& state, std::uint32_t degree, std::uint32_t n) {
  KeyGraph& g = cached_graph(false, degree, n);
  Random& rng = system_random();
  std::mt19937 prng(3);
  const std::uint32_t k = std::max<std::uint32_t>(1, n / 100);
  Figures fig;
  for (auto _ : state) {
    state.PauseTiming();
    std::set<std::uint32_t> victims;
    while (victims.size() < k)
      victims.insert(static_cast<std::uint32_t>(prng() % n));
    std::uint32_t watcher = *victims.begin() ^ 1u;
    while (victims.count(watcher) != 0)
      watcher = static_cast<std::uint32_t>(prng() % n);
    MemberKeyRing member = ring_of(g, watcher);
    state.ResumeTiming();

    for (std::uint32_t v : victims)
      (void)must(g.remove(v), "remove");
    for (std::uint32_t i = 0; i < k; ++i)
      (void)must(g.admit(rng), "admit");  // into the freed slots
    auto rk = must(g.rekey(false, rng), "rekey");

    state.PauseTiming();
    fig.add(rk, member);
    state.ResumeTiming();
  }
  fig.report(state, g, n);
}

void flat_leave(benchmark::State& state, std::uint32_t n) {
  const auto bits = static_cast<std::uint32_t>(std::countr_zero(n));  // n is a power of two
  KeyGraph& g = cached_graph(true, bits, n);
  Random& rng = system_random();
  std::mt19937 prng(4);
  Figures fig;
  for (auto _ : state) {
    state.PauseTiming();
    const auto victim = static_cast<std::uint32_t>(prng() % n);
    // Differs from the victim in bit 0 only: one unwrap and W - 1 revisions mixed with the TEK.
    MemberKeyRing neighbour = ring_of(g, victim ^ 1u);
    state.ResumeTiming();

    (void)must(g.remove(victim), "remove");
    auto rk = must(g.rekey(false, rng), "rekey");

    state.PauseTiming();
    fig.add(rk, neighbour);
    (void)must(g.admit(rng), "admit");  // the freed id
    (void)must(g.rekey(false, rng), "rekey");
    state.ResumeTiming();
  }
  fig.report(state, g, n);
}

void evp_aes256gcm_wrap(benchmark::State& state) {
  std::uint8_t key[32], iv[12], aad[5 + 16], pt[32], out[32], tag[16];
  for (std::size_t i = 0; i < sizeof(key); ++i)
    key[i] = static_cast<std::uint8_t>(i * 7 + 1);
  for (std::size_t i = 0; i < sizeof(iv); ++i)
    iv[i] = static_cast<std::uint8_t>(i + 2);
  for (std::size_t i = 0; i < sizeof(aad); ++i)
    aad[i] = static_cast<std::uint8_t>(i + 3);
  for (std::size_t i = 0; i < sizeof(pt); ++i)
    pt[i] = static_cast<std::uint8_t>(i + 4);
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  for (auto _ : state) {
    int len = 0, fin = 0;
    const bool ok = EVP_EncryptInit_ex2(ctx, cipher, key, iv, nullptr) == 1 &&
                    EVP_EncryptUpdate(ctx, nullptr, &len, aad, sizeof(aad)) == 1 &&
                    EVP_EncryptUpdate(ctx, out, &len, pt, sizeof(pt)) == 1 &&
                    EVP_EncryptFinal_ex(ctx, out + len, &fin) == 1 &&
                    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, sizeof(tag), tag) == 1;
    if (!ok) state.SkipWithError("EVP AES-256-GCM");
    benchmark::DoNotOptimize(out);
    benchmark::DoNotOptimize(tag);
  }
  EVP_CIPHER_CTX_free(ctx);
  EVP_CIPHER_free(cipher);
}

const bool kRegistered = [] {
  benchmark::RegisterBenchmark("crypto/evp_aes256gcm_wrap", evp_aes256gcm_wrap);
  const std::uint32_t sizes[] = {1024, 16384, 131072, 1048576};
  for (std::uint32_t d : {2u, 4u, 8u}) {
    for (std::uint32_t n : sizes) {
      const std::string tail = std::to_string(d) + "/" + std::to_string(n);
      benchmark::RegisterBenchmark(("lkh/leave/" + tail).c_str(), lkh_leave, d, n)
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("lkh/join/" + tail).c_str(), lkh_join, d, n)
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("lkh/batch_1pct/" + tail).c_str(), lkh_batch, d, n)
          ->Unit(benchmark::kMillisecond);
    }
  }
  for (std::uint32_t n : sizes)
    benchmark::RegisterBenchmark(("flat/leave/" + std::to_string(n)).c_str(), flat_leave, n)
        ->Unit(benchmark::kMicrosecond);
  return true;
}();

}  // namespace
