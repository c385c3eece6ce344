// Group::join (RFC 9420 §12.4.3.1) for a fixed joiner and its KeyPackageBundle, over:
// arbitrary Welcome bytes; the genuine Welcome with bytes overwritten; an insider's forgeries
// (the committer re-signs the GroupInfo and, knowing the group secrets, re-encrypts the
// Welcome) with changed GroupInfo, GroupSecrets or envelope; and, for a genuine Welcome
// without the ratchet_tree extension, arbitrary or overwritten explicit trees.
//
// Invariants (abort on violation): join never crashes, and a join that succeeds ends in the
// epoch of a genuine join (the same epoch_authenticator).
//
// Input: byte 0 picks the mode (bits 0-1), the variant (bit 2) and the forgery (bits 3-5);
// the rest is the mode's.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "crypto/aead.hpp"
#include "crypto/test_random.hpp"
#include "mls/extensions.hpp"
#include "mls/group.hpp"
#include "mls/welcome.hpp"
#include "schedule/key_schedule.hpp"

namespace {

using namespace mpsec;
using namespace mpsec::mls;

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "mls_welcome_fuzz: invariant violated: %s\n", what);
  std::abort();
}

template <class T>
T must(Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "mls_welcome_fuzz: fixture %s: %s\n", what, r.error().describe().c_str());
    std::abort();
  }
  return std::move(*r);
}

void must(const Status& s, const char* what) {
  if (!s) {
    std::fprintf(stderr, "mls_welcome_fuzz: fixture %s: %s\n", what, s.error().describe().c_str());
    std::abort();
  }
}

Bytes text(std::string_view s) {
  return to_bytes(as_bytes(s));
}

// (offset_hi, offset_lo, value) triples overwrite `bytes` (offsets modulo its size); one byte
// left over is appended, two truncate at that offset.
void overwrite(Bytes& bytes, ByteView edits) {
  std::size_t i = 0;
  for (; i + 3 <= edits.size() && !bytes.empty(); i += 3)
    bytes[((std::size_t{edits[i]} << 8) | edits[i + 1]) % bytes.size()] = edits[i + 2];
  const std::size_t left = edits.size() - i;
  if (left == 1) bytes.push_back(edits[i]);
  if (left == 2 && !bytes.empty())
    bytes.resize(((std::size_t{edits[i]} << 8) | edits[i + 1]) % bytes.size());
}

struct Fixture {
  crypto::CipherSuite suite;
  GroupConfig config;
  Identity joiner;
  KeyPackageBundle bundle;
  crypto::SigningKey committer_key;
  // A Welcome with the ratchet_tree extension, and what the genuine join ends in.
  Bytes welcome;
  Bytes authenticator;
  // What an insider knows of it: the GroupInfo and the GroupSecrets.
  GroupInfo info;
  SecretBytes secrets;  // GroupSecrets, encoded
  // A Welcome without the extension, its tree, and what the genuine join ends in.
  Bytes bare_welcome;
  Bytes tree;
  Bytes bare_authenticator;
};

Fixture build() {
  const auto suite = must(crypto::CipherSuite::from_code(1), "suite");
  crypto::SeededRandom rng(3);
  GroupConfig config;
  auto identity = [&](std::string_view name) {
    return must(Identity::generate(suite, Credential::basic(text(name)), rng), "identity");
  };
  auto key_package = [&](const Identity& id) {
    return must(create_key_package(id, KeyPackageOptions{{0, UINT64_MAX}, false, {}, {}}, rng),
                "key package");
  };
  const Identity alice = identity("alice"), bob = identity("bob"), carol = identity("carol");
  auto group = must(Group::create(alice, text("fuzz group"), config, rng), "create");
  CommitOptions add;
  add.proposals = {Proposal{Add{key_package(bob).key_package}},
                   Proposal{Add{key_package(carol).key_package}}};
  must(group.commit(add, rng), "add commit");
  must(group.merge_pending_commit(), "merge add");
  // The same epoch twice: one Welcome with the tree, one without.
  auto other = must(Group::load(must(group.save(), "save").view(), config), "load");

  auto joiner = identity("erin");
  auto bundle = key_package(joiner);
  Fixture f{suite,
            config,
            std::move(joiner),
            std::move(bundle),
            alice.signing_key,
            {},
            {},
            {},
            SecretBytes(),
            {},
            {},
            {}};
  CommitOptions options;
  options.proposals = {Proposal{Add{f.bundle.key_package}}};
  f.welcome = *must(group.commit(options, rng), "commit").welcome;
  must(group.merge_pending_commit(), "merge");
  f.authenticator = to_bytes(group.epoch_authenticator());
  auto joined = must(Group::join(f.joiner, f.bundle, f.welcome, config), "genuine join");
  check(equal(joined.epoch_authenticator(), f.authenticator), "genuine join");

  options.ratchet_tree_in_welcome = false;
  f.bare_welcome = *must(other.commit(options, rng), "bare commit").welcome;
  must(other.merge_pending_commit(), "merge bare");
  f.tree = must(other.tree().encode(), "tree");
  f.bare_authenticator = to_bytes(other.epoch_authenticator());
  auto bare = must(Group::join(f.joiner, f.bundle, f.bare_welcome, config, ByteView(f.tree)),
                   "genuine bare join");
  check(equal(bare.epoch_authenticator(), f.bare_authenticator), "genuine bare join");
  check(!Group::join(f.joiner, f.bundle, f.bare_welcome, config), "a join without a tree");

  // The insider's view of the Welcome with the tree.
  const auto msg = must(codec::decode<MlsMessage>(f.welcome), "decode Welcome");
  const auto& welcome = std::get<Welcome>(msg.body);
  const auto secrets =
      must(decrypt_group_secrets(suite, welcome, f.bundle.key_package, f.bundle.init_key),
           "decrypt secrets");
  f.secrets = SecretBytes(must(codec::encode(secrets), "encode secrets"));
  const auto psk = must(schedule::derive_psk_secret(suite, {}), "psk secret");
  const auto ws = must(schedule::derive_welcome_secret(
                           suite, schedule::JoinerSecret(secrets.joiner_secret.clone()), psk),
                       "welcome secret");
  f.info = must(decrypt_group_info(suite, ws, welcome.encrypted_group_info), "decrypt info");
  return f;
}

