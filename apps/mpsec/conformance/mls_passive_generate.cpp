#include "conformance/mls_passive_generate.hpp"

#include "mls/group.hpp"
#include "mls/leaf_node.hpp"
#include "mpsec/hex.hpp"

namespace mpsec::conformance {

namespace {

using namespace mpsec::mls;

Bytes text(std::string_view s) {
  return to_bytes(as_bytes(s));
}

// A group of active members driven in lockstep, and the passive client's record.
class Scenario {
 public:
  Scenario(const crypto::CipherSuite& suite, Random& rng, bool encrypt_handshake)
      : suite_(suite), rng_(rng) {
    psks_ = std::make_shared<PskStore>();
    config_.psks = psks_;
    config_.encrypt_handshake = encrypt_handshake;
  }

  Status start(std::size_t members) {
    for (std::size_t i = 0; i < members; ++i)
      MPSEC_TRY(new_identity());
    auto g = MPSEC_TRY(Group::create(ids_[0], text("passive-client-group"), config_, rng_));
    groups_.push_back(std::move(g));
    for (std::size_t i = 1; i < members; ++i)
      MPSEC_TRY(add_active(i));
    return ok();
  }

  // An external PSK every member and the passive client hold.
  Result<schedule::PreSharedKeyId> external_psk() {
    schedule::PreSharedKeyId id;
    id.psktype = schedule::PskType::external;
    id.psk_id = MPSEC_TRY(random_bytes(16));
    id.psk_nonce = MPSEC_TRY(random_bytes(suite_.hash_size()));
    auto psk = MPSEC_TRY(random_bytes(32));
    psks_->add_external(id.psk_id, SecretBytes(ByteView(psk)));
    out_psks_.push_back({{"psk_id", to_hex(id.psk_id)}, {"psk", to_hex(psk)}});
    return id;
  }

  // Adds the passive client; returns its join record.
  Result<Json> add_passive(bool tree_in_welcome, std::vector<Proposal> extra) {
    auto id = MPSEC_TRY(Identity::generate(suite_, Credential::basic(text("passive")), rng_));
    auto kp =
        MPSEC_TRY(create_key_package(id, KeyPackageOptions{{0, UINT64_MAX}, false, {}, {}}, rng_));
    CommitOptions options;
    options.proposals = std::move(extra);
    options.proposals.push_back(Proposal{Add{kp.key_package}});
    options.ratchet_tree_in_welcome = tree_in_welcome;
    auto out = MPSEC_TRY(commit_all(committer(), options));
    Json j;
    j["cipher_suite"] = suite_.code();
    j["external_psks"] = out_psks_;
    j["key_package"] = to_hex(MPSEC_TRY(codec::encode(MlsMessage{kp.key_package})));
    j["signature_priv"] = to_hex(MPSEC_TRY(id.signing_key.serialize()).view());
    j["encryption_priv"] = to_hex(MPSEC_TRY(kp.encryption_key.serialize()).view());
    j["init_priv"] = to_hex(MPSEC_TRY(kp.init_key.serialize()).view());
    j["welcome"] = to_hex(*out.welcome);
    j["ratchet_tree"] =
        tree_in_welcome ? Json(nullptr) : Json(to_hex(MPSEC_TRY(groups_[0].tree().encode())));
    j["initial_epoch_authenticator"] = to_hex(groups_[0].epoch_authenticator());
    j["epochs"] = Json::array();
    return j;
  }

  // One epoch: proposals from members (sent, then committed by reference), then a commit.
  Result<Json> epoch(std::vector<std::pair<std::size_t, Proposal>> proposals,
                     std::size_t committer_index, CommitOptions options) {
    Json e;
    e["proposals"] = Json::array();
    for (auto& [sender, proposal] : proposals) {
      auto msg = MPSEC_TRY(groups_[sender].propose(proposal, rng_));
      for (std::size_t i = 0; i < groups_.size(); ++i)
        if (i != sender) MPSEC_TRY(groups_[i].process(msg));
      e["proposals"].push_back(to_hex(msg));
    }
    auto out = MPSEC_TRY(commit_all(committer_index, options));
    e["commit"] = to_hex(out.commit);
    e["epoch_authenticator"] = to_hex(groups_[0].epoch_authenticator());
    return e;
  }

