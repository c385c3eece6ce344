// The Data SA (RFC 4046 §6.3): group identity, source identities, traffic protection keys,
// data authentication keys, sequence numbers and policy, for one member of one group.
//
// A mode creates it from an epoch secret, the group context and the roster of authorized
// senders, and installs each new epoch the same way. protect() turns application data into
// an MLSMessage(PrivateMessage); unprotect() turns one back into sender, generation, epoch,
// authenticated data and plaintext, or a typed error. A failed unprotect changes nothing.
// Sans-I/O: randomness and time are passed in.
#pragma once

#include <deque>
#include <optional>
#include <vector>

#include "crypto/cipher_suite.hpp"
#include "mpsec/time.hpp"
#include "record/framing.hpp"
#include "record/policy.hpp"
#include "schedule/secret_tree.hpp"

namespace mpsec::record {

// Leaf index -> the signature key of an authorized sender; empty where nobody may send.
using Roster = std::vector<std::optional<crypto::VerifyKey>>;

struct EpochInput {
  std::uint64_t epoch = 0;
  schedule::EpochSecret epoch_secret;
  Bytes group_context;  // the encoded GroupContext of this epoch
  tree::LeafCount leaves;
  Roster roster;
};

struct Received {
  tree::LeafIndex sender;
  std::uint32_t generation = 0;
  std::uint64_t epoch = 0;
  Bytes authenticated_data;
  Bytes plaintext;
};

class DataSA {
 public:
  // `own_key` signs what this member sends when the policy asks for signatures.
  [[nodiscard]] static Result<DataSA> create(const crypto::CipherSuite& suite, Bytes group_id,
                                             tree::LeafIndex own_leaf,
                                             std::optional<crypto::SigningKey> own_key,
                                             const DataPolicy& policy, EpochInput first,
                                             Instant now);

  // Makes `next` (a later epoch) current; the previous one stays readable for the grace time.
  [[nodiscard]] Status install_epoch(EpochInput next, Instant now);

  // Protects application data under the current epoch.
  [[nodiscard]] Result<Bytes> protect(ByteView plaintext, ByteView authenticated_data, Random& rng);
  // Unprotects an MLSMessage(PrivateMessage) of the current epoch or of a past epoch within
  // its grace time. Each message is accepted once (its key is deleted on success).
  [[nodiscard]] Result<Received> unprotect(ByteView message, Instant now);

  // Forgets past epochs whose grace time has run out.
  void expire(Instant now);

  std::uint64_t epoch() const noexcept { return epochs_.back().number; }
  std::size_t retained_epochs() const noexcept { return epochs_.size(); }
  const DataPolicy& policy() const noexcept { return policy_; }
  tree::LeafIndex own_leaf() const noexcept { return own_leaf_; }

 private:
  struct Epoch {
    std::uint64_t number;
    crypto::HmacKey sender_data;  // sender_data_secret as a KDF key
    schedule::SecretTree tree;
    Bytes group_context;
    Roster roster;
    std::optional<Instant> retire_at;  // set once a later epoch is installed
  };

  DataSA(const crypto::CipherSuite& suite, Bytes group_id, tree::LeafIndex own_leaf,
         std::optional<crypto::SigningKey> own_key, const DataPolicy& policy)
      : suite_(suite),
        group_id_(std::move(group_id)),
        own_leaf_(own_leaf),
        own_key_(std::move(own_key)),
        policy_(policy) {}
  Result<Epoch> make_epoch(EpochInput input) const;
  Epoch* find_epoch(std::uint64_t number, Instant now);

  crypto::CipherSuite suite_;
  Bytes group_id_;
  tree::LeafIndex own_leaf_;
  std::optional<crypto::SigningKey> own_key_;
  DataPolicy policy_;
  std::deque<Epoch> epochs_;  // oldest first; the current epoch is at the back
};

}  // namespace mpsec::record
