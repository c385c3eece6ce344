#include "central/gcks.hpp"

#include <algorithm>

namespace mpsec::central {

namespace {

Bytes to_b(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

std::uint64_t bucket_of(Instant now) {
  return static_cast<std::uint64_t>(now.time_since_epoch().count()) /
         static_cast<std::uint64_t>(kCookieBucket.count());
}

std::int64_t unix_seconds(Instant now) {
  return now.time_since_epoch().count() / 1000;
}

Result<std::unique_ptr<tree::KeyGraph>> make_graph(const GroupConfig& c,
                                                   const crypto::CipherSuite& suite, Random& rng) {
  if (c.graph == KeyGraphType::lkh) return tree::make_lkh_tree(suite, c.group_id, c.degree, rng);
  return tree::make_flat_table(suite, c.group_id, c.id_bits, rng);
}

Outgoing to_conn(ConnId conn, Bytes message) {
  return {Outgoing::To::connection, conn, 0, std::move(message)};
}

}  // namespace

// A registration between RegisterChallenge and RegisterAuth.
struct Gcks::Handshake {
  Instant started;
  Bytes t1;
  HandshakeKeys keys;
};

// A member authenticated and admitted to the graph, waiting for the rekey that admits it.
struct Gcks::PendingAdmission {
  ConnId conn;
  MemberRecord record;
  SecretBytes gcks_key, gcks_nonce, t1;
  Bytes finished;  // the GCKS's finished MAC over T4
  std::string who;
};

Gcks::Gcks(GroupConfig config, crypto::CipherSuite suite, crypto::SigningKey key, Journal& journal,
           Random& rng)
    : config_(std::move(config)),
      suite_(suite),
      key_(std::move(key)),
      journal_(journal),
      rng_(rng),
      admission_(*AdmissionControl::create({}, suite.sig())) {}

Gcks::~Gcks() = default;

Result<std::unique_ptr<Gcks>> Gcks::create(GroupConfig config, crypto::SigningKey key,
                                           Journal& journal, Random& rng, Instant now) {
  MPSEC_TRY(config.validate());
  const crypto::CipherSuite suite = MPSEC_TRY(crypto::CipherSuite::from_code(config.cipher_suite));
  MPSEC_ENSURE(key.alg() == suite.sig(), Errc::invalid_key,
               "the GCKS key is not of the suite's signature algorithm");
  std::unique_ptr<Gcks> g(new Gcks(std::move(config), suite, std::move(key), journal, rng));
  g->admission_ = MPSEC_TRY(AdmissionControl::create(g->config_.admission, suite.sig()));
  g->graph_ = MPSEC_TRY(make_graph(g->config_, suite, rng));
  g->cookie_key_ = SecretBytes(suite.hash_size());
  MPSEC_TRY(rng.fill(g->cookie_key_.mutable_view()));
  GcksCommit c;
  c.group_id = g->config_.group_id;
  c.config = MPSEC_TRY(codec::encode(g->config_));
  c.seq = 0;
  codec::Writer w = codec::Writer::for_secrets();
  g->graph_->encode(w);
  c.graph = MPSEC_TRY(std::move(w).finish_secret());
  MPSEC_TRY(journal.commit(c));
  g->last_rekey_at_ = now;
  g->next_heartbeat_ = now;
  return g;
}

Result<std::unique_ptr<Gcks>> Gcks::restore(GcksSnapshot s, crypto::SigningKey key,
                                            Journal& journal, Random& rng, Instant now) {
  MPSEC_TRY(s.config.validate());
  const crypto::CipherSuite suite =
      MPSEC_TRY(crypto::CipherSuite::from_code(s.config.cipher_suite));
  MPSEC_ENSURE(key.alg() == suite.sig(), Errc::invalid_key,
               "the GCKS key is not of the suite's signature algorithm");
  std::unique_ptr<Gcks> g(new Gcks(std::move(s.config), suite, std::move(key), journal, rng));
  g->admission_ = MPSEC_TRY(AdmissionControl::create(g->config_.admission, suite.sig()));
  codec::Reader r(s.graph.view());
  g->graph_ = MPSEC_TRY(tree::decode_key_graph(suite, r));
  MPSEC_TRY(r.finish());
  g->seq_ = s.seq;
  for (MemberRecord& m : s.members) {
    MPSEC_ENSURE(valid_role(m.role) && m.unicast_delivery <= 1, Errc::decode_error,
                 "bad stored member record");
    RegistrationSa sa = MPSEC_TRY(RegistrationSa::create(suite, m.sa_id, m.sa_secret.clone()));
    if (m.role == Role::sender) g->roster_.set(m.slot, m.signature_key);
    g->sas_.emplace(m.sa_id, SaState{std::move(sa), m.slot, 0});
    const std::uint32_t slot = m.slot;
    g->slot_by_key_[m.signature_key] = slot;
    g->members_.emplace(slot, std::move(m));
  }
  MPSEC_ENSURE(g->members_.size() == g->graph_->member_count(), Errc::decode_error,
               "stored members do not match the stored key graph");
  for (Bytes& m : s.recent_rekeys)
    g->recent_.push_back(std::move(m));
  g->cookie_key_ = SecretBytes(suite.hash_size());
  MPSEC_TRY(rng.fill(g->cookie_key_.mutable_view()));
  g->last_rekey_at_ = now;
  g->next_heartbeat_ = now;
  return g;
}

Result<GcksOutput> Gcks::handle(ConnId conn, std::string_view peer, ByteView message, Instant now) {
  MPSEC_ENSURE(!failed_, Errc::invalid_state, "GCKS stopped after a journal failure");
  auto wf = peek_wire_format(message);
  if (!wf || message.size() > kMaxMessage) {
    ++counters_.malformed;
    return fail(Errc::decode_error, "not an mpsec message");
  }
  switch (*wf) {
    case static_cast<std::uint16_t>(CentralWireFormat::register_hello):
      return on_hello(conn, peer, message, now);
    case static_cast<std::uint16_t>(CentralWireFormat::register_auth):
      return on_auth(conn, message, now);
    case static_cast<std::uint16_t>(CentralWireFormat::sa_request):
      return on_sa_request(conn, message, now);
    default:
      ++counters_.malformed;
      return fail(Errc::decode_error, "unexpected message type for the GCKS");
  }
}

Result<GcksOutput> Gcks::on_hello(ConnId conn, std::string_view peer, ByteView message,
                                  Instant now) {
  auto hello = decode_message<RegisterHello>(message);
  if (!hello || hello->group_id != config_.group_id ||
      hello->cipher_suite != config_.cipher_suite) {
    ++counters_.malformed;
    return fail(Errc::decode_error, "bad RegisterHello");
  }
  // The cookie comes first: nothing costly and no state for a peer that has not shown it
  // receives at its address.
  if (hello->cookie.empty() ||
      !check_cookie(suite_, cookie_key_.view(), bucket_of(now), peer, *hello)) {
    if (!hello->cookie.empty()) ++counters_.bad_cookies;
    ++counters_.cookies_sent;
    RegisterCookie cookie{
        MPSEC_TRY(make_cookie(suite_, cookie_key_.view(), bucket_of(now), peer, *hello))};
    GcksOutput out;
    out.messages.push_back(to_conn(conn, MPSEC_TRY(encode_message(cookie))));
    return out;
  }
  expire(now);
  if (seen_nonces_.contains(hello->member_nonce)) {
    ++counters_.replayed_nonces;
    return fail(Errc::replay, "member nonce already used");
  }
  auto share = crypto::DhPublicKey::parse(suite_.hpke().kem, hello->member_share);
  if (!share) {
    ++counters_.malformed;
    return fail(Errc::invalid_key, "bad member share");
  }
  const crypto::DhPrivateKey eph =
      MPSEC_TRY(crypto::DhPrivateKey::generate(suite_.hpke().kem, rng_));
  // Every X25519/X448 string parses; a low-order share only shows here, as an all-zero DH
  // result: it is the member's bad input, refused and counted like an unparsable share.
  auto shared = eph.dh(*share);
  if (!shared) {
    ++counters_.malformed;
    return fail(Errc::invalid_key, "bad member share");
  }
  const SecretBytes dh = std::move(*shared);
  RegisterChallenge ch;
  MPSEC_TRY(rng_.fill(ch.gcks_nonce));
  ch.gcks_share = eph.public_key().bytes();
  ch.gcks_signature_key = key_.verify_key().bytes();
  auto hs = std::make_unique<Handshake>();
  hs->started = now;
  hs->t1 = MPSEC_TRY(transcript_t1(suite_, *hello, ch));
  ch.signature = MPSEC_TRY(suite_.sign_with_label(key_, kChallengeLabel, hs->t1));
  hs->keys = MPSEC_TRY(
      derive_handshake_keys(suite_, dh.view(), hello->member_nonce, ch.gcks_nonce, hs->t1));
  Bytes reply = MPSEC_TRY(encode_message(ch));
  // Committed from here on: remember the nonce and the handshake.
  // Full (only under a flood of hellos with valid cookies): the oldest nonce goes first.
  if (seen_nonces_.size() >= kMaxRememberedNonces) {
    seen_nonces_.erase(nonce_order_.front().second);
    nonce_order_.pop_front();
  }
  seen_nonces_.insert(hello->member_nonce);
  nonce_order_.emplace_back(now + 2 * kCookieBucket, hello->member_nonce);
  if (handshakes_.size() >= kMaxPendingHandshakes && !handshakes_.contains(conn)) {
    auto oldest = std::min_element(
        handshakes_.begin(), handshakes_.end(),
        [](const auto& a, const auto& b) { return a.second->started < b.second->started; });
    handshakes_.erase(oldest);
    ++counters_.handshakes_evicted;
  }
  handshakes_[conn] = std::move(hs);
  GcksOutput out;
  out.messages.push_back(to_conn(conn, std::move(reply)));
  return out;
}

Result<GcksOutput> Gcks::reply_refused(ConnId conn, const Handshake& hs, ByteView t4,
                                       std::string reason) {
  ++counters_.refused;
  ResultBody body;
  body.accepted = 0;
  body.reason = to_b(reason);
  body.finished = MPSEC_TRY(finished_mac(suite_, hs.keys.gcks_finished.view(), t4));
  const SecretBytes plain = MPSEC_TRY(codec::encode_secret(body));
  RegisterResult result{MPSEC_TRY(crypto::aead_seal(
      suite_.aead(), hs.keys.gcks_key.view(), hs.keys.gcks_nonce.view(), hs.t1, plain.view()))};
  GcksOutput out;
  out.messages.push_back(to_conn(conn, MPSEC_TRY(encode_message(result))));
  out.events.push_back({GcksEvent::Kind::refused, 0, {}, seq_, std::move(reason)});
  return out;
}

Result<GcksOutput> Gcks::on_auth(ConnId conn, ByteView message, Instant now) {
  auto auth = decode_message<RegisterAuth>(message);
  if (!auth || auth->group_id != config_.group_id) {
    ++counters_.malformed;
    return fail(Errc::decode_error, "bad RegisterAuth");
  }
  auto it = handshakes_.find(conn);
  if (it == handshakes_.end()) {
    ++counters_.malformed;
    return fail(Errc::invalid_state, "RegisterAuth without a handshake");
  }
  // A handshake gets one attempt.
  std::unique_ptr<Handshake> hs = std::move(it->second);
  handshakes_.erase(it);
  auto verified = [&]() -> Result<std::pair<AuthBody, Bytes>> {
    const Bytes plain =
        MPSEC_TRY(crypto::aead_open(suite_.aead(), hs->keys.member_key.view(),
                                    hs->keys.member_nonce.view(), hs->t1, auth->encrypted));
    AuthBody body = MPSEC_TRY(codec::decode<AuthBody>(plain));
    MPSEC_ENSURE(valid_role(body.role) && body.unicast_delivery <= 1, Errc::decode_error,
                 "bad AuthBody field");
    const Bytes t2 = MPSEC_TRY(transcript_t2(suite_, hs->t1, body));
    const crypto::VerifyKey vk =
        MPSEC_TRY(crypto::VerifyKey::parse(suite_.sig(), body.signature_key));
    MPSEC_TRY(suite_.verify_with_label(vk, kMemberAuthLabel, t2, body.signature));
    const Bytes t3 = MPSEC_TRY(transcript_next(suite_, t2, body.signature));
    MPSEC_TRY(verify_finished(suite_, hs->keys.member_finished.view(), t3, body.finished));
    Bytes t4 = MPSEC_TRY(transcript_next(suite_, t3, body.finished));
    return std::pair{std::move(body), std::move(t4)};
  }();
  if (!verified) {
    ++counters_.auth_failures;
    return tl::unexpected(std::move(verified).error());
  }
  auto& [body, t4] = *verified;
  auto admitted =
      admission_.authorize(body.credential, body.signature_key, body.role, unix_seconds(now));
  if (!admitted) return reply_refused(conn, *hs, t4, admitted.error().message);

  // Members refuse leaf counts beyond kMaxGroupLeaves: a full group refuses instead.
  if (members_.size() + admissions_.size() >= kMaxGroupLeaves - 1)
    return reply_refused(conn, *hs, t4, "group full");
  // A member registering again (a restarted process) replaces its old membership.
  if (auto old = slot_of(body.signature_key)) MPSEC_TRY(remove_member(*old));
  for (auto a = admissions_.begin(); a != admissions_.end(); ++a) {
    if ((*a)->record.signature_key == body.signature_key) {
      MPSEC_TRY(graph_->remove((*a)->record.slot));
      roster_.erase((*a)->record.slot);
      departed_.push_back((*a)->record.slot);
      admissions_.erase(a);
      break;
    }
  }
  const tree::Admission adm = MPSEC_TRY(graph_->admit(rng_));
  auto p = std::make_unique<PendingAdmission>();
  p->conn = conn;
  p->who = admitted->who;
  p->record.slot = adm.slot;
  p->record.sa_id.resize(kSaIdSize);
  MPSEC_TRY(rng_.fill(p->record.sa_id));
  p->record.sa_secret = MPSEC_TRY(suite_.expand_with_label(hs->keys.handshake_secret.view(),
                                                           kSaSecretLabel, t4, suite_.hash_size()));
  p->record.credential = std::move(body.credential);
  p->record.signature_key = std::move(body.signature_key);
  p->record.role = body.role;
  p->record.unicast_delivery = body.unicast_delivery;
  p->record.name = to_b(admitted->who);
  p->finished = MPSEC_TRY(finished_mac(suite_, hs->keys.gcks_finished.view(), t4));
  p->gcks_key = std::move(hs->keys.gcks_key);
  p->gcks_nonce = std::move(hs->keys.gcks_nonce);
  p->t1 = SecretBytes(hs->t1);
  // A slot freed and reused within one interval stays in the departed list: members drop the
  // old sender before the newcomer's entry is added.
  if (p->record.role == Role::sender) roster_.set(p->record.slot, p->record.signature_key);
  admissions_.push_back(std::move(p));
  const Instant deadline = now + config_.batch_interval;
  if (!batch_deadline_ || deadline < *batch_deadline_) batch_deadline_ = deadline;
  if (config_.batch_interval.count() == 0) return rekey(false, now);
  return GcksOutput{};
}

Result<GcksOutput> Gcks::on_sa_request(ConnId conn, ByteView message, Instant now) {
  auto req = decode_message<SaRequest>(message);
  if (!req || req->group_id != config_.group_id ||
      (req->kind != SaRequestKind::resync && req->kind != SaRequestKind::deregister)) {
    ++counters_.malformed;
    return fail(Errc::decode_error, "bad SaRequest");
  }
  if (auto t = tombstones_.find(req->sa_id); t != tombstones_.end()) {
    if (!t->second.verify_request(*req)) {
      ++counters_.sa_failures;
      return fail(Errc::authentication_failed, "SaRequest does not verify");
    }
    ResyncBody gone;
    gone.member = 0;
    gone.seq = seq_;
    GcksOutput out;
    out.messages.push_back(to_conn(
        conn,
        MPSEC_TRY(encode_message(MPSEC_TRY(t->second.seal_response(req->counter, gone, rng_))))));
    return out;
  }
  auto it = sas_.find(req->sa_id);
  if (it == sas_.end() || !it->second.sa.verify_request(*req)) {
    ++counters_.sa_failures;
    return fail(Errc::authentication_failed, "unknown SA or bad MAC");
  }
  if (req->counter <= it->second.last_counter) {
    ++counters_.sa_replays;
    return fail(Errc::replay, "SaRequest counter already seen");
  }
  it->second.last_counter = req->counter;
  const std::uint32_t slot = it->second.slot;
  if (req->kind == SaRequestKind::deregister) {
    const std::string who = members_.contains(slot) ? std::string(members_.at(slot).name.begin(),
                                                                  members_.at(slot).name.end())
                                                    : std::string();
    const RegistrationSa& sa = it->second.sa;
    ResyncBody gone;
    gone.member = 0;
    departure_acks_.emplace_back(conn, MPSEC_TRY(sa.seal_response(req->counter, gone, rng_)));
    MPSEC_TRY(remove_member(slot));
    pending_events_.push_back({GcksEvent::Kind::left, slot, who, 0, "deregistered"});
    const Instant deadline = now + config_.batch_interval;
    if (!batch_deadline_ || deadline < *batch_deadline_) batch_deadline_ = deadline;
    if (config_.batch_interval.count() == 0) return rekey(false, now);
    return GcksOutput{};
  }
  // Answer with the keys as of a rekey everybody can have: flush pending changes first.
  GcksOutput out;
  if (!admissions_.empty() || !departed_.empty()) out = MPSEC_TRY(rekey(false, now));
  auto again = sas_.find(req->sa_id);
  MPSEC_ENSURE(again != sas_.end(), Errc::internal, "SA vanished in a rekey");
  ResyncBody body;
  body.member = 1;
  body.seq = seq_;
  body.group_key_node = MPSEC_TRY(graph_->group_key()).node;
  body.keys = MPSEC_TRY(wire_keys(slot));
  body.data = MPSEC_TRY(data_sa());
  const SaResponse resp = MPSEC_TRY(again->second.sa.seal_response(req->counter, body, rng_));
  out.messages.push_back(to_conn(conn, MPSEC_TRY(encode_message(resp))));
  ++counters_.resyncs;
  out.events.push_back({GcksEvent::Kind::resynced,
                        slot,
                        std::string(members_.at(slot).name.begin(), members_.at(slot).name.end()),
                        seq_,
                        {},
                        conn});
  return out;
}

void Gcks::connection_closed(ConnId conn) {
  handshakes_.erase(conn);
}

Status Gcks::remove_member(std::uint32_t slot) {
  auto it = members_.find(slot);
  MPSEC_ENSURE(it != members_.end(), Errc::not_found, "no member in that slot");
  MPSEC_TRY(graph_->remove(slot));
  auto sa = sas_.find(it->second.sa_id);
  if (sa != sas_.end()) {
    if (tombstones_.size() >= kMaxTombstones) {
      tombstones_.erase(tombstone_order_.front());
      tombstone_order_.pop_front();
    }
    tombstone_order_.push_back(sa->first);
    tombstones_.emplace(sa->first, std::move(sa->second.sa));
    sas_.erase(sa);
  }
  roster_.erase(slot);
  slot_by_key_.erase(it->second.signature_key);
  members_.erase(it);
  departed_.push_back(slot);
  return ok();
}

std::uint32_t Gcks::leaves() const {
  std::uint32_t top = 0;
  if (!members_.empty()) top = members_.rbegin()->first + 1;
  for (const auto& p : admissions_)
    top = std::max(top, p->record.slot + 1);
  return std::max<std::uint32_t>(top, 1);
}

Result<WireDataSa> Gcks::data_sa() const {
  WireDataSa d;
  d.leaves = leaves();
  d.roster = roster_.entries();
  d.policy = to_wire(config_.data_policy, config_.heartbeat);
  return d;
}

Result<std::vector<WireKey>> Gcks::wire_keys(std::uint32_t slot) const {
  std::vector<WireKey> out;
  for (tree::GraphKey& k : MPSEC_TRY(graph_->member_keys(slot)))
    out.push_back({k.node, k.version, std::move(k.key)});
  return out;
}

Result<GcksOutput> Gcks::rekey(bool refresh, Instant now) {
  const bool any_change = !admissions_.empty() || !departed_.empty();
  if (!any_change && !refresh) return GcksOutput{};
  Rekey rk;
  rk.group_id = config_.group_id;
  rk.seq = seq_ + 1;
  rk.graph = MPSEC_TRY(graph_->rekey(refresh, rng_));
  // From here the graph has moved on: a failure to sign or commit stops this GCKS (it
  // restarts from the store, where nothing of this rekey exists).
  failed_ = true;
  rk.leaves = leaves();
  std::sort(departed_.begin(), departed_.end());
  departed_.erase(std::unique(departed_.begin(), departed_.end()), departed_.end());
  rk.departed = departed_;
  for (const auto& p : admissions_)
    if (p->record.role == Role::sender)
      rk.roster_added.push_back({p->record.slot, p->record.signature_key});
  std::sort(rk.roster_added.begin(), rk.roster_added.end(),
            [](const auto& a, const auto& b) { return a.slot < b.slot; });
  codec::Writer tbs;
  rk.encode_tbs(tbs);
  rk.signature =
      MPSEC_TRY(suite_.sign_with_label(key_, kRekeyLabel, MPSEC_TRY(std::move(tbs).finish())));
  Bytes message = MPSEC_TRY(encode_message(rk));

  GcksCommit c;
  c.group_id = config_.group_id;
  c.seq = rk.seq;
  codec::Writer gw = codec::Writer::for_secrets();
  graph_->encode(gw);
  c.graph = MPSEC_TRY(std::move(gw).finish_secret());
  c.rekey = message;
  for (const auto& p : admissions_)
    c.members_added.push_back(MPSEC_TRY(codec::encode_secret(p->record)));
  c.members_removed = departed_;
  MPSEC_TRY(journal_.commit(c));
  failed_ = false;

  seq_ = rk.seq;
  last_rekey_at_ = now;
  batch_deadline_.reset();
  recent_.push_back(message);
  while (recent_.size() > kRekeyLogDepth)
    recent_.pop_front();
  ++counters_.rekeys;

  GcksOutput out;
  out.events = std::move(pending_events_);
  pending_events_.clear();
  out.messages.push_back({Outgoing::To::multicast, 0, 0, message});
  for (const auto& [slot, m] : members_)
    if (m.unicast_delivery) out.messages.push_back({Outgoing::To::member, 0, slot, message});
  // Members the graph cannot reach without reaching a departed member get their keys pushed
  // over their Registration SA.
  for (std::uint32_t slot : rk.graph.unreachable) {
    auto m = members_.find(slot);
    if (m == members_.end()) continue;
    ResyncBody body{1, seq_, MPSEC_TRY(graph_->group_key()).node, MPSEC_TRY(wire_keys(slot)),
                    MPSEC_TRY(data_sa())};
    const SaResponse push = MPSEC_TRY(sas_.at(m->second.sa_id).sa.seal_response(0, body, rng_));
    out.messages.push_back({Outgoing::To::member, 0, slot, MPSEC_TRY(encode_message(push))});
  }
  const WireDataSa data = MPSEC_TRY(data_sa());
  const std::uint32_t gk_node = MPSEC_TRY(graph_->group_key()).node;
  for (auto& p : admissions_) {
    ResultBody body;
    body.accepted = 1;
    body.finished = p->finished;
    WireAdmission a;
    a.slot = p->record.slot;
    a.sa_id = p->record.sa_id;
    a.rekey_signature_key = key_.verify_key().bytes();
    a.seq = seq_;
    a.group_key_node = gk_node;
    a.keys = MPSEC_TRY(wire_keys(p->record.slot));
    a.data = data;
    body.admission = std::move(a);
    const SecretBytes plain = MPSEC_TRY(codec::encode_secret(body));
    RegisterResult result{MPSEC_TRY(crypto::aead_seal(
        suite_.aead(), p->gcks_key.view(), p->gcks_nonce.view(), p->t1.view(), plain.view()))};
    out.messages.push_back(to_conn(p->conn, MPSEC_TRY(encode_message(result))));
    RegistrationSa sa =
        MPSEC_TRY(RegistrationSa::create(suite_, p->record.sa_id, p->record.sa_secret.clone()));
    sas_.emplace(p->record.sa_id, SaState{std::move(sa), p->record.slot, 0});
    out.events.push_back({GcksEvent::Kind::registered, p->record.slot, p->who, seq_,
                          p->record.role == Role::sender ? "sender" : "receiver", p->conn});
    ++counters_.registrations;
    const std::uint32_t slot = p->record.slot;
    slot_by_key_[p->record.signature_key] = slot;
    members_.emplace(slot, std::move(p->record));
  }
  for (auto& [conn, ack] : departure_acks_)
    out.messages.push_back(to_conn(conn, MPSEC_TRY(encode_message(ack))));
  out.events.push_back({GcksEvent::Kind::rekeyed,
                        0,
                        {},
                        seq_,
                        std::to_string(rk.graph.wraps.size()) + " wraps, " +
                            std::to_string(rk.graph.revisions.size()) + " revisions, " +
                            std::to_string(message.size()) + " bytes"});
  admissions_.clear();
  departed_.clear();
  departure_acks_.clear();
  return out;
}

Result<Bytes> Gcks::heartbeat(Instant now) {
  Heartbeat hb;
  hb.group_id = config_.group_id;
  hb.seq = seq_;
  // Strictly increasing even if the clock stalls.
  hb.sent_at_ms = std::max<std::uint64_t>(
      static_cast<std::uint64_t>(now.time_since_epoch().count()), last_heartbeat_ms_ + 1);
  last_heartbeat_ms_ = hb.sent_at_ms;
  const std::size_t n = std::min(recent_.size(), kHeartbeatDepth);
  hb.recent.assign(recent_.end() - static_cast<std::ptrdiff_t>(n), recent_.end());
  codec::Writer tbs;
  hb.encode_tbs(tbs);
  hb.signature =
      MPSEC_TRY(suite_.sign_with_label(key_, kHeartbeatLabel, MPSEC_TRY(std::move(tbs).finish())));
  ++counters_.heartbeats;
  return encode_message(hb);
}

void Gcks::expire(Instant now) {
  // Nonces expire in the order they were remembered (a fixed lifetime): O(1) per expiry, not
  // a walk over the whole set on every hello.
  while (!nonce_order_.empty() && nonce_order_.front().first <= now) {
    seen_nonces_.erase(nonce_order_.front().second);
    nonce_order_.pop_front();
  }
  for (auto it = handshakes_.begin(); it != handshakes_.end();) {
    if (it->second->started + kHandshakeTimeout <= now) {
      ++counters_.handshakes_evicted;
      it = handshakes_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<GcksOutput> Gcks::tick(Instant now) {
  MPSEC_ENSURE(!failed_, Errc::invalid_state, "GCKS stopped after a journal failure");
  expire(now);
  GcksOutput out;
  if (batch_deadline_ && *batch_deadline_ <= now) out = MPSEC_TRY(rekey(false, now));
  if (now - last_rekey_at_ >= config_.rekey_interval) {
    GcksOutput r = MPSEC_TRY(rekey(true, now));
    for (auto& m : r.messages)
      out.messages.push_back(std::move(m));
    for (auto& e : r.events)
      out.events.push_back(std::move(e));
  }
  if (now >= next_heartbeat_) {
    Bytes hb = MPSEC_TRY(heartbeat(now));
    for (const auto& [slot, m] : members_)
      if (m.unicast_delivery) out.messages.push_back({Outgoing::To::member, 0, slot, hb});
    out.messages.push_back({Outgoing::To::multicast, 0, 0, std::move(hb)});
    next_heartbeat_ = now + config_.heartbeat;
  }
  return out;
}

Instant Gcks::next_deadline() const {
  Instant t = std::min(next_heartbeat_, last_rekey_at_ + config_.rekey_interval);
  if (batch_deadline_) t = std::min(t, *batch_deadline_);
  return t;
}

Result<GcksOutput> Gcks::eject(std::uint32_t slot, Instant now) {
  MPSEC_ENSURE(!failed_, Errc::invalid_state, "GCKS stopped after a journal failure");
  auto it = members_.find(slot);
  MPSEC_ENSURE(it != members_.end(), Errc::not_found, "no member in that slot");
  const std::string who(it->second.name.begin(), it->second.name.end());
  MPSEC_TRY(remove_member(slot));
  pending_events_.push_back({GcksEvent::Kind::ejected, slot, who, 0, "ejected"});
  // Ejection does not wait for the batch: the member must lose access now.
  return rekey(false, now);
}

Result<GcksOutput> Gcks::allow(AllowedKey entry, Instant now) {
  MPSEC_ENSURE(!failed_, Errc::invalid_state, "GCKS stopped after a journal failure");
  MPSEC_ENSURE(valid_role(entry.max_role), Errc::invalid_argument, "unknown role");
  MPSEC_TRY(crypto::VerifyKey::parse(suite_.sig(), entry.signature_key));
  GroupConfig next = config_;
  auto& allowed = next.admission.allowed;
  std::erase_if(allowed,
                [&](const AllowedKey& a) { return a.signature_key == entry.signature_key; });
  std::erase_if(next.admission.revoked, [&](const Bytes& r) { return r == entry.signature_key; });
  allowed.push_back(std::move(entry));
  AdmissionControl control = MPSEC_TRY(AdmissionControl::create(next.admission, suite_.sig()));
  GcksCommit c;
  c.group_id = config_.group_id;
  c.config = MPSEC_TRY(codec::encode(next));
  c.seq = seq_;
  codec::Writer gw = codec::Writer::for_secrets();
  graph_->encode(gw);
  c.graph = MPSEC_TRY(std::move(gw).finish_secret());
  MPSEC_TRY(journal_.commit(c));
  config_ = std::move(next);
  admission_ = std::move(control);
  (void)now;
  return GcksOutput{};
}

Result<GcksOutput> Gcks::revoke(ByteView signature_key, Instant now) {
  MPSEC_ENSURE(!failed_, Errc::invalid_state, "GCKS stopped after a journal failure");
  GroupConfig next = config_;
  std::erase_if(next.admission.allowed,
                [&](const AllowedKey& a) { return ct_equal(a.signature_key, signature_key); });
  next.admission.revoked.push_back(to_bytes(signature_key));
  AdmissionControl control = MPSEC_TRY(AdmissionControl::create(next.admission, suite_.sig()));
  GcksCommit c;
  c.group_id = config_.group_id;
  c.config = MPSEC_TRY(codec::encode(next));
  c.seq = seq_;
  codec::Writer gw = codec::Writer::for_secrets();
  graph_->encode(gw);
  c.graph = MPSEC_TRY(std::move(gw).finish_secret());
  MPSEC_TRY(journal_.commit(c));
  config_ = std::move(next);
  admission_ = std::move(control);
  if (auto slot = slot_of(signature_key)) return eject(*slot, now);
  return GcksOutput{};
}

Result<GcksOutput> Gcks::force_rekey(Instant now) {
  MPSEC_ENSURE(!failed_, Errc::invalid_state, "GCKS stopped after a journal failure");
  return rekey(true, now);
}

std::vector<MemberInfo> Gcks::members() const {
  std::vector<MemberInfo> out;
  for (const auto& [slot, m] : members_)
    out.push_back({slot, std::string(m.name.begin(), m.name.end()), m.role, m.signature_key});
  return out;
}

// Public keys are not secret: an ordinary map lookup, O(log n) per registration.
std::optional<std::uint32_t> Gcks::slot_of(ByteView signature_key) const {
  auto it = slot_by_key_.find(Bytes(signature_key.begin(), signature_key.end()));
  if (it == slot_by_key_.end()) return std::nullopt;
  return it->second;
}

std::size_t Gcks::graph_memory() const noexcept {
  return graph_->memory_bytes();
}

bool Gcks::wants_unicast(std::uint32_t slot) const {
  auto it = members_.find(slot);
  return it != members_.end() && it->second.unicast_delivery == 1;
}

}  // namespace mpsec::central
