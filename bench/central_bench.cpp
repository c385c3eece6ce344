// Centralized mode: registration throughput and the durable write of a rekey, suite 1
// (X25519, AES-128-GCM, SHA-256, Ed25519), LKH of degree 4, batch interval 0 (every
// registration is admitted by its own rekey, the worst case for the GCKS).
//   central/registration            one complete registration (hello -> cookie -> hello ->
//                                   challenge -> auth -> rekey committed -> result), GCKS and
//                                   member in process, into a group of 1024 members on a
//                                   MemoryJournal (one member in 8 a sender: the newcomer
//                                   parses every key of the 128-entry roster it receives).
//                                   items_per_second: registrations per CPU-second of one core
//                                   doing both sides. Counter gcks_regs_per_cpu_s:
//                                   registrations per CPU-second of the Gcks::handle calls
//                                   alone (what one core running only the GCKS sustains).
//   central/registration_loopback   the same, each registration over a new TCP connection on
//                                   127.0.0.1, one thread, blocking POSIX sockets, each message
//                                   framed as src/net frames it (4-byte length). Not through
//                                   src/net's TcpServer/TcpClient: mpsec_bench does not link
//                                   mpsec_net (bench/CMakeLists.txt).
//   central/registration_durable    as central/registration with the GCKS on a SqliteStore in a
//                                   temporary file: every admission waits for one fsync'd commit
//                                   of the whole key graph.
//   central/registration_baseline   the raw public-key work of one registration straight on
//                                   EVP: two X25519 key generations and two derivations, two
//                                   Ed25519 signatures and two verifications (the GCKS's
//                                   challenge, the member's auth).
// The departure that frees the slot again after each registration is outside the timing.
// The GCKS remembers member nonces for 60 s (at most 65,536) and scans them all on every
// hello; in the runs above the set holds only the run's own hellos (the clock jumps past the
// window between runs).
//   central/registration_steady     as central/registration with the nonce set full, as after
//                                   a minute at over 1,100 registrations/s (or a flood of
//                                   hellos with valid cookies).
//
//   central/store_commit/<n>        SqliteStore::commit of the GcksCommit a restored GCKS makes
//                                   when it ejects one member of a group of n (LKH d=4): the
//                                   whole graph sealed, the rekey logged, the member removed.
//                                   The store holds the group and its n member records.
//   sqlite/raw_commit/<n>           baseline: one raw SQLite transaction (WAL,
//                                   synchronous=FULL, as src/store configures) updating one
//                                   row with a blob of the size of that commit's graph plus
//                                   rekey, every byte changed.
// Counters: commit_bytes (graph + rekey handed to the store), bytes_written (write(2) bytes of
// the process per commit, /proc/self/io wchar: WAL frames and checkpoints). Files go to
// $MPSEC_BENCH_DIR, else $TMPDIR, else /tmp: put it on the disk whose fsync is to be measured.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "central/gcks.hpp"
#include "central/member.hpp"
#include "codec/tls.hpp"
#include "crypto/test_random.hpp"
#include "store/sqlite_store.hpp"
#include "tree/key_graph.hpp"

namespace {

using namespace mpsec;
using namespace mpsec::central;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "central_bench: %s\n", what.c_str());
  std::abort();
}

template <class T>
T must(Result<T> r, const char* what) {
  if (!r) die(std::string(what) + " failed: " + r.error().describe());
  if constexpr (!std::is_void_v<T>) return std::move(*r);
}

