// `mpsec join`: a member of a centrally keyed group. Registers with mpsec-gcksd over TCP,
// follows rekeys and heartbeats on the group's multicast address (or over TCP with
// --unicast), prints what it receives and sends each line of standard input to the group.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <deque>
#include <iostream>
#include <thread>

#include "central/member.hpp"
#include "commands.hpp"
#include "key_file.hpp"
#include "net/loop.hpp"
#include "net/tcp.hpp"
#include "net/udp.hpp"

namespace mpsec::app {
namespace {

struct JoinOptions {
  std::string gcks = "127.0.0.1:7400", group, key, gcks_pub, multicast, interface = "127.0.0.1",
              role = "sender", name;
  int suite = 1;
  bool unicast = false;
};

Instant wall_now() {
  return to_instant(std::chrono::system_clock::now());
}

// The chat payload, all inside the encrypted plaintext: the sender's self-chosen name (one
// length byte) and the text. The name is not sent as authenticated data, which travels in
// clear and would undo the sender-data encryption; the slot shown beside it is the
// authenticated sender.
Bytes encode_chat(const std::string& name, const std::string& text) {
  const std::size_t n = std::min<std::size_t>(name.size(), 255);
  Bytes out;
  out.reserve(1 + n + text.size());
  out.push_back(static_cast<std::uint8_t>(n));
  out.insert(out.end(), name.begin(), name.begin() + static_cast<std::ptrdiff_t>(n));
  out.insert(out.end(), text.begin(), text.end());
  return out;
}

// The name and the text of a chat payload; a payload too short for its name is shown whole.
std::pair<std::string, std::string> decode_chat(const Bytes& p) {
  if (p.empty() || p[0] + 1u > p.size()) return {"?", std::string(p.begin(), p.end())};
  const auto name_end = p.begin() + 1 + p[0];
  return {std::string(p.begin() + 1, name_end), std::string(name_end, p.end())};
}

class JoinRuntime {
 public:
  JoinRuntime(net::Loop& loop, JoinOptions o) : loop_(loop), o_(std::move(o)) {}

  Status start() {
    crypto::SigningKey key = MPSEC_TRY(read_signing_key(o_.key));
    const PublicKeyFile gcks = MPSEC_TRY(read_public_key(o_.gcks_pub));
    if (o_.name.empty()) o_.name = o_.key;
    MPSEC_ENSURE(o_.role == "sender" || o_.role == "receiver", Errc::invalid_argument,
                 "role must be sender or receiver");
    central::MemberConfig mc{Bytes(o_.group.begin(), o_.group.end()),
                             static_cast<std::uint16_t>(o_.suite),
                             schedule::Credential::basic(Bytes(o_.name.begin(), o_.name.end())),
                             std::move(key),
                             o_.role == "sender" ? central::Role::sender : central::Role::receiver,
                             o_.unicast,
                             gcks.public_key,
                             Duration(500)};
    member_ = MPSEC_TRY(central::Member::create(std::move(mc), system_random()));
    std::tie(gcks_host_, gcks_port_) = MPSEC_TRY(parse_endpoint(o_.gcks));
    std::tie(mcast_host_, mcast_port_) = MPSEC_TRY(parse_endpoint(o_.multicast));
    mcast_out_ = MPSEC_TRY(net::UdpSocket::multicast_sender(loop_, o_.interface));
    if (!o_.unicast) {
      mcast_in_ = MPSEC_TRY(
          net::UdpSocket::multicast_receiver(loop_, mcast_host_, mcast_port_, o_.interface));
      mcast_in_->on_datagram([this](Bytes d, std::string) { input(d); });
    }
    say("registering with the GCKS at " + o_.gcks);
    MPSEC_TRY(send_hello());
    schedule();
    return ok();
  }

