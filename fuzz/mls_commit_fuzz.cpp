// Group::process (RFC 9420 §12.4.2) at a receiving member of a fixed group, over: arbitrary
// bytes; the genuine commit with bytes overwritten; and an insider's forgeries of it (the
// committer's key re-signs, the group's keys re-tag or re-encrypt) with a changed Commit or
// framing, which reach past authentication deep into commit processing. Two groups: one
// sending handshake messages as PublicMessages, one as PrivateMessages.
//
// Invariants (abort on violation): process never crashes; a failure leaves the receiver's
// saved state byte for byte as it was; a StagedCommit merges and yields the committer's
// epoch_authenticator; only an insider's forgery may be accepted as a proposal, or as
// application data when encrypted (the committer's own keys make it the committer's message),
// and then as sent by the committer.
//
// Input: byte 0 picks the group (bit 0), the receiver (bits 1-2), the mode (bits 3-4) and
// the forgery (bits 5-7); the rest is the mode's.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "crypto/test_random.hpp"
#include "mls/group.hpp"
#include "mls/group_state.hpp"
#include "record/content_auth.hpp"
#include "record/private_message.hpp"

namespace mpsec::mls {

// The keys an insider holds (the fuzz build's own; tests/mls/group_test_access.hpp has the
// tests' one, which needs gtest).
struct GroupTestAccess {
  static const Group::State& state(const Group& g) { return *g.state_; }
};

}  // namespace mpsec::mls

namespace {

using namespace mpsec;
using namespace mpsec::mls;
using A = GroupTestAccess;
using record::WireFormat;

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "mls_commit_fuzz: invariant violated: %s\n", what);
  std::abort();
}

template <class T>
T must(Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "mls_commit_fuzz: fixture %s: %s\n", what, r.error().describe().c_str());
    std::abort();
  }
  return std::move(*r);
}

void must(const Status& s, const char* what) {
  if (!s) {
    std::fprintf(stderr, "mls_commit_fuzz: fixture %s: %s\n", what, s.error().describe().c_str());
    std::abort();
  }
}

Bytes text(std::string_view s) {
  return to_bytes(as_bytes(s));
}

