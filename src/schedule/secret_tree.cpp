#include "schedule/secret_tree.hpp"

#include <atomic>

namespace mpsec::schedule {

using tree::LeafIndex;
using tree::NodeIndex;

namespace {
std::uint64_t next_tree_id() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
}
}  // namespace

SecretTree::SecretTree(const crypto::CipherSuite& suite, EncryptionSecret root,
                       tree::LeafCount leaves, RatchetPolicy policy)
    : suite_(suite), leaves_(leaves), policy_(policy), id_(next_tree_id()) {
  if (leaves.value > 0) nodes_.emplace(tree::root(leaves).value, SecretBytes(root.view()));
}

void SecretTree::set_policy(RatchetPolicy policy) {
  policy_ = policy;
  for (auto& [leaf, r] : ratchets_) {
    for (Ratchet* ratchet : {&r.handshake, &r.application})
      while (ratchet->skipped.size() > policy_.max_skipped)
        ratchet->skipped.erase(ratchet->skipped.begin());
  }
  ++version_;
}

std::size_t SecretTree::stored_secrets() const noexcept {
  std::size_t n = nodes_.size();
  for (const auto& [leaf, r] : ratchets_)
    n += 2 + r.handshake.skipped.size() + r.application.skipped.size();
  return n;
}

Result<MessageKey> SecretTree::key_at(const crypto::HmacKey& ratchet_secret,
                                      std::uint32_t generation) const {
  MessageKey out;
  out.generation = generation;
  out.key =
      MPSEC_TRY(suite_.derive_tree_secret(ratchet_secret, "key", generation, suite_.key_size()));
  out.nonce = MPSEC_TRY(
      suite_.derive_tree_secret(ratchet_secret, "nonce", generation, suite_.nonce_size()));
  return out;
}

// Walks from the lowest stored ancestor of `leaf` down to it (RFC 9420 §9: left/right
// children by ExpandWithLabel(., "tree", "left"/"right", Nh)), then starts both ratchets.
Status SecretTree::derive_leaf_bases(LeafIndex leaf, StagedKey& staged) const {
  const NodeIndex target = leaf.node();
  const NodeIndex root = tree::root(leaves_);
  NodeIndex x = target;
  while (nodes_.find(x.value) == nodes_.end()) {
    // Every leaf without ratchets has a stored ancestor; reaching the root means a bug.
    MPSEC_ENSURE(x != root, Errc::internal, "secret tree lost the path to a leaf");
    x = tree::parent(x);
  }
  staged.consumed_node_ = x.value;
  SecretBytes secret = nodes_.at(x.value).clone();
  while (x != target) {
    const NodeIndex l = tree::left(x), r = tree::right(x);
    const auto prk = MPSEC_TRY(suite_.kdf_key(secret.view()));
    auto left_secret =
        MPSEC_TRY(suite_.expand_with_label(prk, "tree", as_bytes("left"), suite_.hash_size()));
    auto right_secret =
        MPSEC_TRY(suite_.expand_with_label(prk, "tree", as_bytes("right"), suite_.hash_size()));
    const bool go_left = tree::in_subtree(target, l);
    staged.new_nodes_.emplace_back(go_left ? r.value : l.value,
                                   go_left ? std::move(right_secret) : std::move(left_secret));
    secret = go_left ? std::move(left_secret) : std::move(right_secret);
    x = go_left ? l : r;
  }
  const auto leaf_prk = MPSEC_TRY(suite_.kdf_key(secret.view()));
  staged.handshake_base_ =
      MPSEC_TRY(suite_.expand_with_label(leaf_prk, "handshake", {}, suite_.hash_size()));
  staged.application_base_ =
      MPSEC_TRY(suite_.expand_with_label(leaf_prk, "application", {}, suite_.hash_size()));
  return ok();
}

// Ratchets from generation `from` (whose secret is `secret`) to `to`: keys of the skipped
// generations that the policy keeps go to new_skipped_, the key of `to` is the staged key,
// and next_secret_ is ratchet_secret_[to + 1].
Status SecretTree::advance(ByteView secret, std::uint32_t from, std::uint32_t to,
                           StagedKey& staged) const {
  const std::uint32_t keep_from = to - from > policy_.max_skipped ? to - policy_.max_skipped : from;
  SecretBytes current{secret};
  for (std::uint32_t g = from;; ++g) {
    // Key, nonce and next secret all come from ratchet_secret_[g]: set it up as a key once.
    const auto prk = MPSEC_TRY(suite_.kdf_key(current.view()));
    if (g == to) {
      staged.key_ = MPSEC_TRY(key_at(prk, g));
    } else if (g >= keep_from) {
      staged.new_skipped_.push_back(MPSEC_TRY(key_at(prk, g)));
    }
    current = MPSEC_TRY(suite_.derive_tree_secret(prk, "secret", g, suite_.hash_size()));
    if (g == to) break;
  }
  staged.next_secret_ = std::move(current);
  return ok();
}

