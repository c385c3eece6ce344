#include "gcks_server.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "central/messages.hpp"
#include "codec/reader.hpp"
#include "crypto/hash.hpp"
#include "key_file.hpp"
#include "mpsec/hex.hpp"
#include "store/master_key.hpp"

namespace mpsec::gcksd {

Instant wall_now() {
  return to_instant(std::chrono::system_clock::now());
}

namespace {

std::string text(ByteView b) {
  return std::string(b.begin(), b.end());
}

// Every message a member sends the GCKS (hello, auth, SA request) starts with the group id.
Result<Bytes> group_of(ByteView message) {
  codec::Reader r(message);
  MPSEC_TRY(r.u16());
  MPSEC_TRY(r.u16());
  return to_bytes(MPSEC_TRY(r.opaque()));
}

const char* role_name(central::Role r) {
  return r == central::Role::sender ? "sender" : "receiver";
}

nlohmann::json counters_json(const central::GcksCounters& c) {
  return {{"malformed", c.malformed},
          {"cookies_sent", c.cookies_sent},
          {"bad_cookies", c.bad_cookies},
          {"replayed_nonces", c.replayed_nonces},
          {"handshakes_evicted", c.handshakes_evicted},
          {"auth_failures", c.auth_failures},
          {"refused", c.refused},
          {"sa_failures", c.sa_failures},
          {"sa_replays", c.sa_replays},
          {"registrations", c.registrations},
          {"resyncs", c.resyncs},
          {"rekeys", c.rekeys},
          {"heartbeats", c.heartbeats}};
}

}  // namespace

GcksServer::~GcksServer() = default;

std::uint16_t GcksServer::port() const {
  return members_->port();
}

Result<std::unique_ptr<GcksServer>> GcksServer::start(net::Loop& loop, DaemonConfig config,
                                                      Random& rng) {
  std::unique_ptr<GcksServer> s(new GcksServer(loop, std::move(config), rng));
  const DaemonConfig& c = s->config_;
  s->key_ = MPSEC_TRY(app::read_signing_key(c.signing_key_file));
  SecretBytes master = MPSEC_TRY(store::read_master_key(c.master_key_file));
  s->store_ = MPSEC_TRY(store::SqliteStore::open(c.store_path, std::move(master)));
  const Instant now = wall_now();
  for (const Bytes& id : MPSEC_TRY(s->store_->groups())) {
    central::GcksSnapshot snap = MPSEC_TRY(s->store_->load(id));
    auto gcks = MPSEC_TRY(central::Gcks::restore(std::move(snap), *s->key_, *s->store_, rng, now));
    spdlog::info("group {}: restored from the store at rekey {} with {} members", text(id),
                 gcks->seq(), gcks->members().size());
    MPSEC_TRY(s->add_group(std::move(gcks)));
  }
  for (central::GroupConfig& g : s->config_.groups) {
    if (s->groups_.contains(g.group_id)) continue;
    const std::string id = text(g.group_id);
    auto gcks = MPSEC_TRY(central::Gcks::create(std::move(g), *s->key_, *s->store_, rng, now));
    spdlog::info("group {}: created ({} allowed keys)", id,
                 gcks->config().admission.allowed.size());
    MPSEC_TRY(s->add_group(std::move(gcks)));
  }
  s->config_.groups.clear();

  net::TcpLimits limits;
  limits.max_connections = c.max_connections;
  limits.idle_timeout = c.idle_timeout;
  limits.max_frame = central::kMaxMessage;
  s->members_ = MPSEC_TRY(net::TcpServer::listen(loop, c.listen_host, c.listen_port, limits));
  s->mcast_ = MPSEC_TRY(net::UdpSocket::multicast_sender(loop, c.multicast_interface));
  GcksServer* self = s.get();
  s->members_->on_open(
      [self](net::ConnId conn, std::string peer) { self->peers_[conn] = std::move(peer); });
  s->members_->on_message([self](net::ConnId conn, Bytes m) { self->on_member_message(conn, m); });
  s->members_->on_close([self](net::ConnId conn) {
    self->peers_.erase(conn);
    for (auto& [id, g] : self->groups_) {
      g.gcks->connection_closed(conn);
      std::erase_if(g.member_conn, [conn](const auto& kv) { return kv.second == conn; });
    }
  });
  net::TcpLimits admin_limits;
  admin_limits.max_connections = 16;
  admin_limits.max_frame = std::size_t{64} << 20;  // a status of a very large group
  admin_limits.max_queued = std::size_t{128} << 20;
  s->admin_ = MPSEC_TRY(net::TcpServer::listen_local(loop, c.admin_socket, admin_limits));
  s->admin_->on_message([self](net::ConnId conn, Bytes m) { self->on_admin(conn, m); });
  spdlog::info("listening for members on {}:{}, administration on {}", c.listen_host,
               s->members_->port(), c.admin_socket);
  s->schedule();
  return s;
}

Status GcksServer::add_group(std::unique_ptr<central::Gcks> gcks) {
  Group g;
  std::tie(g.mcast_host, g.mcast_port) = MPSEC_TRY(app::parse_endpoint(gcks->config().transport));
  const Bytes id = gcks->config().group_id;
  g.gcks = std::move(gcks);
  groups_.emplace(id, std::move(g));
  return ok();
}

void GcksServer::on_member_message(net::ConnId conn, const Bytes& message) {
  if (fatal_) return;
  ++counters_.messages;
  auto id = group_of(message);
  auto it = id ? groups_.find(*id) : groups_.end();
  if (it == groups_.end()) {
    ++counters_.unknown_group;
    spdlog::debug("connection {}: message for no group of ours", conn);
    return;
  }
  Group& g = it->second;
  auto out = g.gcks->handle(conn, peers_[conn], message, wall_now());
  if (!out) {
    if (g.gcks->failed()) return fail_hard(out.error());
    ++counters_.rejected;
    spdlog::debug("group {}: refused a message from {}: {}", text(it->first), peers_[conn],
                  out.error().describe());
    return;
  }
  route(g, std::move(*out));
  schedule();
}

void GcksServer::route(Group& g, central::GcksOutput out) {
  for (const auto& e : out.events) {
    if ((e.kind == central::GcksEvent::Kind::registered ||
         e.kind == central::GcksEvent::Kind::resynced) &&
        e.conn != 0)
      g.member_conn[e.slot] = e.conn;
    if (e.kind == central::GcksEvent::Kind::ejected || e.kind == central::GcksEvent::Kind::left)
      g.member_conn.erase(e.slot);
    log_event(g, e);
  }
  for (const auto& m : out.messages) {
    Status s = ok();
    switch (m.to) {
      case central::Outgoing::To::connection:
        s = members_->send(m.conn, m.message);
        break;
      case central::Outgoing::To::multicast:
        log_rekey_digest(g, m.message);
        s = mcast_->send_to(g.mcast_host, g.mcast_port, m.message);
        break;
      case central::Outgoing::To::member:
        if (auto c = g.member_conn.find(m.slot); c != g.member_conn.end())
          s = members_->send(c->second, m.message);
        break;
    }
    // Delivery is best effort: a lost message is repaired by heartbeats and resync. A
    // multicast that fails (e.g. over the datagram size) makes every member resync: said.
    if (!s && m.to == central::Outgoing::To::multicast)
      spdlog::warn("group {}: multicast send failed: {}", text(g.gcks->config().group_id),
                   s.error().describe());
    else if (!s)
      spdlog::debug("send failed: {}", s.error().describe());
  }
}

// Each new rekey once, with a digest of its bytes: an operator (and the crash test) can check
// that no sequence number was ever sent with two different contents, across restarts. The
// rekey is public (multicast), so its digest reveals nothing.
void GcksServer::log_rekey_digest(Group& g, const Bytes& message) {
  auto wf = central::peek_wire_format(message);
  if (!wf || *wf != static_cast<std::uint16_t>(central::CentralWireFormat::rekey)) return;
  auto rekey = central::decode_message<central::Rekey>(message);
  auto d = crypto::digest(crypto::HashAlg::sha256, message);
  if (!rekey || !d || rekey->seq <= g.logged_seq) return;
  g.logged_seq = rekey->seq;
  spdlog::info("group {}: rekey {} digest {}", text(g.gcks->config().group_id), rekey->seq,
               to_hex(ByteView(d->data(), 8)));
}

void GcksServer::log_event(const Group& g, const central::GcksEvent& e) {
  const std::string id = text(g.gcks->config().group_id);
  using K = central::GcksEvent::Kind;
  switch (e.kind) {
    case K::registered:
      spdlog::info("group {}: {} registered in slot {} as {}", id, e.who, e.slot, e.detail);
      break;
    case K::refused:
      spdlog::warn("group {}: refused a registration: {}", id, e.detail);
      break;
    case K::left:
      spdlog::info("group {}: {} left (slot {})", id, e.who, e.slot);
      break;
    case K::ejected:
      spdlog::info("group {}: {} ejected from slot {}", id, e.who, e.slot);
      break;
    case K::rekeyed:
      spdlog::info("group {}: rekey {} sent ({})", id, e.seq, e.detail);
      break;
    case K::resynced:
      spdlog::info("group {}: {} resynchronised at rekey {}", id, e.who, e.seq);
      break;
  }
}

void GcksServer::schedule() {
  if (fatal_) return;
  if (timer_) loop_.cancel(*timer_);
  Instant next = Instant::max();
  for (const auto& [id, g] : groups_)
    next = std::min(next, g.gcks->next_deadline());
  const Duration wait = std::clamp<Duration>(next - wall_now(), Duration(1), Duration(1'000));
  timer_ = loop_.after(wait, [this] {
    timer_.reset();
    tick();
  });
}

void GcksServer::tick() {
  for (auto& [id, g] : groups_) {
    auto out = g.gcks->tick(wall_now());
    if (!out) return fail_hard(out.error());
    route(g, std::move(*out));
  }
  schedule();
}

void GcksServer::fail_hard(const Error& e) {
  spdlog::critical("the store failed ({}): stopping; restart to continue from the store",
                   e.describe());
  fatal_ = 1;
  loop_.stop();
}

void GcksServer::on_admin(net::ConnId conn, const Bytes& message) {
  ++counters_.admin_requests;
  auto req = nlohmann::json::parse(message.begin(), message.end(), nullptr, false);
  nlohmann::json resp;
  if (req.is_discarded() || !req.is_object() || !req.contains("cmd") || !req["cmd"].is_string()) {
    resp = {{"ok", false}, {"error", "not a JSON command"}};
  } else {
    auto r = admin(req);
    if (r) {
      resp = std::move(*r);
      resp["ok"] = true;
    } else {
      resp = {{"ok", false}, {"error", r.error().describe()}};
    }
  }
  if (!resp["ok"].get<bool>()) ++counters_.admin_errors;
  const std::string out = resp.dump();
  if (auto sent = admin_->send(
          conn, ByteView(reinterpret_cast<const std::uint8_t*>(out.data()), out.size()));
      !sent)
    spdlog::warn("administration: cannot answer: {}", sent.error().describe());
  schedule();
}

Result<GcksServer::Group*> GcksServer::group(const nlohmann::json& req) {
  MPSEC_ENSURE(req.contains("group") && req["group"].is_string(), Errc::invalid_argument,
               "missing \"group\"");
  const std::string id = req["group"].get<std::string>();
  auto it = groups_.find(Bytes(id.begin(), id.end()));
  MPSEC_ENSURE(it != groups_.end(), Errc::not_found, "no group \"" + id + "\"");
  return &it->second;
}

Result<nlohmann::json> GcksServer::admin(const nlohmann::json& req) {
  const std::string cmd = req["cmd"].get<std::string>();
  const Instant now = wall_now();
  if (cmd == "status") return status();
  if (cmd == "create") {
    MPSEC_ENSURE(req.contains("spec") && req["spec"].is_object(), Errc::invalid_argument,
                 "missing \"spec\"");
    const nlohmann::json& j = req["spec"];
    GroupSpec spec;
    auto str = [&](const char* k, std::string& out) {
      if (j.contains(k) && j[k].is_string()) out = j[k].get<std::string>();
    };
    auto num = [&](const char* k, std::int64_t& out) {
      if (j.contains(k) && j[k].is_number_integer()) out = j[k].get<std::int64_t>();
    };
    str("id", spec.id);
    str("key_graph", spec.key_graph);
    str("multicast", spec.multicast);
    num("cipher_suite", spec.cipher_suite);
    num("degree", spec.degree);
    num("id_bits", spec.id_bits);
    num("heartbeat_ms", spec.heartbeat_ms);
    num("rekey_interval_s", spec.rekey_interval_s);
    num("batch_interval_ms", spec.batch_interval_ms);
    if (j.contains("sign") && j["sign"].is_boolean()) spec.sign = j["sign"].get<bool>();
    central::GroupConfig c = MPSEC_TRY(make_group(spec, "."));
    MPSEC_ENSURE(!groups_.contains(c.group_id), Errc::invalid_state, "the group exists already");
    auto gcks = MPSEC_TRY(central::Gcks::create(std::move(c), *key_, *store_, rng_, now));
    spdlog::info("group {}: created by the administrator", spec.id);
    MPSEC_TRY(add_group(std::move(gcks)));
    return nlohmann::json{{"created", spec.id}};
  }
  Group* g = MPSEC_TRY(group(req));
  central::GcksOutput out;
  nlohmann::json result = nlohmann::json::object();
  if (cmd == "allow" || cmd == "revoke") {
    MPSEC_ENSURE(req.contains("public_key") && req["public_key"].is_string(),
                 Errc::invalid_argument, "missing \"public_key\" (hex)");
    const Bytes key = MPSEC_TRY(from_hex(req["public_key"].get<std::string>()));
    if (cmd == "allow") {
      const std::string name = req.value("name", "");
      const central::Role role = MPSEC_TRY(parse_role(req.value("role", "receiver")));
      out = MPSEC_TRY(g->gcks->allow({key, role, Bytes(name.begin(), name.end())}, now));
      spdlog::info("group {}: {} allowed as {}", text(g->gcks->config().group_id), name,
                   role_name(role));
    } else {
      out = MPSEC_TRY(g->gcks->revoke(key, now));
      spdlog::info("group {}: key {} revoked", text(g->gcks->config().group_id),
                   to_hex(ByteView(key).first(std::min<std::size_t>(8, key.size()))));
    }
  } else if (cmd == "eject") {
    std::optional<std::uint32_t> slot;
    if (req.contains("slot") && req["slot"].is_number_unsigned())
      slot = req["slot"].get<std::uint32_t>();
    if (req.contains("name") && req["name"].is_string()) {
      for (const auto& m : g->gcks->members())
        if (m.who == req["name"].get<std::string>()) slot = m.slot;
    }
    MPSEC_ENSURE(slot.has_value(), Errc::not_found, "no such member");
    out = MPSEC_TRY(g->gcks->eject(*slot, now));
    result["seq"] = g->gcks->seq();
  } else if (cmd == "rekey") {
    out = MPSEC_TRY(g->gcks->force_rekey(now));
    result["seq"] = g->gcks->seq();
  } else {
    return fail(Errc::invalid_argument, "unknown command \"" + cmd + "\"");
  }
  route(*g, std::move(out));
  return result;
}

nlohmann::json GcksServer::status() const {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& [id, g] : groups_) {
    nlohmann::json members = nlohmann::json::array();
    for (const auto& m : g.gcks->members())
      members.push_back({{"slot", m.slot},
                         {"name", m.who},
                         {"role", role_name(m.role)},
                         {"public_key", to_hex(m.signature_key)}});
    const auto& c = g.gcks->config();
    groups.push_back({{"id", text(id)},
                      {"seq", g.gcks->seq()},
                      {"cipher_suite", c.cipher_suite},
                      {"key_graph", c.graph == central::KeyGraphType::lkh ? "lkh" : "flat"},
                      {"multicast", c.transport},
                      {"members", members},
                      {"graph_bytes", g.gcks->graph_memory()},
                      {"counters", counters_json(g.gcks->counters())}});
  }
  const net::TcpCounters t = members_->counters();
  return {{"groups", groups},
          {"server",
           {{"connections", members_->connection_count()},
            {"messages", counters_.messages},
            {"rejected", counters_.rejected},
            {"unknown_group", counters_.unknown_group},
            {"admin_requests", counters_.admin_requests},
            {"admin_errors", counters_.admin_errors},
            {"tcp_accepted", t.accepted},
            {"tcp_refused_over_limit", t.refused_over_limit},
            {"tcp_oversize_frames", t.oversize_frames},
            {"tcp_idle_closed", t.idle_closed},
            {"tcp_slow_closed", t.slow_closed}}}};
}

}  // namespace mpsec::gcksd