  void line(std::string text) {
    if (member_->state() != central::MemberState::active) {
      say("not a member: cannot send \"" + text + "\"");
      return;
    }
    auto msg = member_->protect(encode_chat(o_.name, text), {});
    if (!msg) {
      say("cannot send: " + msg.error().describe());
      return;
    }
    if (auto s = mcast_out_->send_to(mcast_host_, mcast_port_, *msg); !s) {
      say("cannot send: " + s.error().describe());
      return;
    }
    // Multicast loops our own datagrams back; they are recognised and not read twice.
    sent_.push_back(std::move(*msg));
    if (sent_.size() > kSentKept) sent_.pop_front();
    say("sent: " + text);
  }

  bool refused() const { return refused_; }

  // What was refused, printed when the member stops: bad input is counted, never fatal.
  void report() const {
    const central::MemberCounters& c = member_->counters();
    say("received " + std::to_string(received_) + " messages, refused " +
        std::to_string(rejected_) + " (forged " + std::to_string(c.forged) + ", duplicates " +
        std::to_string(c.duplicates) + ", stale heartbeats " + std::to_string(c.stale_heartbeats) +
        ", unreadable group messages " + std::to_string(c.rejected_data) + ")");
  }

  // Leaves the group (SIGINT/SIGTERM): deregisters and stops once the GCKS acknowledged, or
  // after a second.
  void leave() {
    if (member_->state() == central::MemberState::active) {
      auto req = member_->deregister();
      if (req && to_gcks({*req})) {
        leaving_ = true;
        loop_.after(Duration(1'000), [this] { loop_.stop(); });
        return;
      }
    }
    loop_.stop();
  }

 private:
  static constexpr std::size_t kSentKept = 64;
  std::deque<Bytes> sent_;  // our latest group messages, to drop their multicast echo

  bool refused_ = false;
  static constexpr Duration kRegisterRetry{3'000};
  Instant register_deadline_{};
  std::uint64_t received_ = 0;
  std::uint64_t rejected_ = 0;

  void say(const std::string& s) const { std::cout << o_.name << ": " << s << std::endl; }

  Status connect() {
    if (tcp_ && tcp_->is_open()) return ok();
    tcp_ = MPSEC_TRY(net::TcpClient::connect(loop_, gcks_host_, gcks_port_));
    tcp_->on_message([this](Bytes m) { input(m); });
    tcp_->on_close([this] { loop_.post([this] { tcp_.reset(); }); });
    // After a reconnection the GCKS learns this connection again from our next request.
    return ok();
  }

  Status to_gcks(const std::vector<Bytes>& messages) {
    if (messages.empty()) return ok();
    if (auto c = connect(); !c) {
      say("cannot reach the GCKS (" + c.error().message + "); will retry");
      return c;
    }
    for (const Bytes& m : messages)
      MPSEC_TRY(tcp_->send(m));
    return ok();
  }

  void input(const Bytes& message) {
    if (std::find(sent_.begin(), sent_.end(), message) != sent_.end()) return;
    ++received_;
    auto out = member_->handle(message, wall_now());
    if (!out) {
      ++rejected_;
      // Group data this member cannot read is worth saying; other refusals are quiet.
      auto wf = central::peek_wire_format(message);
      if (wf && *wf == static_cast<std::uint16_t>(record::WireFormat::private_message))
        say("cannot read a group message: " + out.error().describe());
      return;
    }
    take(std::move(*out));
  }

  void take(central::MemberOutput out) {
    using K = central::MemberEvent::Kind;
    for (const auto& e : out.events) {
      switch (e.kind) {
        case K::joined:
          say("joined group " + o_.group + " in " + e.detail + " (epoch " + std::to_string(e.seq) +
              ")");
          break;
        case K::refused:
          say("refused by the GCKS: " + e.detail);
          refused_ = true;
          loop_.stop();
          break;
        case K::rekeyed:
          say("new epoch " + std::to_string(e.seq));
          break;
        case K::gap:
          say("missing keys (" + e.detail + "): will ask the GCKS");
          break;
        case K::resynced:
          say("keys restored by the GCKS (epoch " + std::to_string(e.seq) + ")");
          break;
        case K::departed:
          say(leaving_ ? "left the group" : "removed from the group: " + e.detail);
          if (leaving_) loop_.stop();
          break;
      }
    }
    for (const auto& d : out.data) {
      const auto [name, text] = decode_chat(d.plaintext);
      say("<" + name + "@" + std::to_string(d.sender.value) + "> " + text);
    }
    (void)to_gcks(out.to_gcks);
    schedule();
  }

  // (Re)starts registration. A GCKS that was down, or died mid-handshake, never answers: the
  // runtime registers again after kRegisterRetry (the GCKS replaces a membership registered
  // twice by the same key).
  Status send_hello() {
    register_deadline_ = wall_now() + kRegisterRetry;
    auto hello = member_->hello(wall_now());
    if (!hello) return tl::unexpected(hello.error());
    (void)to_gcks({*hello});  // unreachable: said, and retried at the deadline
    return ok();
  }

  void schedule() {
    if (timer_) loop_.cancel(*timer_);
    Instant next = member_->next_deadline();
    const bool registering = member_->state() == central::MemberState::registering ||
                             member_->state() == central::MemberState::idle;
    if (registering) next = std::min(next, register_deadline_);
    const Duration wait = std::clamp<Duration>(next - wall_now(), Duration(1), Duration(1'000));
    timer_ = loop_.after(wait, [this] {
      timer_.reset();
      const auto st = member_->state();
      if ((st == central::MemberState::registering || st == central::MemberState::idle) &&
          wall_now() >= register_deadline_) {
        say("no answer from the GCKS: registering again");
        if (auto s = send_hello(); !s) say("cannot register: " + s.error().describe());
      }
      auto out = member_->tick(wall_now());
      if (out)
        take(std::move(*out));
      else
        schedule();
    });
  }

  net::Loop& loop_;
  JoinOptions o_;
  std::unique_ptr<central::Member> member_;
  std::string gcks_host_, mcast_host_;
  std::uint16_t gcks_port_ = 0, mcast_port_ = 0;
  std::unique_ptr<net::TcpClient> tcp_;
  std::unique_ptr<net::UdpSocket> mcast_in_, mcast_out_;
  std::optional<net::TimerId> timer_;
  bool leaving_ = false;
};

}  // namespace

void add_join_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<JoinOptions>();
  auto* c = app.add_subcommand("join", "Join a centrally keyed group; send stdin lines to it");
  c->add_option("--gcks", o->gcks, "The GCKS's host:port")->capture_default_str();
  c->add_option("--group", o->group, "Group id")->required();
  c->add_option("--key", o->key, "This member's .key file")->required();
  c->add_option("--gcks-pub", o->gcks_pub, "The GCKS's .pub file (pinned)")->required();
  c->add_option("--multicast", o->multicast, "The group's multicast group:port")->required();
  c->add_option("--interface", o->interface, "Multicast interface address")->capture_default_str();
  c->add_option("--role", o->role, "sender or receiver")->capture_default_str();
  c->add_option("--name", o->name, "Name shown in output and sent with messages");
  c->add_option("--suite", o->suite, "Cipher suite of the group")->capture_default_str();
  c->add_flag("--unicast", o->unicast, "Receive rekeys over TCP instead of multicast");
  c->callback([o, &exit_code] {
    std::signal(SIGPIPE, SIG_IGN);
    // Shared with the standard-input thread, which may outlive this function (it blocks in
    // getline until the process exits).
    auto loop = std::make_shared<net::Loop>();
    auto rt = std::make_shared<JoinRuntime>(*loop, *o);
    if (auto s = rt->start(); !s) {
      std::cerr << "mpsec join: " << s.error().describe() << "\n";
      exit_code = 1;
      return;
    }
    if (auto sig = loop->on_signal({SIGINT, SIGTERM}, [rt](int) { rt->leave(); }); !sig) {
      std::cerr << "mpsec join: " << sig.error().describe() << "\n";
      exit_code = 1;
      return;
    }
    std::thread([loop, rt] {
      std::string text;
      while (std::getline(std::cin, text))
        loop->post([rt, text] { rt->line(text); });
    }).detach();
    loop->run();
    rt->report();
    if (rt->refused()) exit_code = 1;
  });
}

}  // namespace mpsec::app