const Fixture& fixture() {
  static const Fixture f = build();
  return f;
}

// The insider's Welcome: `plain_info` (an encoded GroupInfo, or anything) encrypted under the
// welcome secret of `secrets`, which are encrypted to the joiner's KeyPackage.
Result<Bytes> seal(const Fixture& f, const GroupSecrets& secrets, ByteView plain_info) {
  const auto& suite = f.suite;
  const auto psk = MPSEC_TRY(schedule::derive_psk_secret(suite, {}));
  const auto ws = MPSEC_TRY(schedule::derive_welcome_secret(
      suite, schedule::JoinerSecret(secrets.joiner_secret.clone()), psk));
  const auto key = MPSEC_TRY(suite.expand_with_label(ws.view(), "key", {}, suite.key_size()));
  const auto nonce = MPSEC_TRY(suite.expand_with_label(ws.view(), "nonce", {}, suite.nonce_size()));
  const auto aead = MPSEC_TRY(crypto::AeadKey::create(suite.aead(), key.view()));
  Welcome w;
  w.cipher_suite = suite.code();
  w.encrypted_group_info = MPSEC_TRY(aead.seal(nonce.view(), {}, plain_info));
  crypto::SeededRandom rng(5);
  w.secrets.push_back(MPSEC_TRY(
      encrypt_group_secrets(suite, f.bundle.key_package, w.encrypted_group_info, secrets, rng)));
  return codec::encode(MlsMessage{std::move(w)});
}

