// mls/messages.json: every message decodes with its structure and re-encodes to the same
// bytes.
#include <functional>
#include <string>

#include "conformance/kinds.hpp"
#include "mls/messages.hpp"

namespace mpsec::conformance {

namespace {

using namespace mpsec::mls;

template <class T>
bool round_trips(ByteView bytes) {
  auto decoded = codec::decode<T>(bytes);
  if (!decoded) return false;
  auto encoded = codec::encode(*decoded);
  return encoded && equal(*encoded, bytes);
}

// An MLSMessage of an expected wire format (and, for PublicMessages, content type).
bool message_round_trips(ByteView bytes, record::WireFormat wf,
                         std::optional<record::ContentType> type = std::nullopt) {
  auto decoded = codec::decode<MlsMessage>(bytes);
  if (!decoded || decoded->wire_format() != wf) return false;
  if (type) {
    const auto* pub = std::get_if<record::PublicMessage>(&decoded->body);
    if (pub == nullptr || pub->content.content_type != *type) return false;
  }
  auto encoded = codec::encode(*decoded);
  return encoded && equal(*encoded, bytes);
}

}  // namespace

void run_mls_messages(const Json& doc, FileReport& report) {
  using record::ContentType;
  using record::WireFormat;
  using Check = std::function<bool(ByteView)>;
  const std::pair<const char*, Check> checks[] = {
      {"mls_welcome", [](ByteView b) { return message_round_trips(b, WireFormat::welcome); }},
      {"mls_group_info", [](ByteView b) { return message_round_trips(b, WireFormat::group_info); }},
      {"mls_key_package",
       [](ByteView b) { return message_round_trips(b, WireFormat::key_package); }},
      {"ratchet_tree", round_trips<RatchetTreeNodes>},
      {"group_secrets", round_trips<GroupSecrets>},
      {"add_proposal", round_trips<Add>},
      {"update_proposal", round_trips<Update>},
      {"remove_proposal", round_trips<Remove>},
      {"pre_shared_key_proposal", round_trips<PreSharedKey>},
      {"re_init_proposal", round_trips<ReInit>},
      {"external_init_proposal", round_trips<ExternalInit>},
      {"group_context_extensions_proposal", round_trips<GroupContextExtensions>},
      {"commit", round_trips<Commit>},
      {"public_message_application",
       [](ByteView b) {
         return message_round_trips(b, WireFormat::public_message, ContentType::application);
       }},
      {"public_message_proposal",
       [](ByteView b) {
         return message_round_trips(b, WireFormat::public_message, ContentType::proposal);
       }},
      {"public_message_commit",
       [](ByteView b) {
         return message_round_trips(b, WireFormat::public_message, ContentType::commit);
       }},
      {"private_message",
       [](ByteView b) { return message_round_trips(b, WireFormat::private_message); }},
  };
  std::size_t index = 0;
  for (const auto& t : doc) {
    const std::string id = "case " + std::to_string(index++);
    for (const auto& [name, check] : checks) {
      Bytes bytes;
      if (!hex_field(t, name, bytes)) {
        report.fail(id + " " + name, "missing field");
        continue;
      }
      report.check(check(bytes), id + " " + name, "does not decode and re-encode byte for byte");
    }
  }
}

}  // namespace mpsec::conformance
