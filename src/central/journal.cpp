#include "central/journal.hpp"

namespace mpsec::central {

Status MemoryJournal::commit(const GcksCommit& c) {
  if (fail_ > 0) {
    --fail_;
    return fail(Errc::io_error, "injected journal failure");
  }
  auto it = groups_.find(c.group_id);
  MPSEC_ENSURE(it != groups_.end() || c.config.has_value(), Errc::not_found,
               "commit for an unknown group");
  Group& g = groups_[c.group_id];
  if (c.config) g.config = *c.config;
  MPSEC_ENSURE(c.seq >= g.seq, Errc::internal, "sequence number went back");
  g.seq = c.seq;
  g.graph = c.graph.clone();
  if (c.rekey) {
    g.rekeys[c.seq] = *c.rekey;
    while (g.rekeys.size() > kRekeyLogDepth)
      g.rekeys.erase(g.rekeys.begin());
  }
  for (std::uint32_t slot : c.members_removed)
    g.members.erase(slot);
  for (const SecretBytes& m : c.members_added) {
    const MemberRecord rec = MPSEC_TRY(codec::decode<MemberRecord>(m.view()));
    g.members[rec.slot] = m.clone();
  }
  ++commits_;
  return ok();
}

Result<GcksSnapshot> MemoryJournal::snapshot(ByteView group_id) const {
  auto it = groups_.find(to_bytes(group_id));
  MPSEC_ENSURE(it != groups_.end(), Errc::not_found, "no such group");
  const Group& g = it->second;
  GcksSnapshot s;
  s.config = MPSEC_TRY(codec::decode<GroupConfig>(g.config));
  s.seq = g.seq;
  s.graph = g.graph.clone();
  for (const auto& [slot, rec] : g.members)
    s.members.push_back(MPSEC_TRY(codec::decode<MemberRecord>(rec.view())));
  for (const auto& [seq, msg] : g.rekeys)
    s.recent_rekeys.push_back(msg);
  return s;
}

}  // namespace mpsec::central
