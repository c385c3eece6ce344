// mls/deserialization.json: variable-length vector headers (RFC 9420 §2.1.2) decode to the
// given length, consume exactly the header, and re-encode to the same bytes.
#include <string>

#include "codec/varint.hpp"
#include "conformance/kinds.hpp"

namespace mpsec::conformance {

void run_mls_deserialization(const Json& doc, FileReport& report) {
  std::size_t index = 0;
  for (const auto& t : doc) {
    const std::string id = "case " + std::to_string(index++);
    Bytes header;
    if (!hex_field(t, "vlbytes_header", header)) {
      report.fail(id, "missing vlbytes_header");
      continue;
    }
    const auto length = t.at("length").get<std::uint64_t>();
    auto read = codec::read_varint(header);
    Bytes reencoded;
    const bool ok = read && read->value == length && read->size == header.size() &&
                    codec::write_varint(reencoded, length) && reencoded == header;
    report.check(ok, id,
                 "header " + t.at("vlbytes_header").get<std::string>() +
                     " does not round-trip length " + std::to_string(length));
  }
}

}  // namespace mpsec::conformance
