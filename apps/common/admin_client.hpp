// The client side of mpsec-gcksd's administration socket: one JSON request, one JSON
// response, each framed as a 4-byte big-endian length and the bytes (as on every mpsec
// stream). Blocking: the command-line tool does one request per run.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "mpsec/result.hpp"

namespace mpsec::app {

[[nodiscard]] Result<nlohmann::json> admin_request(const std::string& socket_path,
                                                   const nlohmann::json& request);

}  // namespace mpsec::app
