// Key graphs for centralized group key management (RFC 4046 §6, RFC 2627 §5.4, seed 003):
// the GCKS holds a graph of key-encryption keys over the members' slots, with the group key
// at the top; when members join, leave or are ejected it changes exactly the keys they knew
// and produces one rekey message that every remaining member can read from the keys it holds
// and no departed member can.
//
// Two graphs implement this interface: an LKH key tree of degree d (O(d log_d n) wraps per
// leave) and the flat key table of seed 003 (2W+1 keys for W-bit slots, W wraps per leave,
// weak against colluding ejected members).
//
// Key changes of two kinds travel in a rekey:
//  - revisions (joins): a key moves to its next version through a one-way function that every
//    holder computes itself (seed 003 [0056]), optionally mixed with the new group key (so
//    only members that can read the new group key can compute it); nothing is sent but the
//    node and version;
//  - wraps (leaves, refreshes): a fresh key, encrypted under a key that all its intended
//    holders hold and no departed member does.
// Members apply revisions first, then wraps in order (a wrap may be under a key delivered by
// an earlier wrap of the same rekey), then the revisions mixed with the group key (they need
// the rekey's group key, which the wraps deliver).
//
// A key changes at most once per interval between two rekeys: newcomers of one interval share
// the revised versions, and none of them holds a version that existed when its interval began
// (backward secrecy with the rekey interval as its unit, as in batch rekeying).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "codec/tls.hpp"
#include "crypto/cipher_suite.hpp"
#include "mpsec/random.hpp"
#include "mpsec/secret_bytes.hpp"

namespace mpsec::tree {

// One key of a graph: its node, its version and its bytes (Nh bytes of the suite).
struct GraphKey {
  std::uint32_t node = 0;
  std::uint32_t version = 0;
  SecretBytes key;
};

// struct { uint32 node; uint32 version; uint8 with_group_key; } KeyRevision;
struct KeyRevision {
  std::uint32_t node = 0;
  std::uint32_t version = 0;  // the new version; the holder has version - 1
  std::uint8_t with_group_key = 0;
  MPSEC_TLS_FIELDS(node, version, with_group_key)
  friend bool operator==(const KeyRevision&, const KeyRevision&) = default;
};

// struct { uint32 node; uint32 version; uint32 under_node; uint32 under_version;
//          opaque ciphertext<V>; } KeyWrap;
struct KeyWrap {
  std::uint32_t node = 0;
  std::uint32_t version = 0;
  std::uint32_t under_node = 0;
  std::uint32_t under_version = 0;
  Bytes ciphertext;
  MPSEC_TLS_FIELDS(node, version, under_node, under_version, ciphertext)
  friend bool operator==(const KeyWrap&, const KeyWrap&) = default;
};

// struct { uint32 group_key_node; uint32 group_key_version; KeyRevision revisions<V>;
//          KeyWrap wraps<V>; uint32 unreachable<V>; } GraphRekey;
struct GraphRekey {
  std::uint32_t group_key_node = 0;
  std::uint32_t group_key_version = 0;
  std::vector<KeyRevision> revisions;
  std::vector<KeyWrap> wraps;
  // Slots no wrap can reach without also reaching a departed member (flat table under
  // collusion): the GCKS must send them their keys over unicast.
  std::vector<std::uint32_t> unreachable;
  MPSEC_TLS_FIELDS(group_key_node, group_key_version, revisions, wraps, unreachable)
  friend bool operator==(const GraphRekey&, const GraphRekey&) = default;
};

struct Admission {
  std::uint32_t slot = 0;
  std::vector<GraphKey> keys;  // every key the member holds, group key included
};

// The GCKS side.
class KeyGraph {
 public:
  virtual ~KeyGraph() = default;

