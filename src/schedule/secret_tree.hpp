// The secret tree and sender ratchets of RFC 9420 §9.
//
// The tree is derived lazily from encryption_secret at the root. Only the frontier is held:
// reaching a leaf walks down from its lowest stored ancestor, keeps each sibling it passes
// and deletes every node it consumes, so reaching one sender costs O(log n) work and memory
// in a group of any size. Each leaf starts a handshake and an application hash ratchet;
// used keys and passed ratchet secrets are deleted at once (forward secrecy, §9.2), while a
// bounded number of skipped keys is kept for out-of-order delivery.
//
// Receiving is two-phase so that a message that fails to authenticate changes nothing:
// stage_key() computes the key and the would-be state change without touching the tree;
// commit() applies it once the message has been verified (even if other keys were consumed
// in between, as when a staged commit waits while the epoch's messages are read).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "codec/reader.hpp"
#include "codec/writer.hpp"
#include "crypto/cipher_suite.hpp"
#include "schedule/secrets.hpp"
#include "tree/tree_math.hpp"

namespace mpsec::schedule {

enum class RatchetKind : std::uint8_t { handshake, application };

// How much a receiver tolerates loss and reordering, and what that costs in forward secrecy:
// every kept key can decrypt one past message if the member's memory is compromised.
struct RatchetPolicy {
  // Keys of skipped generations kept per ratchet (out-of-order window). The oldest are
  // deleted first. Cost: up to this many past messages per sender stay decryptable.
  std::uint32_t max_skipped = 128;
  // The furthest ahead of a ratchet a received generation may be. Bounds the work one
  // message can force (each step is one KDF call) and the window an attacker can open.
  std::uint32_t max_forward_jump = 1024;
};

// The largest group a secret tree (and an RFC 9420 ratchet tree) supports: 2^30 leaves keep
// every node index of the array representation within 32 bits.
inline constexpr std::uint32_t kMaxLeaves = std::uint32_t{1} << 30;

struct MessageKey {
  std::uint32_t generation = 0;
  SecretBytes key;
  SecretBytes nonce;
};

class SecretTree;

// A key computed for a received message, with the tree change that consuming it implies.
// It is applied by SecretTree::commit(); dropped, it changes nothing.
class StagedKey {
 public:
  const MessageKey& key() const noexcept { return key_; }
  tree::LeafIndex leaf() const noexcept { return leaf_; }
  RatchetKind kind() const noexcept { return kind_; }

 private:
  friend class SecretTree;
  std::uint64_t tree_id_ = 0;  // which tree staged it
  std::uint64_t version_ = 0;  // and in which state
  tree::LeafIndex leaf_;
  RatchetKind kind_ = RatchetKind::application;
  MessageKey key_;
  // Set when the leaf's ratchets did not exist yet: the path walk's result.
  std::optional<std::uint32_t> consumed_node_;
  std::vector<std::pair<std::uint32_t, SecretBytes>> new_nodes_;
  std::optional<SecretBytes> handshake_base_, application_base_;
  // The ratchet after the step: either the key came from the skipped set, or the ratchet
  // advanced to generation + 1 leaving `new_skipped_` behind.
  bool from_skipped_ = false;
  SecretBytes next_secret_;
  std::vector<MessageKey> new_skipped_;
};

class SecretTree {
 public:
  // `leaves` must be in [1, kMaxLeaves].
  SecretTree(const crypto::CipherSuite& suite, EncryptionSecret root, tree::LeafCount leaves,
             RatchetPolicy policy = {});
  SecretTree(SecretTree&&) noexcept = default;
  SecretTree& operator=(SecretTree&&) noexcept = default;

  const crypto::CipherSuite& suite() const noexcept { return suite_; }
  tree::LeafCount leaf_count() const noexcept { return leaves_; }
  const RatchetPolicy& policy() const noexcept { return policy_; }
  // A new policy applies from the next key staged; kept keys beyond a smaller window go.
  void set_policy(RatchetPolicy policy);

  // Sending: the next unused key of `leaf`'s ratchet, consumed at once.
  [[nodiscard]] Result<MessageKey> next_key(tree::LeafIndex leaf, RatchetKind kind);
  // Receiving: the key of `generation`, staged. Errors: unknown_sender (leaf outside the
  // tree), replay (a generation already used), out_of_window (further ahead than
  // max_forward_jump, or too old to have been kept).
  [[nodiscard]] Result<StagedKey> stage_key(tree::LeafIndex leaf, RatchetKind kind,
                                            std::uint32_t generation) const;
  // Applies a staged key: the key and everything it was derived from are deleted. A key
  // staged before other keys were consumed is staged again on the current state (the same
  // key, or replay if its generation was consumed meanwhile); a key staged on another tree is
  // refused with invalid_state.
  [[nodiscard]] Status commit(StagedKey staged);

  // Secrets currently held (tree nodes, ratchet secrets and kept keys): the memory cost.
  std::size_t stored_secrets() const noexcept;

  // The whole state, secrets included, for saving a member's state.
  void encode(codec::Writer& w) const;
  [[nodiscard]] static Result<SecretTree> decode(const crypto::CipherSuite& suite, codec::Reader& r,
                                                 RatchetPolicy policy);

 private:
  struct Ratchet {
    SecretBytes secret;      // ratchet_secret_[next]
    std::uint32_t next = 0;  // the next generation the secret yields
    std::map<std::uint32_t, MessageKey> skipped;
  };
  struct LeafRatchets {
    Ratchet handshake, application;
    Ratchet& of(RatchetKind k) { return k == RatchetKind::handshake ? handshake : application; }
    const Ratchet& of(RatchetKind k) const {
      return k == RatchetKind::handshake ? handshake : application;
    }
  };

  Status derive_leaf_bases(tree::LeafIndex leaf, StagedKey& staged) const;
  Status advance(ByteView secret, std::uint32_t from, std::uint32_t to, StagedKey& staged) const;
  Result<MessageKey> key_at(const crypto::HmacKey& ratchet_secret, std::uint32_t generation) const;

  crypto::CipherSuite suite_;
  tree::LeafCount leaves_;
  RatchetPolicy policy_;
  std::unordered_map<std::uint32_t, SecretBytes> nodes_;      // the frontier, by node index
  std::unordered_map<std::uint32_t, LeafRatchets> ratchets_;  // by leaf index
  std::uint64_t id_;  // unique per tree in this process, so a key staged elsewhere is refused
  std::uint64_t version_ = 0;
};

// RFC 9420 §6.3.2: sender_data_key / sender_data_nonce from the first Nh bytes of the
// content ciphertext.
struct SenderDataKey {
  SecretBytes key;
  SecretBytes nonce;
};
// `secret` is sender_data_secret set up as a KDF key (it serves every message of an epoch).
[[nodiscard]] Result<SenderDataKey> sender_data_key(const crypto::CipherSuite& suite,
                                                    const crypto::HmacKey& secret,
                                                    ByteView ciphertext);

}  // namespace mpsec::schedule
