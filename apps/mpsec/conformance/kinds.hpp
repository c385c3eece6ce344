// The runners of each vector kind. Each lives in its own file.
#pragma once

#include <string_view>

#include "conformance/runner.hpp"

namespace mpsec::conformance {

// RFC 9180 test vectors (hpke/test-vectors.json).
bool is_hpke_file(std::string_view file_name);
void run_hpke(const Json& doc, FileReport& report);

// Wycheproof (C2SP/wycheproof testvectors_v1); dispatched on the file's "schema".
bool is_wycheproof_file(std::string_view file_name);
void run_wycheproof(const Json& doc, FileReport& report);

// mlswg/mls-implementations test vectors.
void run_mls_tree_math(const Json& doc, FileReport& report);
void run_mls_crypto_basics(const Json& doc, FileReport& report);
void run_mls_deserialization(const Json& doc, FileReport& report);
void run_mls_key_schedule(const Json& doc, FileReport& report);
void run_mls_psk_secret(const Json& doc, FileReport& report);
void run_mls_secret_tree(const Json& doc, FileReport& report);
void run_mls_message_protection(const Json& doc, FileReport& report);
void run_mls_messages(const Json& doc, FileReport& report);
void run_mls_tree_validation(const Json& doc, FileReport& report);
void run_mls_tree_operations(const Json& doc, FileReport& report);
void run_mls_treekem(const Json& doc, FileReport& report);
void run_mls_welcome(const Json& doc, FileReport& report);
void run_mls_transcript_hashes(const Json& doc, FileReport& report);
bool is_passive_client_file(std::string_view file_name);
void run_mls_passive_client(const Json& doc, FileReport& report);

}  // namespace mpsec::conformance