Bytes saved(const Group& g) {
  return to_bytes(must(g.save(), "save").view());
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

struct Receiver {
  std::string name;
  Group group;
  Bytes snapshot;  // its saved state: what it must still be after any failure
};

// One group and one genuine commit in it, with everything the checks and the insider need.
struct Target {
  crypto::CipherSuite suite;
  GroupConfig config;
  crypto::SigningKey committer_key;
  Bytes commit;         // the genuine commit (MLSMessage)
  Bytes authenticator;  // the committer's epoch_authenticator after merging it
  record::FramedContent content;
  record::FramedContentAuthData auth;
  std::optional<Group> insider;  // a member's copy before the commit: the group's keys
  Bytes secret_tree;             // the insider's secret tree, encoded, cloned per forgery
  std::vector<Receiver> receivers;
  std::vector<KeyPackage> key_packages;  // for forged Adds
  std::vector<LeafNode> leaves;          // for forged Updates and paths
};

struct Member {
  Identity identity;
  std::optional<Group> group;
};

Target build(bool encrypt_handshake) {
  const auto suite = must(crypto::CipherSuite::from_code(1), "suite");
  crypto::SeededRandom rng(encrypt_handshake ? 2 : 1);
  GroupConfig config;
  config.encrypt_handshake = encrypt_handshake;
  auto member = [&](std::string_view name) {
    return Member{must(Identity::generate(suite, Credential::basic(text(name)), rng), "identity"),
                  std::nullopt};
  };
  auto key_package = [&](const Member& m) {
    return must(
        create_key_package(m.identity, KeyPackageOptions{{0, UINT64_MAX}, false, {}, {}}, rng),
        "key package");
  };
  Member alice = member("alice"), bob = member("bob"), carol = member("carol"),
         dave = member("dave"), erin = member("erin");
  alice.group.emplace(
      must(Group::create(alice.identity, text("fuzz group"), config, rng), "create"));

  // Epoch 1: alice, bob, carol, dave.
  CommitOptions add;
  std::vector<KeyPackageBundle> bundles;
  for (Member* m : {&bob, &carol, &dave}) {
    bundles.push_back(key_package(*m));
    add.proposals.push_back(Proposal{Add{bundles.back().key_package}});
  }
  auto added = must(alice.group->commit(add, rng), "add commit");
  must(alice.group->merge_pending_commit(), "merge add");
  Member* joiners[] = {&bob, &carol, &dave};
  for (std::size_t i = 0; i < 3; ++i)
    joiners[i]->group.emplace(
        must(Group::join(joiners[i]->identity, bundles[i], *added.welcome, config), "join"));

  // bob proposes an Update, the others cache it.
  auto update = must(bob.group->update_proposal(rng), "update proposal");
  const Bytes proposal = must(bob.group->propose(update, rng), "propose");
  for (Member* m : {&alice, &carol, &dave})
    must(m->group->process(proposal), "process proposal");

  Target t{suite, config, alice.identity.signing_key, {}, {}, {}, {}, {}, {}, {}, {}, {}};
  // The insider's copy of the epoch, before the commit.
  t.insider.emplace(must(Group::load(saved(*carol.group), config), "load insider"));
  {
    codec::Writer w;
    A::state(*t.insider).current.secret_tree.encode(w);
    t.secret_tree = must(std::move(w).finish(), "encode secret tree");
  }

  // The genuine commit: alice adds erin and removes dave, covers bob's Update by reference,
  // and sends a path.
  const auto erin_kp = key_package(erin);
  t.key_packages = {erin_kp.key_package, key_package(bob).key_package,
                    key_package(carol).key_package};
  t.leaves = {std::get<Update>(update.body).leaf_node, erin_kp.key_package.leaf_node};
  CommitOptions options;
  options.proposals = {Proposal{Add{erin_kp.key_package}},
                       Proposal{Remove{dave.group->own_leaf().value}}};
  auto out = must(alice.group->commit(options, rng), "commit");
  t.commit = out.commit;

  // The receivers, each checked to accept the genuine commit (on a copy).
  must(alice.group->merge_pending_commit(), "merge commit");
  t.authenticator = to_bytes(alice.group->epoch_authenticator());
  const std::pair<const char*, Member*> receivers[] = {
      {"bob", &bob}, {"carol", &carol}, {"dave", &dave}};
  for (auto [name, m] : receivers) {
    Receiver r{name, must(Group::load(saved(*m->group), config), "load receiver"),
               saved(*m->group)};
    check(saved(r.group) == r.snapshot, "a loaded state saves as it was saved");
    auto copy = must(Group::load(r.snapshot, config), "load copy");
    auto staged = must(copy.process(t.commit), "genuine commit");
    auto& s = std::get<StagedCommit>(staged);
    const bool removed = s.self_removed();
    must(copy.merge(std::move(s)), "merge genuine");
    check(removed || equal(copy.epoch_authenticator(), t.authenticator), "genuine authenticator");
    t.receivers.push_back(std::move(r));
  }

  // The genuine commit's content and auth, as the receivers see them.
  if (!encrypt_handshake) {
    codec::Reader r(t.commit);
    must(record::decode_header(r), "header");
    auto m = must(record::PublicMessage::decode(r, content_codec()), "decode commit");
    t.content = std::move(m.content);
    t.auth = std::move(m.auth);
  } else {
    const auto& s = A::state(*t.insider);
    const auto view = must(record::PrivateMessageView::parse(t.commit), "parse commit");
    codec::Reader r(t.secret_tree);
    const auto tree = must(schedule::SecretTree::decode(suite, r, config.ratchet), "tree");
    auto d = must(record::unprotect_private(record::PrivateKeys{suite, s.current.sender_data_kdf},
                                            tree, view, content_codec()),
                  "decrypt commit");
    t.content = std::move(d.content.content);
    t.auth = std::move(d.content.auth);
  }
  return t;
}

Target& target(bool encrypted) {
  static Target targets[2] = {build(false), build(true)};
  return targets[encrypted ? 1 : 0];
}

// The insider's message: `content` and `auth` re-signed by the committer (when `resign`),
// then framed as the group frames handshake messages: re-tagged or re-encrypted.
Result<Bytes> forge(const Target& t, record::FramedContent content,
                    record::FramedContentAuthData auth, bool resign) {
  const auto& s = A::state(*t.insider);
  const auto wf =
      t.config.encrypt_handshake ? WireFormat::private_message : WireFormat::public_message;
  if (content.content_type != record::ContentType::commit) auth.confirmation_tag.reset();
  if (content.content_type == record::ContentType::commit && !auth.confirmation_tag)
    auth.confirmation_tag = Bytes(t.suite.hash_size());
  if (resign)
    auth.signature = MPSEC_TRY(
        record::sign_content(t.suite, t.committer_key, wf, content, s.current.context_bytes));
  const record::AuthenticatedContent ac{wf, std::move(content), std::move(auth)};
  if (wf == WireFormat::private_message) {
    codec::Reader r(t.secret_tree);
    auto tree = MPSEC_TRY(schedule::SecretTree::decode(t.suite, r, t.config.ratchet));
    crypto::SeededRandom rng(7);
    return record::protect_private(record::PrivateKeys{t.suite, s.current.sender_data_kdf}, tree,
                                   ac, 0, rng);
  }
  record::PublicMessage m{ac.content, ac.auth, std::nullopt};
  if (ac.content.sender.sender_type == record::SenderType::member)
    m.membership_tag = MPSEC_TRY(record::membership_tag(t.suite, s.current.secrets.membership_key,
                                                        ac, s.current.context_bytes));
  codec::Writer w;
  record::encode_header(w, WireFormat::public_message);
  m.encode(w);
  return std::move(w).finish();
}

// Structured edits of the decoded Commit, two or three input bytes each.
void edit_commit(const Target& t, Commit& c, ByteView ops) {
  for (std::size_t i = 0; i + 2 <= ops.size(); i += 2) {
    const std::uint8_t op = ops[i] % 12, arg = ops[i + 1];
    auto& ps = c.proposals;
    switch (op) {
      case 0:  // drop a proposal
        if (!ps.empty()) ps.erase(ps.begin() + arg % ps.size());
        break;
      case 1:  // repeat one
        if (!ps.empty()) ps.push_back(ps[arg % ps.size()]);
        break;
      case 2:  // swap the first with another
        if (!ps.empty()) std::swap(ps.front(), ps[arg % ps.size()]);
        break;
      case 3:  // drop or restore the path
        if (c.path) c.path.reset();
        break;
      case 4:  // a Remove of some leaf
        ps.push_back({Proposal{Remove{arg % 8u}}});
        break;
      case 5:  // an Add of a fixed KeyPackage
        ps.push_back({Proposal{Add{t.key_packages[arg % t.key_packages.size()]}}});
        break;
      case 6:  // an Update by value with a fixed leaf
        ps.push_back({Proposal{Update{t.leaves[arg % t.leaves.size()]}}});
        break;
      case 7: {  // other kinds of proposal
        switch (arg % 5) {
          case 0: {
            schedule::PreSharedKeyId id;
            id.psk_id = {arg};
            id.psk_nonce = Bytes(arg % 2 == 0 ? 32 : 31, arg);
            ps.push_back({Proposal{PreSharedKey{id}}});
            break;
          }
          case 1:
            ps.push_back({Proposal{ReInit{text("new"), record::kProtocolVersionMls10, 1, {}}}});
            break;
          case 2:
            ps.push_back({Proposal{ExternalInit{Bytes(32, arg)}}});
            break;
          case 3:
            ps.push_back({Proposal{GroupContextExtensions{{Extension{arg, Bytes{arg}}}}}});
            break;
          default:
            ps.push_back({Bytes(32, arg)});  // a reference to nothing
        }
        break;
      }
      case 8:  // a byte of a reference or of a proposal's encryption key
        for (auto& p : ps)
          if (auto* ref = std::get_if<Bytes>(&p.value); ref && !ref->empty())
            (*ref)[arg % ref->size()] ^= 0x01;
        break;
      case 9:  // the path's leaf: another fixed leaf, or one byte of its key
        if (c.path) {
          if (arg & 1)
            c.path->leaf_node = t.leaves[(arg >> 1) % t.leaves.size()];
          else if (auto& key = c.path->leaf_node.encryption_key; !key.empty())
            key[(arg >> 1) % key.size()] ^= 0x01;
        }
        break;
      case 10:  // path nodes: drop, duplicate, or change a key
        if (c.path && !c.path->nodes.empty()) {
          auto& nodes = c.path->nodes;
          const std::size_t n = (arg >> 2) % nodes.size();
          if ((arg & 3) == 0) nodes.erase(nodes.begin() + n);
          if ((arg & 3) == 1) nodes.push_back(nodes[n]);
          if ((arg & 3) == 2 && !nodes[n].encryption_key.empty()) nodes[n].encryption_key[0] ^= 1;
          if ((arg & 3) == 3) std::swap(nodes.front(), nodes[n]);
        }
        break;
      default:  // encrypted path secrets: drop one or change its ciphertext
        if (c.path)
          for (auto& node : c.path->nodes)
            if (!node.encrypted_path_secret.empty()) {
              auto& cts = node.encrypted_path_secret;
              auto& ct = cts[arg % cts.size()];
              if (arg & 0x80)
                cts.erase(cts.begin() + arg % cts.size());
              else if (!ct.ciphertext.empty())
                ct.ciphertext[arg % ct.ciphertext.size()] ^= 0x01;
              break;
            }
    }
  }
}

// The forgeries of mode 2. Returns the message and whether the committer's key signed it.
std::optional<std::pair<Bytes, bool>> forgery(const Target& t, std::uint8_t kind, ByteView rest) {
  auto content = t.content;
  auto auth = t.auth;
  bool resign = true;
  switch (kind) {
    case 0:  // bytes of the Commit overwritten
      overwrite(content.content, rest);
      break;
    case 1:  // the Commit replaced
      content.content = to_bytes(rest);
      break;
    case 2: {  // the decoded Commit edited
      auto c = codec::decode<Commit>(content.content);
      if (!c) return std::nullopt;
      edit_commit(t, *c, rest);
      auto encoded = codec::encode(*c);
      if (!encoded) return std::nullopt;
      content.content = std::move(*encoded);
      break;
    }
    case 3:  // authenticated data
      content.authenticated_data = to_bytes(rest);
      break;
    case 4:  // the confirmation tag (signed over by nothing)
      auth.confirmation_tag = to_bytes(rest);
      resign = false;
      break;
    case 5: {  // the framing: sender, epoch, group, content type
      if (rest.size() < 4) return std::nullopt;
      const std::uint8_t sender_type = 1 + rest[0] % 4;
      content.sender = record::Sender{static_cast<record::SenderType>(sender_type), rest[1] % 8u};
      if (rest[2] & 1) content.epoch += (rest[2] >> 1) - 64;
      if (rest[2] & 0x80) content.group_id.push_back(rest[2]);
      content.content_type = static_cast<record::ContentType>(1 + rest[3] % 3);
      if (content.content_type != record::ContentType::commit)
        content.content = content.content_type == record::ContentType::application
                              ? record::encode_application_data(rest.subspan(4))
                              : to_bytes(rest.subspan(4));
      break;
    }
    case 6:  // a signature the committer did not make
      auth.signature = to_bytes(rest);
      resign = false;
      break;
    default:  // the Commit changed after signing
      overwrite(content.content, rest);
      resign = false;
  }
  auto bytes = forge(t, std::move(content), std::move(auth), resign);
  if (!bytes) return std::nullopt;
  return std::pair{std::move(*bytes), resign};
}

// Mode 2 for the PrivateMessage group also changes the envelope without any key.
std::optional<Bytes> envelope(const Target& t, std::uint8_t kind, ByteView rest) {
  auto msg = codec::decode<MlsMessage>(t.commit);
  if (!msg) return std::nullopt;
  auto* pm = std::get_if<record::PrivateMessage>(&msg->body);
  if (pm == nullptr) return std::nullopt;
  switch (kind % 4) {
    case 0:
      pm->group_id = to_bytes(rest);
      break;
    case 1:
      if (rest.size() >= 2) pm->epoch += rest[0] - 128;
      pm->content_type = static_cast<record::ContentType>(1 + (rest.empty() ? 0 : rest[0] % 3));
      break;
    case 2:
      overwrite(pm->encrypted_sender_data, rest);
      break;
    default:
      overwrite(pm->ciphertext, rest);
  }
  auto bytes = codec::encode(*msg);
  if (!bytes) return std::nullopt;
  return std::move(*bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t sel = data[0];
  Target& t = target(sel & 1);
  Receiver& r = t.receivers[((sel >> 1) & 3) % t.receivers.size()];
  const std::uint8_t mode = (sel >> 3) & 3, kind = sel >> 5;
  const ByteView rest(data + 1, size - 1);

  Bytes message;
  bool insider = false;  // the committer's key signed it: it may carry a valid proposal
  if (mode == 0) {
    message = to_bytes(rest);
  } else if (mode == 1) {
    message = t.commit;
    overwrite(message, rest);
  } else if (mode == 2 || !t.config.encrypt_handshake) {
    auto f = forgery(t, kind, rest);
    if (!f) return 0;
    message = std::move(f->first);
    insider = f->second;
  } else {
    auto e = envelope(t, kind, rest);
    if (!e) return 0;
    message = std::move(*e);
  }

  auto processed = r.group.process(message);
  if (std::getenv("DBG"))
    std::fprintf(stderr, "DBG %d %d %d %s\n", sel & 1, mode, kind,
                 processed ? "OK" : processed.error().describe().c_str());
  if (!processed) {
    check(saved(r.group) == r.snapshot, "a failed process changed the receiver");
    return 0;
  }
  if (auto* staged = std::get_if<StagedCommit>(&*processed)) {
    const bool removed = staged->self_removed();
    check(r.group.merge(std::move(*staged)).has_value(), "an accepted commit does not merge");
    check(removed ? !r.group.active() : equal(r.group.epoch_authenticator(), t.authenticator),
          "an accepted commit leads to another epoch than the committer's");
  } else if (const auto* app = std::get_if<ApplicationMessage>(&*processed)) {
    // Only as a PrivateMessage under the committer's own keys: then it is the committer's.
    check(insider && t.config.encrypt_handshake, "application data accepted in the clear");
    check(app->sender == LeafIndex(0), "application data from someone who did not send it");
  } else {
    check(insider, "a proposal nobody signed was accepted");
    check(std::get<ProposalMessage>(*processed).sender == record::Sender::member(0),
          "a proposal from someone who did not send it");
  }
  // Back to the fixed state for the next input.
  r.group = must(Group::load(r.snapshot, t.config), "reload receiver");
  return 0;
}