Result<StagedKey> SecretTree::stage_key(LeafIndex leaf, RatchetKind kind,
                                        std::uint32_t generation) const {
  MPSEC_ENSURE(leaf.value < leaves_.value, Errc::unknown_sender, "sender leaf outside the tree");
  StagedKey staged;
  staged.tree_id_ = id_;
  staged.version_ = version_;
  staged.leaf_ = leaf;
  staged.kind_ = kind;

  const Ratchet* ratchet = nullptr;
  if (auto it = ratchets_.find(leaf.value); it != ratchets_.end()) ratchet = &it->second.of(kind);
  std::uint32_t next = 0;
  ByteView secret;
  if (ratchet != nullptr) {
    next = ratchet->next;
    secret = ratchet->secret.view();
    if (generation < next) {
      auto kept = ratchet->skipped.find(generation);
      if (kept == ratchet->skipped.end()) {
        // The kept window is the max_skipped generations before the newest one received.
        const bool too_old = next - generation > policy_.max_skipped + 1;
        return fail(too_old ? Errc::out_of_window : Errc::replay,
                    too_old ? "generation older than the kept window" : "generation already used");
      }
      staged.from_skipped_ = true;
      staged.key_ = MessageKey{generation, kept->second.key.clone(), kept->second.nonce.clone()};
      return staged;
    }
  }
  MPSEC_ENSURE(generation - next <= policy_.max_forward_jump, Errc::out_of_window,
               "generation too far ahead of the ratchet");
  MPSEC_ENSURE(generation != UINT32_MAX, Errc::limit_exceeded, "ratchet generations exhausted");
  if (ratchet == nullptr) {
    MPSEC_TRY(derive_leaf_bases(leaf, staged));
    secret = (kind == RatchetKind::handshake ? *staged.handshake_base_ : *staged.application_base_)
                 .view();
  }
  MPSEC_TRY(advance(secret, next, generation, staged));
  return staged;
}

Status SecretTree::commit(StagedKey staged) {
  MPSEC_ENSURE(staged.tree_id_ == id_, Errc::invalid_state, "key staged on another tree");
  if (staged.version_ != version_) {
    // Other keys were consumed meanwhile: stage the same generation again on the current
    // state (derivation is deterministic; a generation consumed meanwhile is a replay).
    staged = MPSEC_TRY(stage_key(staged.leaf_, staged.kind_, staged.key_.generation));
  }
  if (staged.consumed_node_) {
    nodes_.erase(*staged.consumed_node_);
    for (auto& [node, secret] : staged.new_nodes_)
      nodes_.insert_or_assign(node, std::move(secret));
    LeafRatchets fresh;
    fresh.handshake.secret = std::move(*staged.handshake_base_);
    fresh.application.secret = std::move(*staged.application_base_);
    ratchets_.insert_or_assign(staged.leaf_.value, std::move(fresh));
  }
  Ratchet& r = ratchets_.at(staged.leaf_.value).of(staged.kind_);
  if (staged.from_skipped_) {
    r.skipped.erase(staged.key_.generation);
  } else {
    r.secret = std::move(staged.next_secret_);
    r.next = staged.key_.generation + 1;
    for (auto& k : staged.new_skipped_) {
      const std::uint32_t g = k.generation;
      r.skipped.insert_or_assign(g, std::move(k));
    }
    while (r.skipped.size() > policy_.max_skipped)
      r.skipped.erase(r.skipped.begin());
  }
  ++version_;
  return ok();
}

Result<MessageKey> SecretTree::next_key(LeafIndex leaf, RatchetKind kind) {
  std::uint32_t next = 0;
  if (auto it = ratchets_.find(leaf.value); it != ratchets_.end()) next = it->second.of(kind).next;
  auto staged = MPSEC_TRY(stage_key(leaf, kind, next));
  MessageKey key{staged.key_.generation, staged.key_.key.clone(), staged.key_.nonce.clone()};
  MPSEC_TRY(commit(std::move(staged)));
  return key;
}

namespace {
void encode_ratchet_state(codec::Writer& w, const SecretBytes& secret, std::uint32_t next,
                          const std::map<std::uint32_t, MessageKey>& skipped) {
  w.opaque(secret.view());
  w.u32(next);
  w.vector([&](codec::Writer& v) {
    for (const auto& [g, k] : skipped) {
      v.u32(g);
      v.opaque(k.key.view());
      v.opaque(k.nonce.view());
    }
  });
}
}  // namespace