  // Admits a member: its slot and the keys it must hold (sent over its registration SA).
  // The existing members' side of the change (revisions) is pending until rekey().
  [[nodiscard]] virtual Result<Admission> admit(Random& rng) = 0;
  // Removes a member (leave or ejection); pending until rekey().
  [[nodiscard]] virtual Status remove(std::uint32_t slot) = 0;
  // One rekey for everything pending since the last one (batch rekeying), plus a fresh group
  // key when `refresh` is set or any member left. Applies it to the graph.
  [[nodiscard]] virtual Result<GraphRekey> rekey(bool refresh, Random& rng) = 0;
  // Everything a member holds now (for resynchronisation).
  [[nodiscard]] virtual Result<std::vector<GraphKey>> member_keys(std::uint32_t slot) const = 0;
  [[nodiscard]] virtual Result<GraphKey> group_key() const = 0;

  virtual std::uint32_t member_count() const noexcept = 0;
  virtual bool has_pending() const noexcept = 0;
  // Bytes of memory the graph holds (keys and bookkeeping), for the memory-per-member figure.
  virtual std::size_t memory_bytes() const noexcept = 0;

  // The whole graph, secrets included, for the store.
  virtual void encode(codec::Writer& w) const = 0;
};

// The key of a wrap: the AEAD key and nonce are derived from the wrapping key, the nonce also
// from the wrapped key's node and version (each is wrapped at most once under a given key);
// the associated data binds the graph's context (the group id) and the four numbers.
[[nodiscard]] Result<KeyWrap> wrap_key(const crypto::CipherSuite& suite, ByteView context,
                                       const GraphKey& key, const GraphKey& under);
[[nodiscard]] Result<GraphKey> unwrap_key(const crypto::CipherSuite& suite, ByteView context,
                                          const KeyWrap& wrap, const GraphKey& under);
// The next version of a key: OWF(key, node, version[, group key]).
[[nodiscard]] Result<GraphKey> revise_key(const crypto::CipherSuite& suite, const GraphKey& key,
                                          std::uint32_t new_version, const GraphKey* group_key);

// The member side: the keys one member holds, kept current by applying rekeys.
class MemberKeyRing {
 public:
  MemberKeyRing(const crypto::CipherSuite& suite, Bytes context, std::vector<GraphKey> keys,
                std::uint32_t group_key_node);

  // Applies a rekey: revisions of held keys, then the wraps this member can open, then the
  // revisions mixed with the new group key. Fails (and changes nothing) if a revision skips a
  // version this member does not hold, a wrap it can open does not authenticate, or the group
  // key cannot be obtained; returns whether the group key changed. The group key node follows
  // the rekey's group_key_node (an LKH tree's root moves up when the tree grows).
  [[nodiscard]] Result<bool> apply(const GraphRekey& rekey);
  [[nodiscard]] Result<const GraphKey*> group_key() const;
  const std::vector<GraphKey>& keys() const noexcept { return keys_; }
  void replace(std::vector<GraphKey> keys) { keys_ = std::move(keys); }
  // An explicit copy (secrets are never copied implicitly): lets a caller apply a rekey to a
  // copy and keep it only if everything that follows succeeds.
  MemberKeyRing clone() const {
    std::vector<GraphKey> keys;
    keys.reserve(keys_.size());
    for (const GraphKey& k : keys_)
      keys.push_back({k.node, k.version, k.key.clone()});
    return MemberKeyRing(suite_, context_, std::move(keys), group_key_node_);
  }

 private:
  crypto::CipherSuite suite_;
  Bytes context_;
  std::vector<GraphKey> keys_;
  std::uint32_t group_key_node_;
};

// Factories. `context` binds wraps to one group (the group id).
[[nodiscard]] Result<std::unique_ptr<KeyGraph>> make_lkh_tree(const crypto::CipherSuite& suite,
                                                              Bytes context, std::uint32_t degree,
                                                              Random& rng);
[[nodiscard]] Result<std::unique_ptr<KeyGraph>> make_flat_table(const crypto::CipherSuite& suite,
                                                                Bytes context,
                                                                std::uint32_t id_bits, Random& rng);
// Restores a graph saved with encode() (either kind; the encoding names it).
[[nodiscard]] Result<std::unique_ptr<KeyGraph>> decode_key_graph(const crypto::CipherSuite& suite,
                                                                 codec::Reader& r);

}  // namespace mpsec::tree
