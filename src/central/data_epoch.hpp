// The Data SA of one epoch of a centrally keyed group, as both sides derive it: the epoch is
// the rekey sequence number, and its secret comes from the group key of that rekey, bound to
// the group, the epoch, the suite and the roster of authorized senders:
//
//   struct { opaque group_id<V>; uint64 epoch; CipherSuite cipher_suite; uint32 leaves;
//            opaque roster_hash<V>; } CentralGroupContext;
//   epoch_secret = ExpandWithLabel(group_key, "mpsec epoch secret", CentralGroupContext, Nh)
//
// The record protocol takes it from there (its secret tree and sender ratchets).
#pragma once

#include <map>

#include "central/messages.hpp"
#include "record/data_sa.hpp"

namespace mpsec::central {

// The authorized senders: slot -> signature public key.
class SenderRoster {
 public:
  [[nodiscard]] static Result<SenderRoster> from_wire(const std::vector<RosterEntry>& entries,
                                                      std::uint32_t leaves);
  // A rekey's change: departed slots leave (if they were senders), added entries join.
  [[nodiscard]] Status apply(const std::vector<RosterEntry>& added,
                             const std::vector<std::uint32_t>& departed, std::uint32_t leaves);
  void set(std::uint32_t slot, Bytes key) { senders_[slot] = std::move(key); }
  void erase(std::uint32_t slot) { senders_.erase(slot); }

  std::vector<RosterEntry> entries() const;
  [[nodiscard]] Result<Bytes> hash(const crypto::CipherSuite& suite) const;
  // The record protocol's roster (leaf -> verify key) for `leaves` leaves.
  [[nodiscard]] Result<record::Roster> to_record(const crypto::CipherSuite& suite,
                                                 std::uint32_t leaves) const;
  std::size_t size() const noexcept { return senders_.size(); }
  bool contains(std::uint32_t slot) const { return senders_.contains(slot); }

 private:
  std::map<std::uint32_t, Bytes> senders_;
};

[[nodiscard]] Result<record::EpochInput> make_epoch_input(const crypto::CipherSuite& suite,
                                                          ByteView group_id, std::uint64_t epoch,
                                                          std::uint32_t leaves,
                                                          const SenderRoster& roster,
                                                          ByteView group_key);

}  // namespace mpsec::central