void SecretTree::encode(codec::Writer& w) const {
  w.u32(leaves_.value);
  w.u64(version_);
  // Sorted, so equal states encode equally.
  std::map<std::uint32_t, const SecretBytes*> nodes;
  for (const auto& [n, secret] : nodes_)
    nodes.emplace(n, &secret);
  w.vector([&](codec::Writer& v) {
    for (const auto& [n, secret] : nodes) {
      v.u32(n);
      v.opaque(secret->view());
    }
  });
  std::map<std::uint32_t, const LeafRatchets*> leaves;
  for (const auto& [l, r] : ratchets_)
    leaves.emplace(l, &r);
  w.vector([&](codec::Writer& v) {
    for (const auto& [l, r] : leaves) {
      v.u32(l);
      encode_ratchet_state(v, r->handshake.secret, r->handshake.next, r->handshake.skipped);
      encode_ratchet_state(v, r->application.secret, r->application.next, r->application.skipped);
    }
  });
}

Result<SecretTree> SecretTree::decode(const crypto::CipherSuite& suite, codec::Reader& r,
                                      RatchetPolicy policy) {
  const tree::LeafCount leaves(MPSEC_TRY(r.u32()));
  MPSEC_ENSURE(leaves.value > 0 && leaves.value <= kMaxLeaves, Errc::decode_error,
               "secret tree size out of range");
  SecretTree t(suite, EncryptionSecret(), leaves, policy);
  t.nodes_.clear();
  t.version_ = MPSEC_TRY(r.u64());
  auto nodes = MPSEC_TRY(r.vector());
  while (!nodes.empty()) {
    const std::uint32_t n = MPSEC_TRY(nodes.u32());
    MPSEC_ENSURE(n < tree::node_width(leaves).value, Errc::decode_error, "node outside the tree");
    SecretBytes secret(MPSEC_TRY(nodes.opaque()));
    MPSEC_ENSURE(secret.size() == suite.hash_size(), Errc::decode_error,
                 "tree secret of the wrong size");
    MPSEC_ENSURE(t.nodes_.emplace(n, std::move(secret)).second, Errc::decode_error,
                 "a tree node appears twice");
  }
  auto ratchets = MPSEC_TRY(r.vector());
  auto read_ratchet = [&](Ratchet& out) -> Status {
    out.secret = SecretBytes(MPSEC_TRY(ratchets.opaque()));
    out.next = MPSEC_TRY(ratchets.u32());
    MPSEC_ENSURE(out.secret.size() == suite.hash_size(), Errc::decode_error,
                 "ratchet secret of the wrong size");
    auto skipped = MPSEC_TRY(ratchets.vector());
    while (!skipped.empty()) {
      MessageKey k;
      k.generation = MPSEC_TRY(skipped.u32());
      k.key = SecretBytes(MPSEC_TRY(skipped.opaque()));
      k.nonce = SecretBytes(MPSEC_TRY(skipped.opaque()));
      MPSEC_ENSURE(k.generation < out.next && k.key.size() == suite.key_size() &&
                       k.nonce.size() == suite.nonce_size(),
                   Errc::decode_error, "malformed kept key");
      const std::uint32_t g = k.generation;
      MPSEC_ENSURE(out.skipped.emplace(g, std::move(k)).second, Errc::decode_error,
                   "a kept key appears twice");
      MPSEC_ENSURE(out.skipped.size() <= policy.max_skipped, Errc::decode_error,
                   "more kept keys than the policy allows");
    }
    return ok();
  };
  while (!ratchets.empty()) {
    const std::uint32_t l = MPSEC_TRY(ratchets.u32());
    MPSEC_ENSURE(l < leaves.value, Errc::decode_error, "leaf outside the tree");
    LeafRatchets lr;
    MPSEC_TRY(read_ratchet(lr.handshake));
    MPSEC_TRY(read_ratchet(lr.application));
    MPSEC_ENSURE(t.ratchets_.emplace(l, std::move(lr)).second, Errc::decode_error,
                 "a leaf's ratchets appear twice");
  }
  return t;
}

Result<SenderDataKey> sender_data_key(const crypto::CipherSuite& suite,
                                      const crypto::HmacKey& secret, ByteView ciphertext) {
  const ByteView sample = ciphertext.first(std::min(ciphertext.size(), suite.hash_size()));
  SenderDataKey out;
  out.key = MPSEC_TRY(suite.expand_with_label(secret, "key", sample, suite.key_size()));
  out.nonce = MPSEC_TRY(suite.expand_with_label(secret, "nonce", sample, suite.nonce_size()));
  return out;
}

}  // namespace mpsec::schedule
