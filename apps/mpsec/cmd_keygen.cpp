// `mpsec keygen`: an identity key pair (signature key) for a GCKS or a member, and the storage
// master key of a GCKS.
#include <iostream>

#include "commands.hpp"
#include "key_file.hpp"
#include "mpsec/random.hpp"
#include "store/master_key.hpp"

namespace mpsec::app {

void add_keygen_command(CLI::App& app, int& exit_code) {
  auto* c = app.add_subcommand("keygen", "Create an identity key pair (<out>.key, <out>.pub)");
  auto out = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto suite = std::make_shared<int>(1);
  auto storage = std::make_shared<bool>(false);
  c->add_option("-o,--out", *out, "Path without extension, or the storage key file")->required();
  c->add_option("-n,--name", *name, "A name for logs and the allow-list");
  c->add_option("-s,--suite", *suite, "Cipher suite whose signature algorithm to use")
      ->capture_default_str();
  c->add_flag("--storage-key", *storage, "Create a GCKS storage master key file instead");
  c->callback([=, &exit_code] {
    auto run = [&]() -> Status {
      if (*storage) {
        MPSEC_TRY(store::create_master_key(*out, system_random()));
        std::cout << "storage master key written to " << *out << " (mode 0600)\n";
        return ok();
      }
      const auto cs = MPSEC_TRY(crypto::CipherSuite::from_code(static_cast<std::uint16_t>(*suite)));
      const auto key = MPSEC_TRY(crypto::SigningKey::generate(cs.sig(), system_random()));
      MPSEC_TRY(write_key_files(*out, key, name->empty() ? *out : *name));
      std::cout << "key pair written to " << *out << ".key (private, mode 0600) and " << *out
                << ".pub\n";
      return ok();
    };
    if (auto s = run(); !s) {
      std::cerr << "mpsec keygen: " << s.error().describe() << "\n";
      exit_code = 1;
    }
  });
}

}  // namespace mpsec::app
