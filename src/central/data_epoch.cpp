#include "central/data_epoch.hpp"

#include "schedule/secret_tree.hpp"

namespace mpsec::central {

Result<SenderRoster> SenderRoster::from_wire(const std::vector<RosterEntry>& entries,
                                             std::uint32_t leaves) {
  SenderRoster out;
  MPSEC_TRY(out.apply(entries, {}, leaves));
  return out;
}

Status SenderRoster::apply(const std::vector<RosterEntry>& added,
                           const std::vector<std::uint32_t>& departed, std::uint32_t leaves) {
  MPSEC_ENSURE(leaves >= 1 && leaves <= kMaxGroupLeaves, Errc::limit_exceeded,
               "leaf count out of range");
  std::map<std::uint32_t, Bytes> next = senders_;
  for (std::uint32_t slot : departed)
    next.erase(slot);
  for (const RosterEntry& e : added) {
    MPSEC_ENSURE(e.slot < leaves, Errc::decode_error, "roster slot beyond the leaf count");
    MPSEC_ENSURE(!e.signature_key.empty(), Errc::decode_error, "empty roster key");
    MPSEC_ENSURE(next.emplace(e.slot, e.signature_key).second, Errc::decode_error,
                 "roster slot already taken");
  }
  MPSEC_ENSURE(next.empty() || next.rbegin()->first < leaves, Errc::decode_error,
               "roster slot beyond the leaf count");
  senders_ = std::move(next);
  return ok();
}

std::vector<RosterEntry> SenderRoster::entries() const {
  std::vector<RosterEntry> out;
  out.reserve(senders_.size());
  for (const auto& [slot, key] : senders_)
    out.push_back({slot, key});
  return out;
}

Result<Bytes> SenderRoster::hash(const crypto::CipherSuite& suite) const {
  return suite.hash(MPSEC_TRY(codec::encode(entries())));
}

Result<record::Roster> SenderRoster::to_record(const crypto::CipherSuite& suite,
                                               std::uint32_t leaves) const {
  MPSEC_ENSURE(leaves >= 1 && leaves <= kMaxGroupLeaves, Errc::limit_exceeded,
               "leaf count out of range");
  record::Roster out(leaves);
  for (const auto& [slot, key] : senders_) {
    MPSEC_ENSURE(slot < leaves, Errc::decode_error, "roster slot beyond the leaf count");
    out[slot] = MPSEC_TRY(crypto::VerifyKey::parse(suite.sig(), key));
  }
  return out;
}

Result<record::EpochInput> make_epoch_input(const crypto::CipherSuite& suite, ByteView group_id,
                                            std::uint64_t epoch, std::uint32_t leaves,
                                            const SenderRoster& roster, ByteView group_key) {
  codec::Writer w;
  w.opaque(group_id);
  w.u64(epoch);
  w.u16(static_cast<std::uint16_t>(suite.id()));
  w.u32(leaves);
  w.opaque(MPSEC_TRY(roster.hash(suite)));
  record::EpochInput in;
  in.epoch = epoch;
  in.group_context = MPSEC_TRY(std::move(w).finish());
  in.epoch_secret = schedule::EpochSecret(MPSEC_TRY(
      suite.expand_with_label(group_key, kEpochSecretLabel, in.group_context, suite.hash_size())));
  in.leaves = tree::LeafCount(leaves);
  in.roster = MPSEC_TRY(roster.to_record(suite, leaves));
  return in;
}

}  // namespace mpsec::central
