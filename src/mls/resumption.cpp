// Reinitialisation and branching (RFC 9420 §11.2, §11.3): a new group linked to an old one
// by a resumption PSK of the old group.
#include <set>

#include "mls/commit.hpp"

namespace mpsec::mls {

namespace {

Result<schedule::PreSharedKeyId> resumption_id(const Group& old, schedule::ResumptionPskUsage usage,
                                               const crypto::CipherSuite& new_suite, Random& rng) {
  schedule::PreSharedKeyId id;
  id.psktype = schedule::PskType::resumption;
  id.usage = usage;
  id.psk_group_id = old.group_id();
  id.psk_epoch = old.epoch();
  id.psk_nonce.resize(new_suite.hash_size());
  MPSEC_TRY(rng.fill(id.psk_nonce));
  return id;
}

// The new group's config, able to resolve the old group's resumption PSK.
GroupConfig with_psk(const GroupConfig& config, const Group& old) {
  auto store = std::make_shared<PskStore>(config.psks ? config.psks->clone() : PskStore());
  store->add_resumption(old.group_id(), old.epoch(), SecretBytes(old.resumption_psk()));
  GroupConfig out = config;
  out.psks = std::move(store);
  return out;
}

Result<ResumedGroup> resume(const Group& old, const Identity& identity, Bytes group_id,
                            std::vector<Extension> extensions, std::span<const KeyPackage> members,
                            schedule::ResumptionPskUsage usage, const GroupConfig& config,
                            Random& rng) {
  const GroupConfig cfg = with_psk(config, old);
  auto group =
      MPSEC_TRY(Group::create(identity, std::move(group_id), cfg, rng, std::move(extensions)));
  CommitOptions options;
  for (const auto& kp : members)
    options.proposals.push_back(Proposal{Add{kp}});
  options.resumption_psk = MPSEC_TRY(resumption_id(old, usage, identity.suite, rng));
  auto out = MPSEC_TRY(group.commit(options, rng));
  MPSEC_TRY(group.merge_pending_commit());
  group.set_config(config);
  MPSEC_ENSURE(out.welcome.has_value(), Errc::invalid_argument, "a resumed group needs members");
  return ResumedGroup{std::move(group), std::move(*out.welcome)};
}

// The clients of a group, as the Authentication Service identifies them.
std::set<Bytes> clients(const Group& g, const CredentialValidator& v) {
  std::set<Bytes> out;
  for (LeafIndex l : g.tree().members())
    out.insert(v.client_id(g.tree().leaf_node(l)->credential));
  return out;
}

}  // namespace

const std::optional<ReInit>& Group::reinit_parameters() const noexcept {
  return state_->reinit;
}

Result<ResumedGroup> Group::reinitialize(const Identity& identity,
                                         std::span<const KeyPackage> members,
                                         const GroupConfig& config, Random& rng) const {
  MPSEC_ENSURE(state_->reinit.has_value(), Errc::invalid_state, "no ReInit was committed");
  const auto& r = *state_->reinit;
  MPSEC_ENSURE(identity.suite.code() == r.cipher_suite, Errc::invalid_argument,
               "the identity is not of the ReInit's cipher suite");
  return resume(*this, identity, r.group_id, r.extensions, members,
                schedule::ResumptionPskUsage::reinit, config, rng);
}

Result<ResumedGroup> Group::branch(const Identity& identity, Bytes group_id,
                                   std::span<const KeyPackage> members, const GroupConfig& config,
                                   Random& rng) const {
  MPSEC_ENSURE(state_->active && !state_->reinit, Errc::invalid_state,
               "only an active member branches a group");
  MPSEC_ENSURE(identity.suite.code() == suite().code(), Errc::invalid_argument,
               "a branch keeps the cipher suite");
  return resume(*this, identity, std::move(group_id), context().extensions, members,
                schedule::ResumptionPskUsage::branch, config, rng);
}

Result<Group> Group::join_resumed(const Identity& identity, const KeyPackageBundle& kp,
                                  ByteView welcome, const GroupConfig& config,
                                  std::optional<ByteView> tree) const {
  auto joined = MPSEC_TRY(Group::join(identity, kp, welcome, with_psk(config, *this), tree));
  joined.set_config(config);
  // join() already checked epoch 1 and the single reinit/branch PSK; the PSK could only be
  // resolved as this group's, so it names this group and its current epoch.
  const auto& ctx = joined.context();
  const auto& v = *config.validation.credentials;
  const auto old_clients = clients(*this, v);
  const auto new_clients = clients(joined, v);
  if (state_->reinit) {
    const auto& r = *state_->reinit;
    MPSEC_ENSURE(ctx.group_id == r.group_id && ctx.version == r.version &&
                     ctx.cipher_suite == r.cipher_suite && ctx.extensions == r.extensions,
                 Errc::policy_violation, "the new group does not match the committed ReInit");
    MPSEC_ENSURE(old_clients == new_clients, Errc::policy_violation,
                 "a reinitialised group must have the same members");
  } else {
    MPSEC_ENSURE(ctx.version == context().version && ctx.cipher_suite == context().cipher_suite,
                 Errc::policy_violation, "a branch keeps the version and cipher suite");
    for (const auto& c : new_clients)
      MPSEC_ENSURE(old_clients.count(c) != 0, Errc::policy_violation,
                   "a branch may only hold members of the old group");
  }
  return joined;
}

}  // namespace mpsec::mls
