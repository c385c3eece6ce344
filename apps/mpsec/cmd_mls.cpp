// `mpsec mls ...`: drive an MLS group member from the command line. Every message read or
// written is an MLSMessage exactly as RFC 9420 encodes it; `--state DIR` keeps the member's
// identity, unused key packages and group state between commands.
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "mls/extensions.hpp"
#include "mls/leaf_node.hpp"
#include "mls_store.hpp"
#include "mpsec/hex.hpp"

namespace mpsec::app {

namespace {

using mls::Group;

std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

mls::GroupConfig config() {
  mls::GroupConfig c;
  c.validation.now = unix_now();
  return c;
}

// Runs a command body; prints a typed error and sets a non-zero exit code on failure.
void run(int& exit_code, const std::function<Status()>& body) {
  auto s = body();
  if (!s) {
    std::cerr << "mpsec mls: " << s.error().describe() << "\n";
    exit_code = 1;
  }
}

std::string member_name(const mls::LeafNode& leaf) {
  if (leaf.credential.credential_type == mls::CredentialType::basic)
    return std::string(leaf.credential.identity.begin(), leaf.credential.identity.end());
  return "x509";
}

Result<Group> load_group(const MlsStore& store) {
  return store.load_group(config());
}

void print_processed(const mls::Processed& p, const Group& g) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, mls::ApplicationMessage>) {
          const auto* leaf = g.tree().leaf_node(v.sender);
          std::cout << "application message from leaf " << v.sender.value << " ("
                    << (leaf ? member_name(*leaf) : "?") << "), epoch " << v.epoch << ", "
                    << v.data.size() << " bytes\n";
        } else if constexpr (std::is_same_v<T, mls::ProposalMessage>) {
          std::cout << "proposal of type " << static_cast<int>(v.proposal.type())
                    << " cached by reference " << to_hex(v.ref) << "\n";
        }
      },
      p);
}

}  // namespace

