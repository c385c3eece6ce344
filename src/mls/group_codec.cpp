// Group::save / Group::load: the whole member state, secrets included, in a versioned
// TLS-syntax format. A pending (unconfirmed) commit of this member is not saved: on load
// the group is in the state before it, which is right until the delivery service confirms.
//
// struct {
//   uint16 format = 1; uint16 cipher_suite; opaque signature_private_key<V>;
//   uint8 active; optional<ReInit> reinit;
//   Epoch current;
//   struct { opaque ref<V>; Sender sender; Proposal proposal; } proposals<V>;
//   struct { opaque encryption_key<V>; opaque private_key<V>; } pending_update_keys<V>;
//   struct { uint64 epoch; opaque context<V>; optional<Node> tree<V>;
//            opaque sender_data<V>; SecretTree tree; } past<V>;
//   struct { uint64 epoch; opaque psk<V>; } resumption_psks<V>;
// } SavedGroup;
// struct {
//   GroupContext context; optional<Node> tree<V>; uint32 own_leaf;
//   struct { uint32 node; opaque private_key<V>; } keys<V>;
//   opaque sender_data<V>, exporter<V>, external<V>, confirmation_key<V>, membership_key<V>,
//          resumption_psk<V>, epoch_authenticator<V>, init_secret<V>;
//   SecretTree secret_tree; opaque interim_transcript_hash<V>; opaque confirmation_tag<V>;
// } Epoch;
#include "mls/group_state.hpp"
#include "mls/transcript.hpp"