Bytes text(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

std::int64_t thread_cpu_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Bytes this process has passed to write(2) and friends so far.
std::uint64_t written_bytes() {
  std::ifstream io("/proc/self/io");
  std::string key;
  std::uint64_t value = 0;
  while (io >> key >> value)
    if (key == "wchar:") return value;
  return 0;
}

std::filesystem::path bench_dir() {
  for (const char* var : {"MPSEC_BENCH_DIR", "TMPDIR"})
    if (const char* d = std::getenv(var); d != nullptr && *d != '\0') return d;
  return "/tmp";
}

// A fresh directory, removed with everything in it when the object goes.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (bench_dir() / "mpsec_bench_XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) die("mkdtemp in " + bench_dir().string());
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

const crypto::CipherSuite& suite() {
  static const crypto::CipherSuite s = *crypto::CipherSuite::from_code(1);
  return s;
}

GroupConfig group_config() {
  GroupConfig c;
  c.group_id = text("bench-group");
  c.cipher_suite = 1;
  c.graph = KeyGraphType::lkh;
  c.degree = 4;
  c.heartbeat = Duration(1'000);
  c.rekey_interval = Duration(3'600'000);
  c.batch_interval = Duration(0);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Registration.

constexpr std::uint32_t kExistingMembers = 1024;
constexpr std::size_t kCandidates = 16;

// A member process that registers again and again (leaving in between, outside the timing).
struct Candidate {
  std::unique_ptr<Member> member;
  std::string name;
};

class RegistrationSite {
 public:
  explicit RegistrationSite(Journal* journal = nullptr)
      : gcks_key_(must(crypto::SigningKey::generate(suite().sig(), system_random()), "key")) {
    auto g = Gcks::create(config_, gcks_key_, journal != nullptr ? *journal : memory_, rng_, now_);
    gcks_ = must(std::move(g), "Gcks::create");
    // The group the candidates join: members that registered through the same protocol.
    for (std::uint32_t i = 0; i < kExistingMembers; ++i) {
      Candidate c = candidate("m" + std::to_string(i), i % 8 == 0 ? Role::sender : Role::receiver);
      double ignored = 0;
      if (!register_in_process(*c.member, ignored)) die("pre-registration");
    }
    for (std::size_t i = 0; i < kCandidates; ++i)
      candidates_.push_back(candidate("c" + std::to_string(i), Role::sender));
  }

  Gcks& gcks() { return *gcks_; }
  Instant now() const { return now_; }
  // A new run: past the window in which the GCKS remembers nonces and handshakes.
  void next_run() { now_ += Duration(120'000); }
  void tick() { now_ += Duration(1); }
  Candidate& next_candidate() { return candidates_[next_++ % candidates_.size()]; }
  ConnId new_conn() { return next_conn_++; }

  // One registration, GCKS and member calling each other directly. Adds the thread CPU time
  // of the GCKS's handle() calls to gcks_ns.
  bool register_in_process(Member& m, double& gcks_ns) {
    const ConnId conn = new_conn();
    const std::string peer = "127.0.0.1:" + std::to_string(10'000 + conn % 50'000);
    auto hello = m.hello(now_);
    if (!hello) return false;
    std::deque<Bytes> to_gcks;
    to_gcks.push_back(std::move(*hello));
    while (!to_gcks.empty()) {
      const Bytes msg = std::move(to_gcks.front());
      to_gcks.pop_front();
      const std::int64_t t0 = thread_cpu_ns();
      auto out = gcks_->handle(conn, peer, msg, now_);
      gcks_ns += static_cast<double>(thread_cpu_ns() - t0);
      if (!out) return false;
      for (const Outgoing& o : out->messages) {
        if (o.to != Outgoing::To::connection || o.conn != conn) continue;  // multicast rekeys
        auto r = m.handle(o.message, now_);
        if (!r) return false;
        for (Bytes& b : r->to_gcks)
          to_gcks.push_back(std::move(b));
      }
    }
    return m.state() == MemberState::active;
  }

  // Hellos (with their cookies) that never go further: the GCKS answers each with a challenge
  // and remembers its nonce. Then the clock moves past the handshake timeout, not past the
  // nonce window: what a GCKS holds after a minute of registrations at over 1,100/s.
  void fill_nonces(std::size_t count) {
    const crypto::DhPrivateKey share =
        must(crypto::DhPrivateKey::generate(suite().hpke().kem, rng_), "share");
    RegisterHello hello;
    hello.group_id = config_.group_id;
    hello.cipher_suite = config_.cipher_suite;
    hello.member_share = share.public_key().bytes();
    for (std::size_t i = 0; i < count; ++i) {
      const ConnId conn = new_conn();
      const std::string peer = "127.0.0.1:" + std::to_string(10'000 + conn % 50'000);
      hello.cookie.clear();
      (void)must(rng_.fill(hello.member_nonce), "rng");
      GcksOutput first =
          must(gcks_->handle(conn, peer, must(encode_message(hello), "hello"), now_), "hello");
      hello.cookie =
          must(decode_message<RegisterCookie>(first.messages.at(0).message), "cookie").cookie;
      (void)must(gcks_->handle(conn, peer, must(encode_message(hello), "hello"), now_), "hello");
      if (i % 4 == 3) tick();
    }
    now_ += kHandshakeTimeout + Duration(1'000);
  }

  // Deregistration: the slot is free again for the next candidate.
  bool leave(Member& m) {
    const ConnId conn = new_conn();
    auto req = m.deregister();
    if (!req) return false;
    auto out = gcks_->handle(conn, "127.0.0.1:1", *req, now_);
    if (!out) return false;
    for (const Outgoing& o : out->messages)
      if (o.to == Outgoing::To::connection && o.conn == conn) (void)m.handle(o.message, now_);
    return m.state() == MemberState::departed;
  }

 private:
  Candidate candidate(std::string name, Role role) {
    crypto::SigningKey key = must(crypto::SigningKey::generate(suite().sig(), rng_), "key");
    (void)must(gcks_->allow({key.verify_key().bytes(), role, text(name)}, now_), "allow");
    MemberConfig mc{config_.group_id,
                    config_.cipher_suite,
                    schedule::Credential::basic(text(name)),
                    std::move(key),
                    role,
                    false,
                    gcks_key_.verify_key().bytes(),
                    Duration(200)};
    return Candidate{must(Member::create(std::move(mc), rng_), "Member::create"), name};
  }

  Random& rng_ = system_random();
  GroupConfig config_ = group_config();
  crypto::SigningKey gcks_key_;
  MemoryJournal memory_;
  Instant now_{Duration(1'800'000'000'000)};
  std::unique_ptr<Gcks> gcks_;
  std::vector<Candidate> candidates_;
  std::size_t next_ = 0;
  ConnId next_conn_ = 1;
};

RegistrationSite& memory_site() {
  static RegistrationSite site;
  return site;
}

void report_registrations(benchmark::State& state, double gcks_ns) {
  state.SetItemsProcessed(state.iterations());
  state.counters["members"] = kExistingMembers;
  if (gcks_ns > 0)
    state.counters["gcks_regs_per_cpu_s"] = static_cast<double>(state.iterations()) * 1e9 / gcks_ns;
}

void run_registrations(benchmark::State& state, RegistrationSite& site) {
  site.next_run();
  double gcks_ns = 0;
  for (auto _ : state) {
    Candidate& c = site.next_candidate();
    if (!site.register_in_process(*c.member, gcks_ns)) {
      state.SkipWithError("registration failed");
      break;
    }
    state.PauseTiming();
    const bool left = site.leave(*c.member);
    site.tick();
    state.ResumeTiming();
    if (!left) {
      state.SkipWithError("deregistration failed");
      break;
    }
  }
  report_registrations(state, gcks_ns);
}

void registration(benchmark::State& state) {
  run_registrations(state, memory_site());
}

// The GCKS remembering as many nonces as it can (kMaxRememberedNonces). The clock does not
// jump between runs: the set stays full.
void registration_steady(benchmark::State& state) {
  static const std::unique_ptr<RegistrationSite> site = [] {
    auto s = std::make_unique<RegistrationSite>();
    const auto start = std::chrono::steady_clock::now();
    s->fill_nonces(kMaxRememberedNonces);
    std::fprintf(stderr, "filled %zu nonces in %.1f s\n", kMaxRememberedNonces,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return s;
  }();
  double gcks_ns = 0;
  for (auto _ : state) {
    Candidate& c = site->next_candidate();
    if (!site->register_in_process(*c.member, gcks_ns)) {
      state.SkipWithError("registration failed");
      break;
    }
    state.PauseTiming();
    const bool left = site->leave(*c.member);
    site->tick();
    state.ResumeTiming();
    if (!left) {
      state.SkipWithError("deregistration failed");
      break;
    }
  }
  report_registrations(state, gcks_ns);
}

// The GCKS on SQLite: one store file for every run, as a key server keeps it.
void registration_durable(benchmark::State& state) {
  struct Durable {
    TempDir dir;
    std::unique_ptr<store::SqliteStore> store;
    std::unique_ptr<RegistrationSite> site;
  };
  static const std::unique_ptr<Durable> d = [] {
    auto x = std::make_unique<Durable>();
    x->store = must(
        store::SqliteStore::open((x->dir.path / "gcks.db").string(), SecretBytes(Bytes(32, 9))),
        "SqliteStore::open");
    x->site = std::make_unique<RegistrationSite>(x->store.get());
    return x;
  }();
  run_registrations(state, *d->site);
}

// Loopback: blocking POSIX sockets, one thread. Every write is small and lands in the peer's
// receive buffer at once, so one thread can play both ends.
void write_all(int fd, const std::uint8_t* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) die(std::string("write: ") + std::strerror(errno));
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

void read_all(int fd, std::uint8_t* p, std::size_t n) {
  while (n > 0) {
    const ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) die(std::string("read: ") + (r == 0 ? "closed" : std::strerror(errno)));
    p += r;
    n -= static_cast<std::size_t>(r);
  }
}

// One frame: 4-byte big-endian length, then the message (src/net/frame_codec.hpp), one write.
void send_frame(int fd, ByteView msg) {
  Bytes frame(4 + msg.size());
  const auto n = static_cast<std::uint32_t>(msg.size());
  frame[0] = static_cast<std::uint8_t>(n >> 24);
  frame[1] = static_cast<std::uint8_t>(n >> 16);
  frame[2] = static_cast<std::uint8_t>(n >> 8);
  frame[3] = static_cast<std::uint8_t>(n);
  std::copy(msg.begin(), msg.end(), frame.begin() + 4);
  write_all(fd, frame.data(), frame.size());
}

Bytes recv_frame(int fd) {
  std::uint8_t h[4];
  read_all(fd, h, 4);
  const std::uint32_t n = std::uint32_t{h[0]} << 24 | std::uint32_t{h[1]} << 16 |
                          std::uint32_t{h[2]} << 8 | std::uint32_t{h[3]};
  if (n > (1u << 20)) die("oversize frame");
  Bytes msg(n);
  read_all(fd, msg.data(), n);
  return msg;
}

void no_delay(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

// Closed with a reset: thousands of connections per second leave no TIME_WAIT behind.
void close_now(int fd) {
  const linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  ::close(fd);
}

void registration_loopback(benchmark::State& state) {
  RegistrationSite& site = memory_site();
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listener, 64) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    die(std::string("listen: ") + std::strerror(errno));

  site.next_run();
  double gcks_ns = 0;
  for (auto _ : state) {
    Candidate& c = site.next_candidate();
    Member& m = *c.member;
    // The member connects; the GCKS accepts.
    const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (client < 0 || ::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
      die(std::string("connect: ") + std::strerror(errno));
    no_delay(client);
    sockaddr_in from{};
    socklen_t from_len = sizeof(from);
    const int server =
        ::accept4(listener, reinterpret_cast<sockaddr*>(&from), &from_len, SOCK_CLOEXEC);
    if (server < 0) die(std::string("accept: ") + std::strerror(errno));
    no_delay(server);
    char ip[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &from.sin_addr, ip, sizeof(ip));
    const std::string peer = std::string(ip) + ":" + std::to_string(ntohs(from.sin_port));
    const ConnId conn = site.new_conn();

    bool ok = false;
    if (auto hello = m.hello(site.now())) {
      send_frame(client, *hello);
      int to_gcks = 1;
      ok = true;
      while (ok && to_gcks > 0) {
        const Bytes msg = recv_frame(server);
        --to_gcks;
        const std::int64_t t0 = thread_cpu_ns();
        auto out = site.gcks().handle(conn, peer, msg, site.now());
        gcks_ns += static_cast<double>(thread_cpu_ns() - t0);
        if (!out) {
          ok = false;
          break;
        }
        int to_member = 0;
        for (const Outgoing& o : out->messages) {
          if (o.to != Outgoing::To::connection || o.conn != conn) continue;
          send_frame(server, o.message);
          ++to_member;
        }
        for (; to_member > 0; --to_member) {
          auto r = m.handle(recv_frame(client), site.now());
          if (!r) {
            ok = false;
            break;
          }
          for (const Bytes& b : r->to_gcks) {
            send_frame(client, b);
            ++to_gcks;
          }
        }
      }
      ok = ok && m.state() == MemberState::active;
    }
    close_now(client);
    close_now(server);
    site.gcks().connection_closed(conn);
    if (!ok) {
      state.SkipWithError("registration failed");
      break;
    }
    state.PauseTiming();
    const bool left = site.leave(m);
    site.tick();
    state.ResumeTiming();
    if (!left) {
      state.SkipWithError("deregistration failed");
      break;
    }
  }
  ::close(listener);
  report_registrations(state, gcks_ns);
}

// The public-key operations of one registration, straight on EVP.
void registration_baseline(benchmark::State& state) {
  EVP_PKEY* gcks_sig = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  EVP_PKEY* member_sig = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  std::uint8_t t1[96], t2[160], sig1[64], sig2[64], secret[32];
  for (std::size_t i = 0; i < sizeof(t1); ++i)
    t1[i] = static_cast<std::uint8_t>(i);
  for (std::size_t i = 0; i < sizeof(t2); ++i)
    t2[i] = static_cast<std::uint8_t>(i * 3);
  auto sign = [](EVP_PKEY* k, const std::uint8_t* m, std::size_t n, std::uint8_t* sig) {
    EVP_MD_CTX* c = EVP_MD_CTX_new();
    std::size_t len = 64;
    const bool ok = EVP_DigestSignInit_ex(c, nullptr, nullptr, nullptr, nullptr, k, nullptr) == 1 &&
                    EVP_DigestSign(c, sig, &len, m, n) == 1;
    EVP_MD_CTX_free(c);
    return ok;
  };
  auto verify = [](EVP_PKEY* k, const std::uint8_t* m, std::size_t n, const std::uint8_t* sig) {
    EVP_MD_CTX* c = EVP_MD_CTX_new();
    const bool ok =
        EVP_DigestVerifyInit_ex(c, nullptr, nullptr, nullptr, nullptr, k, nullptr) == 1 &&
        EVP_DigestVerify(c, sig, 64, m, n) == 1;
    EVP_MD_CTX_free(c);
    return ok;
  };
  auto derive = [&secret](EVP_PKEY* own, EVP_PKEY* peer) {
    EVP_PKEY_CTX* c = EVP_PKEY_CTX_new_from_pkey(nullptr, own, nullptr);
    std::size_t len = sizeof(secret);
    const bool ok = EVP_PKEY_derive_init(c) == 1 && EVP_PKEY_derive_set_peer(c, peer) == 1 &&
                    EVP_PKEY_derive(c, secret, &len) == 1;
    EVP_PKEY_CTX_free(c);
    return ok;
  };
  for (auto _ : state) {
    EVP_PKEY* member_eph = EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519");
    EVP_PKEY* gcks_eph = EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519");
    bool ok = member_eph != nullptr && gcks_eph != nullptr;
    ok = ok && derive(gcks_eph, member_eph);          // GCKS, on the hello with a cookie
    ok = ok && sign(gcks_sig, t1, sizeof(t1), sig1);  // the challenge
    ok = ok && verify(gcks_sig, t1, sizeof(t1), sig1);
    ok = ok && derive(member_eph, gcks_eph);            // member
    ok = ok && sign(member_sig, t2, sizeof(t2), sig2);  // the auth
    ok = ok && verify(member_sig, t2, sizeof(t2), sig2);
    EVP_PKEY_free(member_eph);
    EVP_PKEY_free(gcks_eph);
    if (!ok) state.SkipWithError("EVP");
    benchmark::DoNotOptimize(secret);
  }
  state.SetItemsProcessed(state.iterations());
  EVP_PKEY_free(gcks_sig);
  EVP_PKEY_free(member_sig);
}

// ---------------------------------------------------------------------------------------------
// Store commits.

// Keeps the last commit the GCKS made.
class CaptureJournal final : public Journal {
 public:
  Status commit(const GcksCommit& c) override {
    last.group_id = c.group_id;
    last.config = c.config;
    last.seq = c.seq;
    last.graph = c.graph.clone();
    last.rekey = c.rekey;
    last.members_added.clear();
    for (const SecretBytes& m : c.members_added)
      last.members_added.push_back(m.clone());
    last.members_removed = c.members_removed;
    return ok();
  }
  GcksCommit last;
};

struct CommitFixture {
  std::uint32_t n = 0;
  GcksCommit initial;  // the group with its n members
  GcksCommit leave;    // one ejection
  std::size_t payload = 0;
};

const CommitFixture& commit_fixture(std::uint32_t n) {
  static std::map<std::uint32_t, std::unique_ptr<CommitFixture>> cache;
  auto& slot = cache[n];
  if (slot) return *slot;
  const auto start = std::chrono::steady_clock::now();
  crypto::SeededRandom rng(std::uint64_t{n});
  const GroupConfig config = group_config();
  auto graph = must(tree::make_lkh_tree(suite(), config.group_id, config.degree, rng), "lkh");
  std::vector<MemberRecord> members;
  members.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    const tree::Admission a = must(graph->admit(rng), "admit");
    MemberRecord m;
    m.slot = a.slot;
    m.sa_id = Bytes(kSaIdSize);
    (void)must(rng.fill(m.sa_id), "rng");
    m.sa_secret = SecretBytes(suite().hash_size());
    (void)must(rng.fill(m.sa_secret.mutable_view()), "rng");
    m.name = text("member-" + std::to_string(i));
    m.credential = schedule::Credential::basic(m.name);
    m.signature_key = Bytes(32);  // distinct stand-ins: the GCKS only compares them
    (void)must(rng.fill(m.signature_key), "rng");
    m.role = i % 8 == 0 ? Role::sender : Role::receiver;
    members.push_back(std::move(m));
  }
  (void)must(graph->rekey(false, rng), "rekey");

  auto f = std::make_unique<CommitFixture>();
  f->n = n;
  codec::Writer w = codec::Writer::for_secrets();
  graph->encode(w);
  f->initial.group_id = config.group_id;
  f->initial.config = must(codec::encode(config), "encode config");
  f->initial.seq = 1;
  f->initial.graph = must(std::move(w).finish_secret(), "encode graph");
  for (const MemberRecord& m : members)
    f->initial.members_added.push_back(must(codec::encode_secret(m), "encode member"));

  GcksSnapshot snap;
  snap.config = config;
  snap.seq = 1;
  snap.graph = f->initial.graph.clone();
  snap.members = std::move(members);
  CaptureJournal journal;
  const Instant now{Duration(1'800'000'000'000)};
  auto gcks = must(
      Gcks::restore(std::move(snap), must(crypto::SigningKey::generate(suite().sig(), rng), "key"),
                    journal, rng, now),
      "Gcks::restore");
  (void)must(gcks->eject(n / 2, now), "eject");
  f->leave = std::move(journal.last);
  f->payload = f->leave.graph.size() + (f->leave.rekey ? f->leave.rekey->size() : 0);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "built commits for %u members in %.2f s: graph %zu bytes, rekey %zu bytes\n",
               n, secs, f->leave.graph.size(), f->leave.rekey ? f->leave.rekey->size() : 0);
  slot = std::move(f);
  return *slot;
}

void store_commit(benchmark::State& state, std::uint32_t n) {
  const CommitFixture& f = commit_fixture(n);
  TempDir dir;
  auto st =
      must(store::SqliteStore::open((dir.path / "gcks.db").string(), SecretBytes(Bytes(32, 9))),
           "SqliteStore::open");
  (void)must(st->commit(f.initial), "initial commit");
  GcksCommit c;
  c.group_id = f.leave.group_id;
  c.graph = f.leave.graph.clone();
  c.rekey = f.leave.rekey;
  std::uint64_t seq = 1;
  std::uint32_t victim = 0;
  const std::uint64_t before = written_bytes();
  for (auto _ : state) {
    // A different member each time, while there are rows left to remove.
    c.seq = ++seq;
    c.members_removed = {victim++ % n};
    if (!st->commit(c)) {
      state.SkipWithError("commit failed");
      break;
    }
  }
  const double it = state.iterations() > 0 ? static_cast<double>(state.iterations()) : 1.0;
  state.counters["commit_bytes"] = static_cast<double>(f.payload);
  state.counters["bytes_written"] = static_cast<double>(written_bytes() - before) / it;
}

// Two blobs that differ in every byte, written in turn: like the store's graph, sealed under a
// fresh nonce each time, every page of the row changes (SQLite skips pages an UPDATE leaves
// as they were).
void raw_commit(benchmark::State& state, std::uint32_t n) {
  const std::size_t size = commit_fixture(n).payload;
  TempDir dir;
  sqlite3* db = nullptr;
  const std::string path = (dir.path / "raw.db").string();
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
          SQLITE_OK ||
      sqlite3_exec(db,
                   "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                   " CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB NOT NULL);",
                   nullptr, nullptr, nullptr) != SQLITE_OK)
    die(std::string("sqlite: ") + sqlite3_errmsg(db));
  Bytes blobs[2] = {Bytes(size), Bytes(size)};
  for (std::size_t i = 0; i < size; ++i) {
    blobs[0][i] = static_cast<std::uint8_t>(i * 131 + 7);
    blobs[1][i] = static_cast<std::uint8_t>(blobs[0][i] ^ 0x5a);
  }
  sqlite3_stmt *begin = nullptr, *put = nullptr, *commit = nullptr, *insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t (id, data) VALUES (1, ?1)", -1, &insert, nullptr);
  sqlite3_bind_blob(insert, 1, blobs[1].data(), static_cast<int>(size), SQLITE_STATIC);
  if (sqlite3_step(insert) != SQLITE_DONE) die(std::string("sqlite: ") + sqlite3_errmsg(db));
  sqlite3_finalize(insert);
  sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, nullptr);
  sqlite3_prepare_v2(db, "UPDATE t SET data = ?1 WHERE id = 1", -1, &put, nullptr);
  sqlite3_prepare_v2(db, "COMMIT", -1, &commit, nullptr);
  std::size_t turn = 0;
  const std::uint64_t before = written_bytes();
  for (auto _ : state) {
    const Bytes& blob = blobs[turn++ % 2];
    bool ok = sqlite3_step(begin) == SQLITE_DONE;
    ok = ok && sqlite3_bind_blob(put, 1, blob.data(), static_cast<int>(blob.size()),
                                 SQLITE_STATIC) == SQLITE_OK;
    ok = ok && sqlite3_step(put) == SQLITE_DONE;
    ok = ok && sqlite3_step(commit) == SQLITE_DONE;
    sqlite3_reset(begin);
    sqlite3_reset(put);
    sqlite3_reset(commit);
    if (!ok) {
      state.SkipWithError(sqlite3_errmsg(db));
      break;
    }
  }
  const double it = state.iterations() > 0 ? static_cast<double>(state.iterations()) : 1.0;
  state.counters["commit_bytes"] = static_cast<double>(size);
  state.counters["bytes_written"] = static_cast<double>(written_bytes() - before) / it;
  sqlite3_finalize(begin);
  sqlite3_finalize(put);
  sqlite3_finalize(commit);
  sqlite3_close_v2(db);
}

const bool kRegistered = [] {
  benchmark::RegisterBenchmark("central/registration", registration)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("central/registration_loopback", registration_loopback)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("central/registration_steady", registration_steady)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("central/registration_durable", registration_durable)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("central/registration_baseline", registration_baseline)
      ->Unit(benchmark::kMicrosecond);
  for (std::uint32_t n : {1024u, 16384u, 131072u}) {
    benchmark::RegisterBenchmark(("central/store_commit/" + std::to_string(n)).c_str(),
                                 store_commit, n)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("sqlite/raw_commit/" + std::to_string(n)).c_str(), raw_commit, n)
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}();

}  // namespace