void add_mls_command(CLI::App& app, int& exit_code) {
  auto* mls = app.add_subcommand("mls", "Drive an MLS (RFC 9420) group member through files");
  mls->require_subcommand(1);
  auto state = std::make_shared<std::string>();
  auto add = [&](const char* name, const char* help) {
    auto* c = mls->add_subcommand(name, help);
    c->add_option("--state", *state, "State directory of this member")->required();
    return c;
  };

  {
    auto* c = add("identity", "Create a signature key and basic credential");
    auto suite = std::make_shared<std::uint16_t>(1);
    auto name = std::make_shared<std::string>();
    c->add_option("--suite", *suite, "Cipher suite (1-7)")->required();
    c->add_option("--name", *name, "Identity in the basic credential")->required();
    c->callback([=, &exit_code] {
      run(exit_code, [&]() -> Status {
        auto cs = MPSEC_TRY(crypto::CipherSuite::from_code(*suite));
        auto id = MPSEC_TRY(mls::Identity::generate(
            cs, mls::Credential::basic(to_bytes(as_bytes(*name))), system_random()));
        MPSEC_TRY(MlsStore(*state).save_identity(id));
        std::cout << "identity " << *name << " on " << cs.name() << "\n";
        return ok();
      });
    });
  }
  {
    auto* c = add("key-package", "Publish a KeyPackage (its private keys stay in the state)");
    auto out = std::make_shared<std::string>();
    c->add_option("--out", *out, "MLSMessage(KeyPackage) file")->required();
    c->callback([=, &exit_code] {
      run(exit_code, [&]() -> Status {
        MlsStore store(*state);
        auto id = MPSEC_TRY(store.load_identity());
        const std::uint64_t now = unix_now();
        auto kp = MPSEC_TRY(mls::create_key_package(
            id, mls::KeyPackageOptions{{now - 3600, now + 30 * 24 * 3600}, false, {}, {}},
            system_random()));
        MPSEC_TRY(store.save_key_package(kp));
        MPSEC_TRY(write_file(*out, MPSEC_TRY(codec::encode(mls::MlsMessage{kp.key_package}))));
        return ok();
      });
    });
  }
  {
    auto* c = add("create", "Create a group with this member alone in it");
    auto group_id = std::make_shared<std::string>();
    c->add_option("--group-id", *group_id, "Group id")->required();
    c->callback([=, &exit_code] {
      run(exit_code, [&]() -> Status {
        MlsStore store(*state);
        auto id = MPSEC_TRY(store.load_identity());
        auto g =
            MPSEC_TRY(Group::create(id, to_bytes(as_bytes(*group_id)), config(), system_random()));
        MPSEC_TRY(store.save_group(g));
        std::cout << "created group " << *group_id << " at epoch 0\n";
        return ok();
      });
    });
  }
  {
    auto* c = add("add", "Commit adding members by their KeyPackages");
    auto kps = std::make_shared<std::vector<std::string>>();
    auto commit_out = std::make_shared<std::string>();
    auto welcome_out = std::make_shared<std::string>();
    c->add_option("--key-package", *kps, "MLSMessage(KeyPackage) files")->required();
    c->add_option("--commit-out", *commit_out, "Commit output file")->required();
    c->add_option("--welcome-out", *welcome_out, "Welcome output file")->required();
    c->callback([=, &exit_code] {
      run(exit_code, [&]() -> Status {
        MlsStore store(*state);
        auto g = MPSEC_TRY(load_group(store));
        mls::CommitOptions options;
        for (const auto& f : *kps) {
          auto msg = MPSEC_TRY(codec::decode<mls::MlsMessage>(MPSEC_TRY(read_file(f))));
          const auto* kp = std::get_if<mls::KeyPackage>(&msg.body);
          MPSEC_ENSURE(kp != nullptr, Errc::invalid_argument, f + " is not a KeyPackage");
          options.proposals.push_back(mls::Proposal{mls::Add{*kp}});
        }
        auto out = MPSEC_TRY(g.commit(options, system_random()));
        MPSEC_TRY(g.merge_pending_commit());
        MPSEC_TRY(write_file(*commit_out, out.commit));
        MPSEC_TRY(write_file(*welcome_out, *out.welcome));
        MPSEC_TRY(store.save_group(g));
        std::cout << "added " << kps->size() << " member(s); now at epoch " << g.epoch() << "\n";
        return ok();
      });
    });
  }
  {
    auto* c = add("join", "Join a group from a Welcome");
    auto welcome = std::make_shared<std::string>();
    auto tree = std::make_shared<std::string>();
    c->add_option("--welcome", *welcome, "MLSMessage(Welcome) file")->required();
    c->add_option("--ratchet-tree", *tree, "Ratchet tree file, when the Welcome has none");
    c->callback([=, &exit_code] {
      run(exit_code, [&]() -> Status {
        MlsStore store(*state);
        auto id = MPSEC_TRY(store.load_identity());
        auto welcome_bytes = MPSEC_TRY(read_file(*welcome));
        std::optional<Bytes> tree_bytes;
        if (!tree->empty()) tree_bytes = MPSEC_TRY(read_file(*tree));
        auto bundles = MPSEC_TRY(store.load_key_packages(id.suite));
        Error last{Errc::not_found, "the Welcome is not for any key package held"};
        for (const auto& kp : bundles) {
          auto g = Group::join(id, kp, welcome_bytes, config(),
                               tree_bytes ? std::optional<ByteView>(*tree_bytes) : std::nullopt);
          if (!g) {
            last = g.error();
            continue;
          }
          MPSEC_TRY(store.save_group(*g));
          store.delete_key_package(kp);  // used once
          std::cout << "joined at epoch " << g->epoch() << " as leaf " << g->own_leaf().value
                    << "\n";
          return ok();
        }
        return tl::unexpected(last);
      });
    });
  }
  {
    auto* c = add("remove", "Commit removing a member (by leaf index or name)");
    auto member = std::make_shared<std::string>();
    auto commit_out = std::make_shared<std::string>();
    c->add_option("--member", *member, "Leaf index or credential identity")->required();
    c->add_option("--commit-out", *commit_out, "Commit output file")->required();
    c->callback([=, &exit_code] {
      run(exit_code, [&]() -> Status {
        MlsStore store(*state);
        auto g = MPSEC_TRY(load_group(store));
        std::optional<std::uint32_t> leaf;
        for (mls::LeafIndex l : g.tree().members())
          if (member_name(*g.tree().leaf_node(l)) == *member) leaf = l.value;
        if (!leaf && !member->empty() &&
            member->find_first_not_of("0123456789") == std::string::npos)
          leaf = static_cast<std::uint32_t>(std::stoul(*member));
        MPSEC_ENSURE(leaf.has_value(), Errc::not_found, "no member " + *member);
        mls::CommitOptions options;
        options.proposals.push_back(mls::Proposal{mls::Remove{*leaf}});
        auto out = MPSEC_TRY(g.commit(options, system_random()));
        MPSEC_TRY(g.merge_pending_commit());
        MPSEC_TRY(write_file(*commit_out, out.commit));
        MPSEC_TRY(store.save_group(g));
        std::cout << "removed leaf " << *leaf << "; now at epoch " << g.epoch() << "\n";
        return ok();
      });
    });
  }
  {
    auto* c = add("update", "Commit a fresh path for this member (post-compromise security)");
    auto commit_out = std::make_shared<std::string>();
    c->add_option("--commit-out", *commit_out, "Commit output file")->required();
    c->callback([=, &exit_code] {
      run(exit_code, [&]() -> Status {
        MlsStore store(*state);
        auto g = MPSEC_TRY(load_group(store));
        auto out = MPSEC_TRY(g.commit({}, system_random()));
        MPSEC_TRY(g.merge_pending_commit());
        MPSEC_TRY(write_file(*commit_out, out.commit));
        MPSEC_TRY(store.save_group(g));
        std::cout << "updated; now at epoch " << g.epoch() << "\n";
        return ok();
      });
    });
  }
  {
    auto* c = add("process", "Process a commit, proposal or application message");
    auto in = std::make_shared<std::string>();
    c->add_option("--in", *in, "MLSMessage file")->required();
    c->callback([=, &exit_code] {
      run(exit_code, [&]() -> Status {
        MlsStore store(*state);
        auto g = MPSEC_TRY(load_group(store));
        auto processed = MPSEC_TRY(g.process(MPSEC_TRY(read_file(*in))));
        if (auto* staged = std::get_if<mls::StagedCommit>(&processed)) {
          const bool out = staged->self_removed();
          const auto added = staged->added().size(), removed = staged->removed().size();
          MPSEC_TRY(g.merge(std::move(*staged)));
          std::cout << "commit: " << added << " added, " << removed << " removed; "
                    << (out ? "this member was removed"
                            : "now at epoch " + std::to_string(g.epoch()))
                    << "\n";
        } else {
          print_processed(processed, g);
          if (auto* app_msg = std::get_if<mls::ApplicationMessage>(&processed))
            std::cout.write(reinterpret_cast<const char*>(app_msg->data.data()),
                            static_cast<std::streamsize>(app_msg->data.size()))
                << "\n";
        }
        MPSEC_TRY(store.save_group(g));
        return ok();
      });
    });
  }
  {
    auto* c = add("protect", "Encrypt application data for the group");
    auto in = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    c->add_option("--in", *in, "Plaintext file")->required();
    c->add_option("--out", *out, "MLSMessage(PrivateMessage) file")->required();
    c->callback([=, &exit_code] {
      run(exit_code, [&]() -> Status {
        MlsStore store(*state);
        auto g = MPSEC_TRY(load_group(store));
        auto msg = MPSEC_TRY(g.protect(MPSEC_TRY(read_file(*in)), system_random()));
        // The sender's ratchet moved: save before the message leaves.
        MPSEC_TRY(store.save_group(g));
        return write_file(*out, msg);
      });
    });
  }
  {
    auto* c = add("unprotect", "Decrypt an application message");
    auto in = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    c->add_option("--in", *in, "MLSMessage(PrivateMessage) file")->required();
    c->add_option("--out", *out, "Plaintext file")->required();
    c->callback([=, &exit_code] {
      run(exit_code, [&]() -> Status {
        MlsStore store(*state);
        auto g = MPSEC_TRY(load_group(store));
        auto processed = MPSEC_TRY(g.process(MPSEC_TRY(read_file(*in))));
        auto* app_msg = std::get_if<mls::ApplicationMessage>(&processed);
        MPSEC_ENSURE(app_msg != nullptr, Errc::invalid_argument, "not an application message");
        MPSEC_TRY(store.save_group(g));
        print_processed(processed, g);
        return write_file(*out, app_msg->data);
      });
    });
  }
  {
    auto* c = add("export", "Print an exported secret (MLS-Exporter) in hex");
    auto label = std::make_shared<std::string>();
    auto context = std::make_shared<std::string>();
    auto length = std::make_shared<std::size_t>(32);
    c->add_option("--label", *label, "Exporter label")->required();
    c->add_option("--context", *context, "Context (text)");
    c->add_option("--length", *length, "Length in bytes");
    c->callback([=, &exit_code] {
      run(exit_code, [&]() -> Status {
        auto g = MPSEC_TRY(load_group(MlsStore(*state)));
        auto secret = MPSEC_TRY(g.export_secret(*label, as_bytes(*context), *length));
        std::cout << to_hex(secret.view()) << "\n";
        return ok();
      });
    });
  }
  {
    auto* c = add("group-info", "Write a signed GroupInfo (with the tree and external key)");
    auto out = std::make_shared<std::string>();
    c->add_option("--out", *out, "MLSMessage(GroupInfo) file")->required();
    c->callback([=, &exit_code] {
      run(exit_code, [&]() -> Status {
        auto g = MPSEC_TRY(load_group(MlsStore(*state)));
        return write_file(*out, MPSEC_TRY(g.group_info(true, true, system_random())));
      });
    });
  }
  {
    auto* c = add("external-join", "Join by external commit from a GroupInfo");
    auto info = std::make_shared<std::string>();
    auto commit_out = std::make_shared<std::string>();
    c->add_option("--group-info", *info, "MLSMessage(GroupInfo) file")->required();
    c->add_option("--commit-out", *commit_out, "External commit output file")->required();
    c->callback([=, &exit_code] {
      run(exit_code, [&]() -> Status {
        MlsStore store(*state);
        auto id = MPSEC_TRY(store.load_identity());
        auto joined = MPSEC_TRY(
            Group::join_external(id, MPSEC_TRY(read_file(*info)), config(), system_random()));
        MPSEC_TRY(write_file(*commit_out, joined.commit));
        MPSEC_TRY(store.save_group(joined.group));
        std::cout << "joined at epoch " << joined.group.epoch() << " as leaf "
                  << joined.group.own_leaf().value << "\n";
        return ok();
      });
    });
  }
  {
    auto* c = add("status", "Show epoch, members, tree hash and epoch authenticator");
    auto json = std::make_shared<bool>(false);
    c->add_flag("--json", *json, "Print JSON");
    c->callback([=, &exit_code] {
      run(exit_code, [&]() -> Status {
        auto g = MPSEC_TRY(load_group(MlsStore(*state)));
        nlohmann::json members = nlohmann::json::array();
        for (mls::LeafIndex l : g.tree().members())
          members.push_back({{"leaf", l.value}, {"identity", member_name(*g.tree().leaf_node(l))}});
        const std::string group_id(g.group_id().begin(), g.group_id().end());
        const auto tree_hash = to_hex(MPSEC_TRY(g.tree_hash()));
        const auto auth = to_hex(g.epoch_authenticator());
        if (*json) {
          std::cout << nlohmann::json{{"group_id", group_id},
                                      {"epoch", g.epoch()},
                                      {"cipher_suite", g.suite().code()},
                                      {"own_leaf", g.own_leaf().value},
                                      {"active", g.active()},
                                      {"members", members},
                                      {"tree_hash", tree_hash},
                                      {"epoch_authenticator", auth}}
                           .dump()
                    << "\n";
        } else {
          std::cout << "group " << group_id << " (" << g.suite().name() << ")\n"
                    << "epoch " << g.epoch() << (g.active() ? "" : " (removed)") << ", own leaf "
                    << g.own_leaf().value << "\nmembers:";
          for (const auto& m : members)
            std::cout << " " << m["leaf"] << ":" << m["identity"].get<std::string>();
          std::cout << "\ntree hash " << tree_hash << "\nepoch authenticator " << auth << "\n";
        }
        return ok();
      });
    });
  }
}

}  // namespace mpsec::app