  // Every external PSK created so far (the passive client must hold them all).
  const Json& psks_json() const noexcept { return out_psks_; }
  std::size_t size() const noexcept { return groups_.size(); }
  std::size_t committer() const noexcept { return 0; }
  const Group& group(std::size_t i) const { return groups_[i]; }
  Group& group(std::size_t i) { return groups_[i]; }
  Result<KeyPackage> fresh_key_package() {
    auto id =
        MPSEC_TRY(Identity::generate(suite_, Credential::basic(MPSEC_TRY(random_bytes(8))), rng_));
    pending_joiners_.push_back(id);
    auto kp =
        MPSEC_TRY(create_key_package(id, KeyPackageOptions{{0, UINT64_MAX}, false, {}, {}}, rng_));
    pending_kps_.push_back(kp);
    return kp.key_package;
  }
  Result<std::uint32_t> random_below(std::uint32_t n) {
    std::uint8_t b[4];
    MPSEC_TRY(rng_.fill(b));
    return ((std::uint32_t{b[0]} << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) % n;
  }

 private:
  Result<Bytes> random_bytes(std::size_t n) {
    Bytes b(n);
    MPSEC_TRY(rng_.fill(b));
    return b;
  }
  Status new_identity() {
    ids_.push_back(MPSEC_TRY(Identity::generate(
        suite_, Credential::basic(text("member-" + std::to_string(ids_.size()))), rng_)));
    return ok();
  }
  Status add_active(std::size_t i) {
    auto kp = MPSEC_TRY(
        create_key_package(ids_[i], KeyPackageOptions{{0, UINT64_MAX}, false, {}, {}}, rng_));
    CommitOptions options;
    options.proposals.push_back(Proposal{Add{kp.key_package}});
    auto out = MPSEC_TRY(commit_all(0, options));
    groups_.push_back(MPSEC_TRY(Group::join(ids_[i], kp, *out.welcome, config_)));
    return ok();
  }
  // `c` commits; every other member processes and merges; removed members drop out; members
  // whose key packages were added join from the Welcome.
  Result<CommitOutput> commit_all(std::size_t c, const CommitOptions& options) {
    auto out = MPSEC_TRY(groups_[c].commit(options, rng_));
    std::vector<Group> next;
    for (std::size_t i = 0; i < groups_.size(); ++i) {
      if (i == c) continue;
      auto processed = MPSEC_TRY(groups_[i].process(out.commit));
      MPSEC_TRY(groups_[i].merge(std::move(std::get<StagedCommit>(processed))));
    }
    MPSEC_TRY(groups_[c].merge_pending_commit());
    for (auto& g : groups_)
      if (g.active()) next.push_back(std::move(g));
    groups_ = std::move(next);
    for (std::size_t k = 0; k < pending_kps_.size(); ++k)
      groups_.push_back(
          MPSEC_TRY(Group::join(pending_joiners_[k], pending_kps_[k], *out.welcome, config_)));
    pending_kps_.clear();
    pending_joiners_.clear();
    return out;
  }

  crypto::CipherSuite suite_;
  Random& rng_;
  GroupConfig config_;
  std::shared_ptr<PskStore> psks_;
  Json out_psks_ = Json::array();
  std::vector<Identity> ids_;
  std::vector<Group> groups_;
  std::vector<Identity> pending_joiners_;
  std::vector<KeyPackageBundle> pending_kps_;
};

Result<Json> welcome_scenarios(Random& rng) {
  Json out = Json::array();
  for (const auto& suite : crypto::CipherSuite::all()) {
    for (int variant = 0; variant < 3; ++variant) {
      Scenario s(suite, rng, variant == 2);
      MPSEC_TRY(s.start(3));
      std::vector<Proposal> extra;
      if (variant == 1) extra.push_back(Proposal{PreSharedKey{MPSEC_TRY(s.external_psk())}});
      out.push_back(MPSEC_TRY(s.add_passive(variant != 1, std::move(extra))));
    }
  }
  return out;
}

// One scenario per suite with one epoch per kind of commit a passive client must follow.
Result<Json> commit_scenarios(Random& rng) {
  Json out = Json::array();
  for (const auto& suite : crypto::CipherSuite::all()) {
    for (bool encrypted : {false, true}) {
      Scenario s(suite, rng, encrypted);
      MPSEC_TRY(s.start(4));
      auto j = MPSEC_TRY(s.add_passive(true, {}));
      auto& epochs = j["epochs"];
      // An add by value, without a path.
      CommitOptions add;
      add.proposals.push_back(Proposal{Add{MPSEC_TRY(s.fresh_key_package())}});
      add.force_path = false;
      epochs.push_back(MPSEC_TRY(s.epoch({}, 1, add)));
      // A remove proposed by one member and committed by reference by another.
      const auto victim = s.group(3).own_leaf().value;
      epochs.push_back(MPSEC_TRY(s.epoch({{1, Proposal{Remove{victim}}}}, 2, {})));
      // An update proposal by reference.
      auto update = MPSEC_TRY(s.group(1).update_proposal(rng));
      epochs.push_back(MPSEC_TRY(s.epoch({{1, update}}, 0, {})));
      // A PSK and an empty commit with a path.
      CommitOptions psk;
      psk.proposals.push_back(Proposal{PreSharedKey{MPSEC_TRY(s.external_psk())}});
      epochs.push_back(MPSEC_TRY(s.epoch({}, 2, psk)));
      epochs.push_back(MPSEC_TRY(s.epoch({}, 0, {})));
      // Group context extensions (an application id).
      CommitOptions gce;
      gce.proposals.push_back(Proposal{GroupContextExtensions{{{0x0001, text("app")}}}});
      epochs.push_back(MPSEC_TRY(s.epoch({}, 1, gce)));
      j["external_psks"] = s.psks_json();
      out.push_back(std::move(j));
    }
  }
  return out;
}

Result<Json> random_scenarios(Random& rng) {
  Json out = Json::array();
  for (const auto& suite : crypto::CipherSuite::all()) {
    Scenario s(suite, rng, false);
    MPSEC_TRY(s.start(3));
    auto j = MPSEC_TRY(s.add_passive(true, {}));
    for (int e = 0; e < 12; ++e) {
      const auto committer = MPSEC_TRY(s.random_below(static_cast<std::uint32_t>(s.size())));
      CommitOptions options;
      switch (MPSEC_TRY(s.random_below(4))) {
        case 0:
          options.proposals.push_back(Proposal{Add{MPSEC_TRY(s.fresh_key_package())}});
          break;
        case 1: {
          // Remove a random other member (never the passive client, which is not in s).
          if (s.size() > 2) {
            auto other = MPSEC_TRY(s.random_below(static_cast<std::uint32_t>(s.size())));
            if (other != committer)
              options.proposals.push_back(Proposal{Remove{s.group(other).own_leaf().value}});
          }
          break;
        }
        default:
          break;  // an empty commit (path update)
      }
      j["epochs"].push_back(MPSEC_TRY(s.epoch({}, committer, options)));
    }
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

bool is_generatable(std::string_view kind) {
  return kind == "passive-client-welcome" || kind == "passive-client-handling-commit" ||
         kind == "passive-client-random";
}

Result<Json> generate_vectors(std::string_view kind, Random& rng) {
  if (kind == "passive-client-welcome") return welcome_scenarios(rng);
  if (kind == "passive-client-handling-commit") return commit_scenarios(rng);
  if (kind == "passive-client-random") return random_scenarios(rng);
  return fail(Errc::invalid_argument, "unknown vector kind to generate");
}

}  // namespace mpsec::conformance