// The forgeries, from the Welcome with the tree.
std::optional<Bytes> forgery(const Fixture& f, std::uint8_t kind, bool flag, ByteView rest) {
  auto secrets = codec::decode<GroupSecrets>(f.secrets.view());
  if (!secrets) return std::nullopt;
  GroupInfo info = f.info;
  bool resign = true;
  std::optional<Bytes> plain;  // the encoded GroupInfo, when overwritten
  switch (kind) {
    case 0: {  // bytes of the GroupInfo (signed after the edit when `flag`)
      if (flag) {
        auto encoded = codec::encode(info);
        if (!encoded) return std::nullopt;
        overwrite(*encoded, rest);
        auto decoded = codec::decode<GroupInfo>(*encoded);
        if (!decoded) {
          plain = std::move(*encoded);
          resign = false;
        } else {
          info = std::move(*decoded);
        }
      } else {
        plain = codec::encode(info).value_or(Bytes{});
        overwrite(*plain, rest);
        resign = false;
      }
      break;
    }
    case 1:  // GroupInfo extensions: the tree's bytes overwritten, or another extension
      if (flag) {
        for (auto& e : info.extensions)
          if (e.extension_type == static_cast<std::uint16_t>(ExtensionType::ratchet_tree))
            overwrite(e.extension_data, rest);
      } else if (rest.size() >= 2) {
        info.extensions.push_back(
            Extension{static_cast<std::uint16_t>((rest[0] << 8) | rest[1]), to_bytes(rest)});
      }
      break;
    case 2: {  // the GroupContext
      auto encoded = codec::encode(info.group_context);
      if (!encoded) return std::nullopt;
      overwrite(*encoded, rest);
      auto decoded = codec::decode<schedule::GroupContext>(*encoded);
      if (!decoded) return std::nullopt;
      info.group_context = std::move(*decoded);
      break;
    }
    case 3:  // the confirmation tag
      overwrite(info.confirmation_tag, rest);
      resign = flag;
      break;
    case 4:  // the signer
      info.signer = rest.empty() ? 0 : rest[0] % 8u;
      resign = flag;
      break;
    case 5: {  // the GroupSecrets
      auto& s = *secrets;
      if (rest.empty()) return std::nullopt;
      switch (rest[0] % 4) {
        case 0: {
          Bytes joiner = to_bytes(s.joiner_secret.view());
          overwrite(joiner, rest.subspan(1));
          s.joiner_secret = SecretBytes(ByteView(joiner));
          break;
        }
        case 1:
          s.path_secret.reset();
          break;
        case 2:
          if (s.path_secret) {
            Bytes p = to_bytes(s.path_secret->path_secret.view());
            overwrite(p, rest.subspan(1));
            s.path_secret->path_secret = SecretBytes(ByteView(p));
          }
          break;
        default: {
          schedule::PreSharedKeyId id;
          id.psk_id = to_bytes(rest.subspan(1));
          id.psk_nonce = Bytes(f.suite.hash_size());
          s.psks.push_back(std::move(id));
        }
      }
      break;
    }
    case 6: {  // the envelope of the genuine Welcome
      auto msg = codec::decode<MlsMessage>(f.welcome);
      if (!msg) return std::nullopt;
      auto& w = std::get<Welcome>(msg->body);
      if (rest.empty()) return std::nullopt;
      switch (rest[0] % 4) {
        case 0:
          w.cipher_suite = static_cast<std::uint16_t>(rest.size() > 1 ? rest[1] : 0);
          break;
        case 1:
          overwrite(w.encrypted_group_info, rest.subspan(1));
          break;
        case 2:
          w.secrets.push_back(w.secrets.front());
          overwrite(w.secrets.front().new_member, rest.subspan(1));
          break;
        default:
          overwrite(w.secrets.front().encrypted_group_secrets.kem_output, rest.subspan(1));
      }
      auto bytes = codec::encode(*msg);
      if (!bytes) return std::nullopt;
      return std::move(*bytes);
    }
    default:  // a signature the committer did not make
      info.signature = to_bytes(rest);
      resign = false;
  }
  if (resign && !sign_group_info(f.suite, f.committer_key, info)) return std::nullopt;
  if (!plain) {
    auto encoded = codec::encode(info);
    if (!encoded) return std::nullopt;
    plain = std::move(*encoded);
  }
  auto bytes = seal(f, *secrets, *plain);
  if (!bytes) return std::nullopt;
  return std::move(*bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const Fixture& f = fixture();
  const std::uint8_t mode = data[0] & 3, kind = (data[0] >> 3) & 7;
  const bool flag = (data[0] >> 2) & 1;
  const ByteView rest(data + 1, size - 1);

  Bytes welcome, tree;
  bool with_tree = false;
  switch (mode) {
    case 0:  // arbitrary bytes, alone or with the bare Welcome's tree
      welcome = to_bytes(rest);
      with_tree = flag;
      tree = f.tree;
      break;
    case 1:  // a genuine Welcome overwritten
      welcome = flag ? f.bare_welcome : f.welcome;
      overwrite(welcome, rest);
      with_tree = flag;
      tree = f.tree;
      break;
    case 2: {
      auto forged = forgery(f, kind, flag, rest);
      if (!forged) return 0;
      welcome = std::move(*forged);
      break;
    }
    default:  // the bare Welcome with an arbitrary or overwritten tree
      welcome = f.bare_welcome;
      with_tree = true;
      tree = flag ? to_bytes(rest) : f.tree;
      if (!flag) overwrite(tree, rest);
  }

  auto joined = with_tree ? Group::join(f.joiner, f.bundle, welcome, f.config, ByteView(tree))
                          : Group::join(f.joiner, f.bundle, welcome, f.config);
  if (!joined) {
    if (std::getenv("DBG"))
      std::fprintf(stderr, "DBG %d %d %d %s\n", mode, kind, flag,
                   joined.error().describe().c_str());
    return 0;
  }
  if (std::getenv("DBG")) std::fprintf(stderr, "DBG %d %d %d OK\n", mode, kind, flag);
  const ByteView got = joined->epoch_authenticator();
  check(equal(got, f.authenticator) || equal(got, f.bare_authenticator),
        "a join ended in an epoch no genuine join reaches");
  if (mode == 2 || (mode == 1 && !flag)) check(equal(got, f.authenticator), "forged epoch");
  if (mode == 3 || (mode == 1 && flag)) check(equal(got, f.bare_authenticator), "forged epoch");
  return 0;
}
