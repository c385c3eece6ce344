// Record-protocol benchmarks, paired with raw OpenSSL baselines of the same run:
//   record/protect/<suite>/<size>, record/unprotect/<suite>/<size>   (no signatures)
//     vs crypto/evp_seal/<aead>/<size> and crypto/evp_open/<aead>/<size>
//   record/protect_signed/..., record/unprotect_signed/...
//     vs crypto/evp_sign/<sig> and crypto/evp_verify/<sig>
//   schedule/secret_tree_first_key/<leaves>  vs  crypto/evp_hmac/sha256 (one HMAC)
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <string>

#include "crypto/test_random.hpp"
#include "record/data_sa.hpp"
#include "schedule/group_context.hpp"
#include "schedule/secret_tree.hpp"

namespace {

using namespace mpsec;
using crypto::CipherSuite;

constexpr std::uint16_t kSuites[] = {1, 2, 3, 7};
constexpr std::size_t kSizes[] = {64, 1024, 16384};

struct Pair {
  std::optional<record::DataSA> sender, receiver;
};

Pair make_pair(const CipherSuite& suite, bool sign) {
  crypto::SeededRandom rng(7);
  auto k0 = *crypto::SigningKey::generate(suite.sig(), rng);
  auto k1 = *crypto::SigningKey::generate(suite.sig(), rng);
  schedule::GroupContext gc;
  gc.cipher_suite = suite.code();
  gc.group_id = {'b', 'e', 'n', 'c', 'h'};
  const Bytes gc_bytes = *codec::encode(gc);
  auto input = [&] {
    SecretBytes s(suite.hash_size());
    return record::EpochInput{0, schedule::EpochSecret(std::move(s)), gc_bytes, tree::LeafCount(2),
                              record::Roster{k0.verify_key(), k1.verify_key()}};
  };
  record::DataPolicy policy;
  policy.sign = sign;
  // A benchmark receives far more messages than any policy window; in order, so no skips.
  Pair p;
  p.sender = *record::DataSA::create(suite, gc.group_id, tree::LeafIndex(0), k0, policy, input(),
                                     Instant{});
  p.receiver = *record::DataSA::create(suite, gc.group_id, tree::LeafIndex(1), k1, policy, input(),
                                       Instant{});
  return p;
}

void protect(benchmark::State& state, std::uint16_t code, std::size_t size, bool sign) {
  const auto suite = *CipherSuite::from_code(code);
  auto pair = make_pair(suite, sign);
  const Bytes pt(size, 0x42);
  for (auto _ : state) {
    auto msg = pair.sender->protect(pt, {}, system_random());
    if (!msg) state.SkipWithError(msg.error().describe().c_str());
    benchmark::DoNotOptimize(msg);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void unprotect(benchmark::State& state, std::uint16_t code, std::size_t size, bool sign) {
  const auto suite = *CipherSuite::from_code(code);
  auto pair = make_pair(suite, sign);
  const Bytes pt(size, 0x42);
  constexpr std::size_t kBatch = 2048;
  std::vector<Bytes> batch;
  std::size_t next = 0;
  for (auto _ : state) {
    if (next == batch.size()) {  // refill outside the timed region
      state.PauseTiming();
      batch.clear();
      for (std::size_t i = 0; i < kBatch; ++i)
        batch.push_back(*pair.sender->protect(pt, {}, system_random()));
      next = 0;
      state.ResumeTiming();
    }
    auto got = pair.receiver->unprotect(batch[next++], Instant{});
    if (!got) state.SkipWithError(got.error().describe().c_str());
    benchmark::DoNotOptimize(got);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void secret_tree_first_key(benchmark::State& state, std::uint32_t leaves) {
  const auto suite = *CipherSuite::from_code(1);
  crypto::SeededRandom rng(9);
  std::uint32_t pick = 0;
  for (auto _ : state) {
    state.PauseTiming();
    schedule::SecretTree tree(suite, schedule::EncryptionSecret(SecretBytes(32)),
                              tree::LeafCount(leaves));
    std::uint8_t r[4];
    (void)rng.fill(r);
    pick = ((std::uint32_t{r[0]} << 24) | (r[1] << 16) | (r[2] << 8) | r[3]) % leaves;
    state.ResumeTiming();
    auto key = tree.next_key(tree::LeafIndex(pick), schedule::RatchetKind::application);
    if (!key) state.SkipWithError(key.error().describe().c_str());
    benchmark::DoNotOptimize(key);
  }
  state.counters["tree_levels"] = tree::log2(leaves);
}

// One HMAC-SHA256 of 64 bytes straight on EVP_MAC: the unit of cost of the key schedule.
void evp_hmac(benchmark::State& state) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  const Bytes key(32, 1), msg(64, 2);
  std::uint8_t out[32];
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  for (auto _ : state) {
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    std::size_t len = 0;
    const bool ok = EVP_MAC_init(ctx, key.data(), key.size(), params) == 1 &&
                    EVP_MAC_update(ctx, msg.data(), msg.size()) == 1 &&
                    EVP_MAC_final(ctx, out, &len, sizeof(out)) == 1;
    EVP_MAC_CTX_free(ctx);
    if (!ok) state.SkipWithError("EVP_MAC");
  }
  EVP_MAC_free(mac);
}

const bool kRegistered = [] {
  for (std::uint16_t code : kSuites) {
    for (std::size_t size : kSizes) {
      const std::string tail = std::to_string(code) + "/" + std::to_string(size);
      benchmark::RegisterBenchmark(("record/protect/" + tail).c_str(), protect, code, size, false);
      benchmark::RegisterBenchmark(("record/unprotect/" + tail).c_str(), unprotect, code, size,
                                   false);
      benchmark::RegisterBenchmark(("record/protect_signed/" + tail).c_str(), protect, code, size,
                                   true);
      benchmark::RegisterBenchmark(("record/unprotect_signed/" + tail).c_str(), unprotect, code,
                                   size, true);
    }
  }
  for (std::uint32_t leaves : {1u << 10, 1u << 16, 1u << 20})
    benchmark::RegisterBenchmark(
        ("schedule/secret_tree_first_key/" + std::to_string(leaves)).c_str(), secret_tree_first_key,
        leaves);
  benchmark::RegisterBenchmark("crypto/evp_hmac/sha256", evp_hmac);
  return true;
}();

}  // namespace
