#include "central/member.hpp"

#include <algorithm>

namespace mpsec::central {

namespace {

std::vector<tree::GraphKey> from_wire_keys(std::vector<WireKey>& keys) {
  std::vector<tree::GraphKey> out;
  out.reserve(keys.size());
  for (WireKey& k : keys)
    out.push_back({k.node, k.version, std::move(k.key)});
  return out;
}

Status check_keys(const crypto::CipherSuite& suite, const std::vector<WireKey>& keys,
                  std::uint32_t group_key_node) {
  MPSEC_ENSURE(!keys.empty() && keys.size() <= 64, Errc::decode_error, "bad key count");
  bool has_group_key = false;
  for (const WireKey& k : keys) {
    MPSEC_ENSURE(k.key.size() == suite.hash_size(), Errc::decode_error, "bad key size");
    has_group_key |= k.node == group_key_node;
  }
  MPSEC_ENSURE(has_group_key, Errc::decode_error, "the group key is missing");
  return ok();
}

}  // namespace

// State between hello() and the RegisterResult.
struct Member::Registration {
  std::optional<crypto::DhPrivateKey> share;
  RegisterHello hello;
  Bytes t1, t4;
  HandshakeKeys keys;
  int cookies = 0;
  bool auth_sent = false;
};

Member::Member(MemberConfig config, crypto::CipherSuite suite, Random& rng)
    : config_(std::move(config)), suite_(suite), rng_(rng) {}

Member::~Member() = default;

Result<std::unique_ptr<Member>> Member::create(MemberConfig config, Random& rng) {
  const crypto::CipherSuite suite = MPSEC_TRY(crypto::CipherSuite::from_code(config.cipher_suite));
  MPSEC_ENSURE(config.signing_key.alg() == suite.sig(), Errc::invalid_key,
               "signature key is not of the suite's algorithm");
  MPSEC_ENSURE(valid_role(config.role), Errc::invalid_argument, "unknown role");
  MPSEC_TRY(crypto::VerifyKey::parse(suite.sig(), config.gcks_signature_key));
  MPSEC_ENSURE(!config.group_id.empty(), Errc::invalid_argument, "empty group id");
  return std::unique_ptr<Member>(new Member(std::move(config), suite, rng));
}

Result<Bytes> Member::hello(Instant now) {
  auto reg = std::make_unique<Registration>();
  reg->share = MPSEC_TRY(crypto::DhPrivateKey::generate(suite_.hpke().kem, rng_));
  reg->hello.group_id = config_.group_id;
  reg->hello.cipher_suite = config_.cipher_suite;
  MPSEC_TRY(rng_.fill(reg->hello.member_nonce));
  reg->hello.member_share = reg->share->public_key().bytes();
  Bytes out = MPSEC_TRY(encode_message(reg->hello));
  reg_ = std::move(reg);
  state_ = MemberState::registering;
  last_fresh_ = now;
  return out;
}

Result<MemberOutput> Member::handle(ByteView message, Instant now) {
  const std::uint16_t wf = MPSEC_TRY(peek_wire_format(message));
  MPSEC_ENSURE(message.size() <= kMaxMessage, Errc::limit_exceeded, "message too large");
  switch (wf) {
    case static_cast<std::uint16_t>(CentralWireFormat::register_cookie):
      return on_cookie(message);
    case static_cast<std::uint16_t>(CentralWireFormat::register_challenge):
      return on_challenge(message);
    case static_cast<std::uint16_t>(CentralWireFormat::register_result):
      return on_result(message, now);
    case static_cast<std::uint16_t>(CentralWireFormat::rekey):
      return on_rekey(message, now);
    case static_cast<std::uint16_t>(CentralWireFormat::heartbeat):
      return on_heartbeat(message, now);
    case static_cast<std::uint16_t>(CentralWireFormat::sa_response):
      return on_sa_response(message, now);
    case static_cast<std::uint16_t>(record::WireFormat::private_message):
      return on_data(message, now);
    default:
      return fail(Errc::decode_error, "unexpected message type for a member");
  }
}

Result<MemberOutput> Member::on_cookie(ByteView message) {
  MPSEC_ENSURE(state_ == MemberState::registering && reg_ && !reg_->auth_sent, Errc::invalid_state,
               "not waiting for a cookie");
  const RegisterCookie c = MPSEC_TRY(decode_message<RegisterCookie>(message));
  MPSEC_ENSURE(!c.cookie.empty() && c.cookie.size() <= 64, Errc::decode_error, "bad cookie");
  // A GCKS that keeps answering with cookies is refusing this hello; give up after a few.
  MPSEC_ENSURE(reg_->cookies < 3, Errc::policy_violation, "too many cookies");
  ++reg_->cookies;
  reg_->hello.cookie = c.cookie;
  MemberOutput out;
  out.to_gcks.push_back(MPSEC_TRY(encode_message(reg_->hello)));
  return out;
}

Result<MemberOutput> Member::on_challenge(ByteView message) {
  MPSEC_ENSURE(state_ == MemberState::registering && reg_ && !reg_->auth_sent, Errc::invalid_state,
               "not waiting for a challenge");
  const RegisterChallenge ch = MPSEC_TRY(decode_message<RegisterChallenge>(message));
  MPSEC_ENSURE(ct_equal(ch.gcks_signature_key, config_.gcks_signature_key),
               Errc::authentication_failed, "the challenge is not from our GCKS");
  const crypto::VerifyKey gcks =
      MPSEC_TRY(crypto::VerifyKey::parse(suite_.sig(), ch.gcks_signature_key));
  const Bytes t1 = MPSEC_TRY(transcript_t1(suite_, reg_->hello, ch));
  MPSEC_TRY(suite_.verify_with_label(gcks, kChallengeLabel, t1, ch.signature));
  const crypto::DhPublicKey peer =
      MPSEC_TRY(crypto::DhPublicKey::parse(suite_.hpke().kem, ch.gcks_share));
  const SecretBytes dh = MPSEC_TRY(reg_->share->dh(peer));
  HandshakeKeys keys = MPSEC_TRY(
      derive_handshake_keys(suite_, dh.view(), reg_->hello.member_nonce, ch.gcks_nonce, t1));
  AuthBody body;
  body.credential = config_.credential;
  body.signature_key = config_.signing_key.verify_key().bytes();
  body.role = config_.role;
  body.unicast_delivery = config_.unicast_delivery ? 1 : 0;
  const Bytes t2 = MPSEC_TRY(transcript_t2(suite_, t1, body));
  body.signature = MPSEC_TRY(suite_.sign_with_label(config_.signing_key, kMemberAuthLabel, t2));
  const Bytes t3 = MPSEC_TRY(transcript_next(suite_, t2, body.signature));
  body.finished = MPSEC_TRY(finished_mac(suite_, keys.member_finished.view(), t3));
  Bytes t4 = MPSEC_TRY(transcript_next(suite_, t3, body.finished));
  RegisterAuth auth;
  auth.group_id = config_.group_id;
  auth.encrypted =
      MPSEC_TRY(crypto::aead_seal(suite_.aead(), keys.member_key.view(), keys.member_nonce.view(),
                                  t1, MPSEC_TRY(codec::encode(body))));
  MemberOutput out;
  out.to_gcks.push_back(MPSEC_TRY(encode_message(auth)));
  reg_->t1 = t1;
  reg_->t4 = std::move(t4);
  reg_->keys = std::move(keys);
  reg_->auth_sent = true;
  return out;
}

Result<MemberOutput> Member::on_result(ByteView message, Instant now) {
  MPSEC_ENSURE(state_ == MemberState::registering && reg_ && reg_->auth_sent, Errc::invalid_state,
               "not waiting for a result");
  const RegisterResult r = MPSEC_TRY(decode_message<RegisterResult>(message));
  const crypto::AeadKey key =
      MPSEC_TRY(crypto::AeadKey::create(suite_.aead(), reg_->keys.gcks_key.view()));
  const SecretBytes plain =
      MPSEC_TRY(key.open_secret(reg_->keys.gcks_nonce.view(), reg_->t1, r.encrypted));
  ResultBody body = MPSEC_TRY(codec::decode<ResultBody>(plain.view()));
  MPSEC_TRY(verify_finished(suite_, reg_->keys.gcks_finished.view(), reg_->t4, body.finished));
  MemberOutput out;
  if (body.accepted != 1 || !body.admission) {
    MPSEC_ENSURE(body.accepted == 0, Errc::decode_error, "bad accepted flag");
    state_ = MemberState::refused;
    reg_.reset();
    out.events.push_back(
        {MemberEvent::Kind::refused, 0, std::string(body.reason.begin(), body.reason.end())});
    return out;
  }
  WireAdmission& a = *body.admission;
  MPSEC_TRY(check_keys(suite_, a.keys, a.group_key_node));
  const crypto::VerifyKey rekey_key =
      MPSEC_TRY(crypto::VerifyKey::parse(suite_.sig(), a.rekey_signature_key));
  SenderRoster roster = MPSEC_TRY(SenderRoster::from_wire(a.data.roster, a.data.leaves));
  MPSEC_ENSURE(a.slot < a.data.leaves, Errc::decode_error, "own slot beyond the leaf count");
  const record::DataPolicy policy = MPSEC_TRY(from_wire(a.data.policy));
  SecretBytes sa_secret = MPSEC_TRY(suite_.expand_with_label(
      reg_->keys.handshake_secret.view(), kSaSecretLabel, reg_->t4, suite_.hash_size()));
  RegistrationSa sa = MPSEC_TRY(RegistrationSa::create(suite_, a.sa_id, std::move(sa_secret)));
  tree::MemberKeyRing ring(suite_, config_.group_id, from_wire_keys(a.keys), a.group_key_node);
  const tree::GraphKey* gk = MPSEC_TRY(ring.group_key());
  record::EpochInput epoch = MPSEC_TRY(
      make_epoch_input(suite_, config_.group_id, a.seq, a.data.leaves, roster, gk->key.view()));
  std::optional<crypto::SigningKey> own;
  if (config_.role == Role::sender) own = config_.signing_key;
  record::DataSA data =
      MPSEC_TRY(record::DataSA::create(suite_, config_.group_id, tree::LeafIndex(a.slot),
                                       std::move(own), policy, std::move(epoch), now));
  // Admitted: commit.
  slot_ = a.slot;
  seq_ = a.seq;
  leaves_ = a.data.leaves;
  sa_ = std::move(sa);
  rekey_key_ = rekey_key;
  ring_ = std::move(ring);
  roster_ = std::move(roster);
  policy_ = policy;
  heartbeat_ = Duration(static_cast<std::int64_t>(a.data.policy.heartbeat_ms));
  data_ = std::move(data);
  buffered_.clear();
  last_fresh_ = now;
  reg_.reset();
  state_ = MemberState::active;
  out.events.push_back({MemberEvent::Kind::joined, seq_, "slot " + std::to_string(slot_)});
  return out;
}

Result<Rekey> Member::verify_rekey(ByteView message) const {
  Rekey rk = MPSEC_TRY(decode_message<Rekey>(message));
  MPSEC_ENSURE(rk.group_id == config_.group_id, Errc::wrong_group, "rekey for another group");
  codec::Writer tbs;
  rk.encode_tbs(tbs);
  MPSEC_TRY(suite_.verify_with_label(*rekey_key_, kRekeyLabel, MPSEC_TRY(std::move(tbs).finish()),
                                     rk.signature));
  return rk;
}

Result<MemberOutput> Member::on_rekey(ByteView message, Instant now) {
  MPSEC_ENSURE(state_ == MemberState::active, Errc::invalid_state, "not a member");
  auto rk = verify_rekey(message);
  if (!rk) {
    if (rk.error().code == Errc::authentication_failed) ++counters_.forged;
    return tl::unexpected(std::move(rk).error());
  }
  MemberOutput out;
  if (rk->seq <= seq_ || buffered_.contains(rk->seq)) {
    ++counters_.duplicates;
    return out;
  }
  last_fresh_ = now;
  if (rk->seq > seq_ + 1) {
    if (buffered_.size() < kMaxBufferedRekeys) {
      ++counters_.buffered;
      buffered_.emplace(rk->seq, std::move(*rk));
    }
    schedule_resync(now, "missing rekey " + std::to_string(seq_ + 1), out);
    return out;
  }
  MPSEC_TRY(apply_rekey(*rk, now, out));
  MPSEC_TRY(drain(now, out));
  return out;
}

Status Member::apply_rekey(const Rekey& rk, Instant now, MemberOutput& out) {
  if (std::find(rk.departed.begin(), rk.departed.end(), slot_) != rk.departed.end()) {
    depart("ejected by the GCKS", out);
    return ok();
  }
  SenderRoster roster = roster_;
  MPSEC_TRY(roster.apply(rk.roster_added, rk.departed, rk.leaves));
  MPSEC_ENSURE(slot_ < rk.leaves, Errc::decode_error, "own slot beyond the leaf count");
  // All or nothing: the rekey is applied to a copy of the ring and the new epoch built from
  // it; the member's keys, roster and epoch change together or not at all.
  tree::MemberKeyRing ring = ring_->clone();
  auto applied = ring.apply(rk.graph);
  if (!applied) {
    // Keys this member cannot follow (a missed rekey it did not notice, or a push that did
    // not arrive): ask for its keys.
    schedule_resync(
        now, "cannot apply rekey " + std::to_string(rk.seq) + ": " + applied.error().message, out);
    return ok();
  }
  MPSEC_TRY(install(rk.seq, rk.leaves, ring, roster, now));
  ring_ = std::move(ring);
  roster_ = std::move(roster);
  out.events.push_back({MemberEvent::Kind::rekeyed, seq_, {}});
  return ok();
}

// Installs the epoch that `ring` and `roster` give as the Data SA's current one; on failure
// nothing changed.
Status Member::install(std::uint64_t seq, std::uint32_t leaves, const tree::MemberKeyRing& ring,
                       const SenderRoster& roster, Instant now) {
  const tree::GraphKey* gk = MPSEC_TRY(ring.group_key());
  record::EpochInput epoch =
      MPSEC_TRY(make_epoch_input(suite_, config_.group_id, seq, leaves, roster, gk->key.view()));
  MPSEC_TRY(data_->install_epoch(std::move(epoch), now));
  seq_ = seq;
  leaves_ = leaves;
  return ok();
}

Status Member::drain(Instant now, MemberOutput& out) {
  while (state_ == MemberState::active) {
    auto it = buffered_.begin();
    while (it != buffered_.end() && it->first <= seq_)
      it = buffered_.erase(it);
    if (it == buffered_.end() || it->first != seq_ + 1) break;
    const Rekey rk = std::move(it->second);
    buffered_.erase(it);
    const std::uint64_t before = seq_;
    MPSEC_TRY(apply_rekey(rk, now, out));
    if (seq_ == before) break;  // could not apply: a resync is on its way
  }
  if (buffered_.empty() && !awaiting_ && resync_at_ && state_ == MemberState::active) {
    // The gap closed by itself (a repeat arrived): no need to ask.
    resync_at_.reset();
  }
  return ok();
}

void Member::schedule_resync(Instant now, std::string why, MemberOutput& out) {
  if (resync_at_ || awaiting_) return;
  if (backoff_.count() == 0) backoff_ = config_.max_backoff;
  std::uint8_t r[4] = {};
  std::uint32_t wait = 0;
  if (rng_.fill(r))
    wait =
        (std::uint32_t{r[0]} << 24 | std::uint32_t{r[1]} << 16 | std::uint32_t{r[2]} << 8 | r[3]);
  const auto span = static_cast<std::uint64_t>(std::max<std::int64_t>(backoff_.count(), 1));
  resync_at_ = now + Duration(static_cast<std::int64_t>(wait % (span + 1)));
  out.events.push_back({MemberEvent::Kind::gap, seq_, std::move(why)});
}

Result<MemberOutput> Member::on_heartbeat(ByteView message, Instant now) {
  MPSEC_ENSURE(state_ == MemberState::active, Errc::invalid_state, "not a member");
  const Heartbeat hb = MPSEC_TRY(decode_message<Heartbeat>(message));
  MPSEC_ENSURE(hb.group_id == config_.group_id, Errc::wrong_group, "heartbeat for another group");
  MPSEC_ENSURE(hb.recent.size() <= kRekeyLogDepth, Errc::limit_exceeded, "too many repeats");
  codec::Writer tbs;
  hb.encode_tbs(tbs);
  if (!suite_.verify_with_label(*rekey_key_, kHeartbeatLabel, MPSEC_TRY(std::move(tbs).finish()),
                                hb.signature)) {
    ++counters_.forged;
    return fail(Errc::authentication_failed, "heartbeat signature does not verify");
  }
  if (hb.sent_at_ms <= last_heartbeat_ms_) {
    ++counters_.stale_heartbeats;
    return MemberOutput{};
  }
  last_heartbeat_ms_ = hb.sent_at_ms;
  last_fresh_ = now;
  MemberOutput out;
  for (const Bytes& m : hb.recent) {
    if (state_ != MemberState::active) break;
    auto r = on_rekey(m, now);
    if (!r) continue;  // a repeat that does not verify is skipped, the rest still counts
    for (auto& e : r->events)
      out.events.push_back(std::move(e));
  }
  if (state_ == MemberState::active && hb.seq > seq_)
    schedule_resync(now, "heartbeat announces rekey " + std::to_string(hb.seq), out);
  return out;
}

Result<MemberOutput> Member::on_sa_response(ByteView message, Instant now) {
  MPSEC_ENSURE(state_ == MemberState::active && sa_, Errc::invalid_state, "no Registration SA");
  const SaResponse resp = MPSEC_TRY(decode_message<SaResponse>(message));
  // Counter 0 is an unsolicited push (keys the rekey could not carry to us).
  MPSEC_ENSURE(resp.counter == 0 || (awaiting_ && resp.counter == *awaiting_), Errc::replay,
               "response to no outstanding request");
  ResyncBody body = MPSEC_TRY(sa_->open_response(resp));
  MemberOutput out;
  if (body.member == 0) {
    depart("no longer a member of the group", out);
    return out;
  }
  MPSEC_ENSURE(body.member == 1, Errc::decode_error, "bad member flag");
  // Never back to an older epoch: a replayed response cannot roll the member back.
  MPSEC_ENSURE(body.seq >= seq_, Errc::replay, "resynchronisation to an older rekey");
  MPSEC_TRY(check_keys(suite_, body.keys, body.group_key_node));
  SenderRoster roster = MPSEC_TRY(SenderRoster::from_wire(body.data.roster, body.data.leaves));
  MPSEC_ENSURE(slot_ < body.data.leaves, Errc::decode_error, "own slot beyond the leaf count");
  MPSEC_ENSURE(body.data.policy.heartbeat_ms == static_cast<std::uint64_t>(heartbeat_.count()),
               Errc::policy_violation, "the group policy changed");
  if (resp.counter != 0) {
    awaiting_.reset();
    backoff_ = Duration(0);
  }
  tree::MemberKeyRing ring(suite_, config_.group_id, from_wire_keys(body.keys),
                           body.group_key_node);
  const tree::GraphKey* gk = MPSEC_TRY(ring.group_key());
  if (body.seq > data_->epoch()) {
    record::EpochInput epoch = MPSEC_TRY(make_epoch_input(
        suite_, config_.group_id, body.seq, body.data.leaves, roster, gk->key.view()));
    MPSEC_TRY(data_->install_epoch(std::move(epoch), now));
  }
  ring_ = std::move(ring);
  roster_ = std::move(roster);
  seq_ = body.seq;
  leaves_ = body.data.leaves;
  last_fresh_ = now;
  resync_at_.reset();
  out.events.push_back({MemberEvent::Kind::resynced, seq_, {}});
  MPSEC_TRY(drain(now, out));
  return out;
}

Result<MemberOutput> Member::on_data(ByteView message, Instant now) {
  MPSEC_ENSURE(data_.has_value(), Errc::invalid_state, "no Data SA");
  auto r = data_->unprotect(message, now);
  if (!r) {
    ++counters_.rejected_data;
    return tl::unexpected(std::move(r).error());
  }
  MemberOutput out;
  out.data.push_back(std::move(*r));
  return out;
}

Result<MemberOutput> Member::tick(Instant now) {
  MemberOutput out;
  if (state_ != MemberState::active) return out;
  data_->expire(now);
  if (!resync_at_ && !awaiting_ && now - last_fresh_ > kMissedHeartbeats * heartbeat_)
    schedule_resync(now, "no word from the GCKS: keys may have expired", out);
  if (resync_at_ && now >= *resync_at_) {
    SaRequest req;
    req.group_id = config_.group_id;
    req.sa_id = sa_->sa_id();
    req.counter = ++counter_;
    req.kind = SaRequestKind::resync;
    req.mac = MPSEC_TRY(sa_->request_mac(req));
    out.to_gcks.push_back(MPSEC_TRY(encode_message(req)));
    ++counters_.resync_requests;
    awaiting_ = req.counter;
    // If no answer comes, ask again later, waiting longer each time (bounded).
    backoff_ = std::min(backoff_ * 2, Duration(30'000));
    resync_at_ = now + std::max(backoff_, heartbeat_);
  }
  return out;
}

Instant Member::next_deadline() const {
  Instant t = last_fresh_ + kMissedHeartbeats * heartbeat_ + Duration(1);
  if (resync_at_) t = std::min(t, *resync_at_);
  return t;
}

Result<Bytes> Member::protect(ByteView plaintext, ByteView authenticated_data) {
  MPSEC_ENSURE(state_ == MemberState::active, Errc::invalid_state, "not a member");
  MPSEC_ENSURE(config_.role == Role::sender, Errc::policy_violation, "this member may not send");
  return data_->protect(plaintext, authenticated_data, rng_);
}

Result<Bytes> Member::deregister() {
  MPSEC_ENSURE(state_ == MemberState::active && sa_, Errc::invalid_state, "not a member");
  SaRequest req;
  req.group_id = config_.group_id;
  req.sa_id = sa_->sa_id();
  req.counter = ++counter_;
  req.kind = SaRequestKind::deregister;
  req.mac = MPSEC_TRY(sa_->request_mac(req));
  awaiting_ = req.counter;
  return encode_message(req);
}

void Member::depart(std::string why, MemberOutput& out) {
  state_ = MemberState::departed;
  // The key ring goes; the Data SA keeps only the epochs this member was entitled to (for
  // their grace time), so it can still read what was sent before it left and nothing after.
  ring_.reset();
  buffered_.clear();
  resync_at_.reset();
  awaiting_.reset();
  out.events.push_back({MemberEvent::Kind::departed, seq_, std::move(why)});
}

std::optional<std::uint64_t> Member::epoch() const {
  if (!data_) return std::nullopt;
  return data_->epoch();
}

Result<tree::GraphKey> Member::group_key() const {
  MPSEC_ENSURE(ring_.has_value(), Errc::invalid_state, "no keys");
  const tree::GraphKey* gk = MPSEC_TRY(ring_->group_key());
  return tree::GraphKey{gk->node, gk->version, gk->key.clone()};
}

}  // namespace mpsec::central
