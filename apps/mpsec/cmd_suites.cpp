// `mpsec suites`: the MLS cipher suites mpsec offers, each with a live self-test.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "crypto/self_test.hpp"

namespace mpsec::app {

namespace {

std::string_view kem_short(crypto::KemId kem) {
  switch (kem) {
    case crypto::KemId::p256:
      return "P-256";
    case crypto::KemId::p384:
      return "P-384";
    case crypto::KemId::p521:
      return "P-521";
    case crypto::KemId::x25519:
      return "X25519";
    case crypto::KemId::x448:
      return "X448";
  }
  return "?";
}

std::string_view hash_short(crypto::HashAlg h) {
  switch (h) {
    case crypto::HashAlg::sha256:
      return "SHA-256";
    case crypto::HashAlg::sha384:
      return "SHA-384";
    case crypto::HashAlg::sha512:
      return "SHA-512";
  }
  return "?";
}

std::string verdict(const Status& s) {
  return s ? "ok" : "FAIL (" + s.error().describe() + ")";
}

}  // namespace

void add_suites_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("suites", "List the cipher suites and self-test each one");
  cmd->callback([&exit_code] {
    std::printf("%-4s %-52s %-7s %-18s %-8s %-18s %-5s %-5s %-5s %s\n", "id", "name", "KEM", "AEAD",
                "hash", "signature", "aead", "sign", "hpke", "time");
    int failed = 0;
    for (const auto& suite : crypto::CipherSuite::all()) {
      const auto start = std::chrono::steady_clock::now();
      const auto result = crypto::self_test(suite, system_random());
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
      std::printf("%-4u %-52s %-7s %-18s %-8s %-18s %-5s %-5s %-5s %lld us\n", suite.code(),
                  std::string(suite.name()).c_str(), std::string(kem_short(suite.kem())).c_str(),
                  std::string(crypto::aead_name(suite.aead())).c_str(),
                  std::string(hash_short(suite.hash())).c_str(),
                  std::string(crypto::sig_name(suite.sig())).c_str(), result.aead ? "ok" : "FAIL",
                  result.signature ? "ok" : "FAIL", result.hpke ? "ok" : "FAIL",
                  static_cast<long long>(us));
      if (!result.passed()) {
        ++failed;
        for (const auto* s : {&result.aead, &result.signature, &result.hpke})
          if (!*s) std::cerr << "  " << suite.name() << ": " << verdict(*s) << "\n";
      }
    }
    std::printf("%zu suites, %d failed\n", crypto::CipherSuite::all().size(), failed);
    exit_code = failed == 0 ? 0 : 1;
  });
}

}  // namespace mpsec::app
