// The daemon's runtime: the central::Gcks state machines of every group, driven by the net
// runtime (TCP for registration and resynchronisation, UDP multicast for rekeys and
// heartbeats, unicast push over TCP for members that asked for it) and the SQLite store, plus
// the administration socket. Everything runs on the loop thread.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "central/gcks.hpp"
#include "daemon_config.hpp"
#include "net/tcp.hpp"
#include "net/udp.hpp"
#include "store/sqlite_store.hpp"

namespace mpsec::gcksd {

struct ServerCounters {
  std::uint64_t messages = 0;       // from members
  std::uint64_t rejected = 0;       // refused by a GCKS (details in its counters)
  std::uint64_t unknown_group = 0;  // for no group of this daemon
  std::uint64_t admin_requests = 0;
  std::uint64_t admin_errors = 0;
};

class GcksServer {
 public:
  // Opens the store, loads its groups, creates the configured groups it does not hold, and
  // starts listening.
  [[nodiscard]] static Result<std::unique_ptr<GcksServer>> start(net::Loop& loop,
                                                                 DaemonConfig config, Random& rng);
  ~GcksServer();
  // Non-zero after a fatal error (the store failed): the caller stops the loop and exits, and
  // the restarted daemon continues from the store.
  int fatal() const noexcept { return fatal_; }
  std::uint16_t port() const;

 private:
  struct Group {
    std::unique_ptr<central::Gcks> gcks;
    std::string mcast_host;
    std::uint16_t mcast_port = 0;
    std::map<std::uint32_t, net::ConnId> member_conn;  // for unicast push
    std::uint64_t logged_seq = 0;                      // newest rekey whose digest is logged
  };
  GcksServer(net::Loop& loop, DaemonConfig config, Random& rng)
      : loop_(loop), config_(std::move(config)), rng_(rng) {}

  Status add_group(std::unique_ptr<central::Gcks> gcks);
  void on_member_message(net::ConnId conn, const Bytes& message);
  void route(Group& g, central::GcksOutput out);
  void log_event(const Group& g, const central::GcksEvent& e);
  void log_rekey_digest(Group& g, const Bytes& message);
  void schedule();
  void tick();
  void fail_hard(const Error& e);
  void on_admin(net::ConnId conn, const Bytes& message);
  Result<nlohmann::json> admin(const nlohmann::json& request);
  nlohmann::json status() const;
  Result<Group*> group(const nlohmann::json& request);

  net::Loop& loop_;
  DaemonConfig config_;
  Random& rng_;
  std::optional<crypto::SigningKey> key_;
  std::unique_ptr<store::SqliteStore> store_;
  std::map<Bytes, Group> groups_;
  std::unique_ptr<net::TcpServer> members_;
  std::unique_ptr<net::TcpServer> admin_;
  std::unique_ptr<net::UdpSocket> mcast_;
  std::map<net::ConnId, std::string> peers_;
  std::optional<net::TimerId> timer_;
  ServerCounters counters_;
  int fatal_ = 0;
};

// The wall clock as an Instant: heartbeat timestamps must keep increasing across restarts.
Instant wall_now();

}  // namespace mpsec::gcksd