namespace mpsec::mls {

namespace {

constexpr std::uint16_t kFormat = 1;

template <class S>
void put_secret(codec::Writer& w, const S& s) {
  w.opaque(s.view());
}
template <class S>
Result<S> get_secret(codec::Reader& r) {
  return S(SecretBytes(MPSEC_TRY(r.opaque())));
}

Status encode_epoch(codec::Writer& w, const EpochState& e) {
  codec::encode(w, e.context);
  codec::encode(w, e.tree.to_nodes());
  w.u32(e.own.value);
  for (const auto& [node, key] : e.keys.all())
    (void)node, (void)key;
  std::vector<std::pair<std::uint32_t, SecretBytes>> keys;
  for (const auto& [node, key] : e.keys.all())
    keys.emplace_back(node, MPSEC_TRY(key.serialize()));
  w.vector([&](codec::Writer& v) {
    for (const auto& [node, key] : keys) {
      v.u32(node);
      v.opaque(key.view());
    }
  });
  const auto& s = e.secrets;
  put_secret(w, s.sender_data);
  put_secret(w, s.exporter);
  put_secret(w, s.external);
  put_secret(w, s.confirmation_key);
  put_secret(w, s.membership_key);
  put_secret(w, s.resumption_psk);
  put_secret(w, s.epoch_authenticator);
  put_secret(w, s.init_secret);
  e.secret_tree.encode(w);
  w.opaque(e.interim_transcript_hash);
  w.opaque(e.confirmation_tag);
  return ok();
}

Result<EpochState> decode_epoch(codec::Reader& r, const crypto::CipherSuite& suite,
                                const GroupConfig& config) {
  schedule::GroupContext context;
  MPSEC_TRY(codec::decode(r, context));
  RatchetTreeNodes nodes;
  MPSEC_TRY(codec::decode(r, nodes));
  auto tree = MPSEC_TRY(RatchetTree::from_nodes(suite, std::move(nodes)));
  const LeafIndex own(MPSEC_TRY(r.u32()));
  MPSEC_ENSURE(tree.leaf_node(own) != nullptr, Errc::decode_error, "own leaf is blank");
  std::map<std::uint32_t, crypto::DhPrivateKey> key_map;
  auto key_list = MPSEC_TRY(r.vector());
  while (!key_list.empty()) {
    const std::uint32_t node = MPSEC_TRY(key_list.u32());
    auto key = MPSEC_TRY(crypto::DhPrivateKey::parse(suite.kem(), MPSEC_TRY(key_list.opaque())));
    MPSEC_ENSURE(key_map.emplace(node, std::move(key)).second, Errc::decode_error,
                 "a private key appears twice");
  }
  auto own_key = key_map.find(own.node().value);
  MPSEC_ENSURE(own_key != key_map.end(), Errc::decode_error, "own leaf key missing");
  TreePrivateKeys keys(own, own_key->second);
  for (const auto& [node, key] : key_map)
    keys.set(NodeIndex(node), key);
  MPSEC_ENSURE(keys.own_leaf() == own && keys.key(own.node()) != nullptr, Errc::decode_error,
               "own leaf key missing");
  MPSEC_TRY(keys.check_consistent(tree));
  HeldSecrets s;
  s.sender_data = MPSEC_TRY(get_secret<schedule::SenderDataSecret>(r));
  s.exporter = MPSEC_TRY(get_secret<schedule::ExporterSecret>(r));
  s.external = MPSEC_TRY(get_secret<schedule::ExternalSecret>(r));
  s.confirmation_key = MPSEC_TRY(get_secret<schedule::ConfirmationKey>(r));
  s.membership_key = MPSEC_TRY(get_secret<schedule::MembershipKey>(r));
  s.resumption_psk = MPSEC_TRY(get_secret<schedule::ResumptionPsk>(r));
  s.epoch_authenticator = MPSEC_TRY(get_secret<schedule::EpochAuthenticator>(r));
  s.init_secret = MPSEC_TRY(get_secret<schedule::InitSecret>(r));
  for (const ByteView v :
       {s.sender_data.view(), s.exporter.view(), s.external.view(), s.confirmation_key.view(),
        s.membership_key.view(), s.resumption_psk.view(), s.epoch_authenticator.view(),
        s.init_secret.view()})
    MPSEC_ENSURE(v.size() == suite.hash_size(), Errc::decode_error, "secret of the wrong size");
  auto secret_tree = MPSEC_TRY(schedule::SecretTree::decode(suite, r, config.ratchet));
  MPSEC_ENSURE(secret_tree.leaf_count() == tree.leaf_count(), Errc::decode_error,
               "secret tree and ratchet tree disagree");
  auto interim = to_bytes(MPSEC_TRY(r.opaque()));
  auto tag = to_bytes(MPSEC_TRY(r.opaque()));
  auto context_bytes = MPSEC_TRY(codec::encode(context));
  MPSEC_ENSURE(MPSEC_TRY(tree.tree_hash()) == context.tree_hash, Errc::decode_error,
               "saved tree does not match the saved context");
  auto kdf = MPSEC_TRY(suite.kdf_key(s.sender_data.view()));
  return EpochState{std::move(context),
                    std::move(context_bytes),
                    std::move(tree),
                    std::move(keys),
                    own,
                    std::move(s),
                    std::move(kdf),
                    std::move(secret_tree),
                    std::move(interim),
                    std::move(tag)};
}

}  // namespace

Result<SecretBytes> Group::save() const {
  const auto& s = *state_;
  codec::Writer w = codec::Writer::for_secrets();
  w.u16(kFormat);
  w.u16(s.suite.code());
  w.opaque(MPSEC_TRY(s.signer.serialize()).view());
  w.u8(s.active ? 1 : 0);
  codec::encode(w, s.reinit);
  MPSEC_TRY(encode_epoch(w, s.current));
  w.vector([&](codec::Writer& v) {
    for (const auto& [ref, p] : s.proposals) {
      v.opaque(ref);
      codec::encode(v, p.sender);
      codec::encode(v, p.proposal);
    }
  });
  std::vector<std::pair<Bytes, SecretBytes>> updates;
  for (const auto& [pub, key] : s.pending_update_keys)
    updates.emplace_back(pub, MPSEC_TRY(key.serialize()));
  w.vector([&](codec::Writer& v) {
    for (const auto& [pub, key] : updates) {
      v.opaque(pub);
      v.opaque(key.view());
    }
  });
  w.vector([&](codec::Writer& v) {
    for (const auto& p : s.past) {
      v.u64(p.epoch);
      v.opaque(p.context_bytes);
      codec::encode(v, p.tree->to_nodes());
      v.opaque(p.sender_data.view());
      p.secret_tree.encode(v);
    }
  });
  w.vector([&](codec::Writer& v) {
    for (const auto& [epoch, psk] : s.resumption_psks) {
      v.u64(epoch);
      v.opaque(psk.view());
    }
  });
  return MPSEC_TRY(std::move(w).finish_secret());
}

Result<Group> Group::load(ByteView saved, const GroupConfig& config) {
  codec::Reader r(saved);
  MPSEC_ENSURE(MPSEC_TRY(r.u16()) == kFormat, Errc::unsupported, "unknown saved-state format");
  const auto suite = MPSEC_TRY(crypto::CipherSuite::from_code(MPSEC_TRY(r.u16())));
  auto signer = MPSEC_TRY(crypto::SigningKey::parse(suite.sig(), MPSEC_TRY(r.opaque())));
  const std::uint8_t active = MPSEC_TRY(r.u8());
  MPSEC_ENSURE(active <= 1, Errc::decode_error, "bad active flag");
  std::optional<ReInit> reinit;
  MPSEC_TRY(codec::decode(r, reinit));
  auto current = MPSEC_TRY(decode_epoch(r, suite, config));
  MPSEC_ENSURE(current.context.cipher_suite == suite.code(), Errc::decode_error,
               "saved state names two cipher suites");
  MPSEC_ENSURE(current.tree.leaf_node(current.own)->signature_key == signer.verify_key().bytes(),
               Errc::decode_error, "signing key does not belong to the own leaf");
  auto state = std::make_unique<State>(State{suite,
                                             config,
                                             std::move(signer),
                                             std::move(current),
                                             {},
                                             {},
                                             {},
                                             {},
                                             {},
                                             active == 1,
                                             std::move(reinit)});
  auto proposals = MPSEC_TRY(r.vector());
  while (!proposals.empty()) {
    ProposalMessage p;
    p.ref = to_bytes(MPSEC_TRY(proposals.opaque()));
    MPSEC_TRY(codec::decode(proposals, p.sender));
    MPSEC_TRY(codec::decode(proposals, p.proposal));
    const Bytes ref = p.ref;
    state->proposals.insert_or_assign(ref, std::move(p));
  }
  auto updates = MPSEC_TRY(r.vector());
  while (!updates.empty()) {
    auto pub = to_bytes(MPSEC_TRY(updates.opaque()));
    auto key = MPSEC_TRY(crypto::DhPrivateKey::parse(suite.kem(), MPSEC_TRY(updates.opaque())));
    state->pending_update_keys.insert_or_assign(std::move(pub), std::move(key));
  }
  auto past = MPSEC_TRY(r.vector());
  while (!past.empty()) {
    const std::uint64_t epoch = MPSEC_TRY(past.u64());
    auto context = to_bytes(MPSEC_TRY(past.opaque()));
    RatchetTreeNodes nodes;
    MPSEC_TRY(codec::decode(past, nodes));
    auto tree = MPSEC_TRY(RatchetTree::from_nodes(suite, std::move(nodes)));
    schedule::SenderDataSecret sender_data(SecretBytes(MPSEC_TRY(past.opaque())));
    auto kdf = MPSEC_TRY(suite.kdf_key(sender_data.view()));
    auto secret_tree = MPSEC_TRY(schedule::SecretTree::decode(suite, past, config.ratchet));
    state->past.push_back(
        PastEpoch{epoch, std::move(context), std::make_shared<const RatchetTree>(std::move(tree)),
                  std::move(sender_data), std::move(kdf), std::move(secret_tree)});
  }
  auto psks = MPSEC_TRY(r.vector());
  while (!psks.empty()) {
    const std::uint64_t epoch = MPSEC_TRY(psks.u64());
    state->resumption_psks.emplace_back(
        epoch, schedule::ResumptionPsk(SecretBytes(MPSEC_TRY(psks.opaque()))));
  }
  MPSEC_TRY(r.finish());
  return Group(std::move(state));
}

}  // namespace mpsec::mls
