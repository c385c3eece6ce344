// SqliteStore as the GCKS journal: MemoryJournal's semantics, one transaction per commit
// (rolled back on failure), the rekey log depth, sealed secrets that refuse tampering and
// wrong keys, refusal of unknown schemas and damaged files, durability across SIGKILL.
#include "store/sqlite_store.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "central/central_sim.hpp"
#include "codec/tls.hpp"

namespace mpsec::store {
namespace {

using central::GcksCommit;
using central::GcksSnapshot;
using central::kRekeyLogDepth;
using central::MemberRecord;
using central::MemoryJournal;
using central::sim::b;

// A fresh directory under /tmp, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/mpsec_store_XXXXXX";
    const char* p = ::mkdtemp(tmpl);
    EXPECT_NE(p, nullptr);
    path_ = p != nullptr ? p : "/tmp";
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

SecretBytes master_key(std::uint8_t fill = 0x42) {
  return SecretBytes(Bytes(kMasterKeySize, fill));
}

std::unique_ptr<SqliteStore> open_store(const std::string& path, std::uint8_t key = 0x42) {
  auto s = SqliteStore::open(path, master_key(key));
  EXPECT_TRUE(s.has_value()) << s.error().describe();
  return s ? std::move(*s) : nullptr;
}

Bytes config_for(std::string_view group, std::uint32_t degree = 4) {
  central::GroupConfig c = central::sim::test_config();
  c.group_id = b(group);
  c.degree = degree;
  return *codec::encode(c);
}

SecretBytes record(std::uint32_t slot, std::uint64_t tag) {
  MemberRecord r;
  r.slot = slot;
  r.sa_id = b("sa-" + std::to_string(slot) + "-" + std::to_string(tag));
  r.sa_secret = SecretBytes(Bytes(32, static_cast<std::uint8_t>(tag)));
  r.credential = schedule::Credential::basic(b("member-" + std::to_string(slot)));
  r.signature_key = Bytes(32, static_cast<std::uint8_t>(slot));
  r.role = central::Role::sender;
  r.name = b("tag-" + std::to_string(tag));
  return *codec::encode_secret(r);
}

// A graph blob that names its seq, `size` bytes long.
SecretBytes graph(std::uint64_t seq, std::size_t size = 256) {
  SecretBytes g(size);
  for (std::size_t i = 0; i < size; ++i)
    g.data()[i] = static_cast<std::uint8_t>(seq * 31 + i);
  return g;
}

Bytes rekey(std::uint64_t seq) {
  return b("rekey-" + std::to_string(seq));
}

GcksCommit create_commit(std::string_view group) {
  GcksCommit c;
  c.group_id = b(group);
  c.config = config_for(group);
  c.seq = 0;
  c.graph = graph(0);
  return c;
}

GcksCommit rekey_commit(std::string_view group, std::uint64_t seq,
                        std::vector<std::uint32_t> added = {},
                        std::vector<std::uint32_t> removed = {}) {
  GcksCommit c;
  c.group_id = b(group);
  c.seq = seq;
  c.graph = graph(seq);
  c.rekey = rekey(seq);
  for (std::uint32_t slot : added)
    c.members_added.push_back(record(slot, seq));
  c.members_removed = std::move(removed);
  return c;
}

void expect_same(const GcksSnapshot& want, const GcksSnapshot& got) {
  EXPECT_EQ(*codec::encode(want.config), *codec::encode(got.config));
  EXPECT_EQ(want.seq, got.seq);
  EXPECT_EQ(to_bytes(want.graph.view()), to_bytes(got.graph.view()));
  ASSERT_EQ(want.members.size(), got.members.size());
  for (std::size_t i = 0; i < want.members.size(); ++i)
    EXPECT_EQ(to_bytes(codec::encode_secret(want.members[i])->view()),
              to_bytes(codec::encode_secret(got.members[i])->view()))
        << "member " << i;
  EXPECT_EQ(want.recent_rekeys, got.recent_rekeys);
}

// Both journals take the commit the same way; the store loads what the memory journal holds.
void commit_both(MemoryJournal& mem, SqliteStore& store, const GcksCommit& c) {
  const Status m = mem.commit(c);
  const Status s = store.commit(c);
  ASSERT_EQ(m.has_value(), s.has_value()) << (m ? s.error().describe() : m.error().describe());
  if (!m) {
    EXPECT_EQ(m.error().code, s.error().code) << s.error().describe();
    return;
  }
  auto want = mem.snapshot(c.group_id);
  auto got = store.load(c.group_id);
  ASSERT_TRUE(want.has_value());
  ASSERT_TRUE(got.has_value()) << got.error().describe();
  expect_same(*want, *got);
}

// Runs SQL on the file behind the store's back, with `blob` bound to ?1 when given.
void raw_sql(const std::string& path, const std::string& sql,
             std::optional<Bytes> blob = std::nullopt) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  if (blob)
    sqlite3_bind_blob(stmt, 1, blob->data(), static_cast<int>(blob->size()), SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE) << sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

// The first column of the first row of a query, behind the store's back.
Bytes raw_blob(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK);
  Bytes out;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt, 0));
    out.assign(p, p + sqlite3_column_bytes(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

TEST(SqliteStore, CommitsLoadAsTheMemoryJournalSnapshots) {
  TempDir dir;
  auto store = open_store(dir.file("gcks.db"));
  ASSERT_TRUE(store);
  MemoryJournal mem;
  commit_both(mem, *store, create_commit("g"));
  commit_both(mem, *store, rekey_commit("g", 1, {0, 1, 2}));
  commit_both(mem, *store, rekey_commit("g", 2, {3}, {1}));
  // A re-admission into a slot is an upsert; removal then addition of the same slot too.
  commit_both(mem, *store, rekey_commit("g", 3, {0, 1}, {0}));
  // A config change (allow-list) without a rekey keeps seq and the log.
  GcksCommit cfg;
  cfg.group_id = b("g");
  cfg.config = config_for("g", 8);
  cfg.seq = 3;
  cfg.graph = graph(3, 1000);
  commit_both(mem, *store, cfg);
  commit_both(mem, *store, rekey_commit("g", 4, {}, {2, 3, 99}));
  // The same seq again (a refresh of the graph) is not going back.
  commit_both(mem, *store, rekey_commit("g", 4, {5}));
  auto groups = store->groups();
  ASSERT_TRUE(groups.has_value());
  EXPECT_EQ(*groups, std::vector<Bytes>{b("g")});
  // Everything was on disk: a reopened store gives the same.
  store.reset();
  store = open_store(dir.file("gcks.db"));
  ASSERT_TRUE(store);
  auto got = store->load(b("g"));
  ASSERT_TRUE(got.has_value()) << got.error().describe();
  expect_same(*mem.snapshot(b("g")), *got);
}

TEST(SqliteStore, TheDatabaseIsPrivateAndInWalMode) {
  TempDir dir;
  const std::string path = dir.file("gcks.db");
  auto store = open_store(path);
  ASSERT_TRUE(store);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);
  // Byte 18 of the header: 2 means WAL.
  std::ifstream f(path, std::ios::binary);
  char header[20] = {};
  f.read(header, sizeof(header));
  EXPECT_EQ(header[18], 2);
}

TEST(SqliteStore, ACommitForAnUnknownGroupNeedsItsConfig) {
  TempDir dir;
  auto store = open_store(dir.file("gcks.db"));
  ASSERT_TRUE(store);
  auto r = store->commit(rekey_commit("nobody", 1));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::not_found);
  auto l = store->load(b("nobody"));
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().code, Errc::not_found);
  EXPECT_TRUE(store->groups()->empty());
}

TEST(SqliteStore, AFailedCommitChangesNothingAndTheStoreGoesOn) {
  TempDir dir;
  auto store = open_store(dir.file("gcks.db"));
  ASSERT_TRUE(store);
  MemoryJournal mem;
  commit_both(mem, *store, create_commit("g"));
  commit_both(mem, *store, rekey_commit("g", 5, {0, 1}));
  const GcksSnapshot before = *mem.snapshot(b("g"));

  auto back = store->commit(rekey_commit("g", 4, {2}));
  ASSERT_FALSE(back.has_value());
  EXPECT_EQ(back.error().code, Errc::internal);
  expect_same(before, *store->load(b("g")));

  // Fails on its last step (a malformed member record), after the config, graph, rekey log
  // and removals were written: all of it is rolled back.
  GcksCommit late = rekey_commit("g", 6, {2}, {0});
  late.config = config_for("g", 8);
  late.members_added.push_back(SecretBytes(b("not a member record")));
  auto bad = store->commit(late);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, Errc::decode_error);
  expect_same(before, *store->load(b("g")));

  // A new group whose commit fails does not exist afterwards.
  GcksCommit fresh = create_commit("h");
  fresh.members_added.push_back(SecretBytes(b("garbage")));
  ASSERT_FALSE(store->commit(fresh).has_value());
  EXPECT_EQ(*store->groups(), std::vector<Bytes>{b("g")});

  // Too large for SQLite's integers: refused, not wrapped.
  auto huge = store->commit(rekey_commit("g", std::uint64_t{1} << 63));
  ASSERT_FALSE(huge.has_value());
  EXPECT_EQ(huge.error().code, Errc::limit_exceeded);

  commit_both(mem, *store, rekey_commit("g", 6, {2}, {0}));
  store.reset();
  store = open_store(dir.file("gcks.db"));
  ASSERT_TRUE(store);
  expect_same(*mem.snapshot(b("g")), *store->load(b("g")));
}

TEST(SqliteStore, TheRekeyLogKeepsTheNewestEntries) {
  TempDir dir;
  auto store = open_store(dir.file("gcks.db"));
  ASSERT_TRUE(store);
  MemoryJournal mem;
  commit_both(mem, *store, create_commit("g"));
  commit_both(mem, *store, create_commit("other"));
  const std::uint64_t n = kRekeyLogDepth + 37;
  for (std::uint64_t seq = 1; seq <= n; ++seq) {
    ASSERT_TRUE(store->commit(rekey_commit("g", seq, {static_cast<std::uint32_t>(seq % 5)})));
    ASSERT_TRUE(mem.commit(rekey_commit("g", seq, {static_cast<std::uint32_t>(seq % 5)})));
  }
  commit_both(mem, *store, rekey_commit("other", 1));
  auto s = store->load(b("g"));
  ASSERT_TRUE(s.has_value()) << s.error().describe();
  ASSERT_EQ(s->recent_rekeys.size(), kRekeyLogDepth);
  EXPECT_EQ(s->recent_rekeys.front(), rekey(n - kRekeyLogDepth + 1));
  EXPECT_EQ(s->recent_rekeys.back(), rekey(n));
  expect_same(*mem.snapshot(b("g")), *s);
  // Each group's log is its own.
  EXPECT_EQ(store->load(b("other"))->recent_rekeys, std::vector<Bytes>{rekey(1)});
}

TEST(SqliteStore, DeletingAGroupTakesEverythingOfItAndNothingElse) {
  TempDir dir;
  auto store = open_store(dir.file("gcks.db"));
  ASSERT_TRUE(store);
  for (const char* g : {"a", "b"}) {
    ASSERT_TRUE(store->commit(create_commit(g)));
    ASSERT_TRUE(store->commit(rekey_commit(g, 1, {0, 1})));
  }
  EXPECT_EQ(*store->groups(), (std::vector<Bytes>{b("a"), b("b")}));
  ASSERT_TRUE(store->delete_group(b("a")));
  EXPECT_EQ(*store->groups(), std::vector<Bytes>{b("b")});
  EXPECT_EQ(store->load(b("a")).error().code, Errc::not_found);
  EXPECT_EQ(store->delete_group(b("a")).error().code, Errc::not_found);
  // Re-created, it starts empty: its members and rekeys went with it.
  ASSERT_TRUE(store->commit(create_commit("a")));
  auto a = store->load(b("a"));
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(a->members.empty());
  EXPECT_TRUE(a->recent_rekeys.empty());
  EXPECT_EQ(store->load(b("b"))->members.size(), 2u);
}

class SqliteStoreTamper : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = open_store(path_);
    ASSERT_TRUE(store);
    for (const char* g : {"a", "b"}) {
      ASSERT_TRUE(store->commit(create_commit(g)));
      ASSERT_TRUE(store->commit(rekey_commit(g, 1, {0, 1})));
    }
    old_graph_ = raw_blob(path_, "SELECT graph FROM groups WHERE group_id = X'61'");
    ASSERT_TRUE(store->commit(rekey_commit("a", 2, {2})));
  }
  // Loading group "a" after `sql` fails with authentication_failed; group "b" is untouched.
  void expect_refused(const std::string& sql, std::optional<Bytes> blob = std::nullopt) {
    raw_sql(path_, sql, std::move(blob));
    auto store = open_store(path_);
    ASSERT_TRUE(store);
    auto a = store->load(b("a"));
    ASSERT_FALSE(a.has_value()) << sql;
    EXPECT_EQ(a.error().code, Errc::authentication_failed) << a.error().describe();
    EXPECT_TRUE(store->load(b("b")).has_value());
  }

  TempDir dir_;
  std::string path_ = dir_.file("gcks.db");
  Bytes old_graph_;
};

TEST_F(SqliteStoreTamper, AFlippedGraphBitIsRefused) {
  Bytes g = raw_blob(path_, "SELECT graph FROM groups WHERE group_id = X'61'");
  g[g.size() / 2] ^= 0x01;
  expect_refused("UPDATE groups SET graph = ?1 WHERE group_id = X'61'", g);
}

TEST_F(SqliteStoreTamper, AnOlderGraphBesideANewerSeqIsRefused) {
  expect_refused("UPDATE groups SET graph = ?1 WHERE group_id = X'61'", old_graph_);
}

TEST_F(SqliteStoreTamper, ASeqMovedBackIsRefused) {
  expect_refused("UPDATE groups SET seq = 1 WHERE group_id = X'61'");
}

TEST_F(SqliteStoreTamper, AGraphFromAnotherGroupIsRefused) {
  // Group b's graph at seq 1 beside group a's seq 1: only the group differs.
  raw_sql(path_, "UPDATE groups SET seq = 1 WHERE group_id = X'61'");
  raw_sql(path_, "UPDATE groups SET graph = ?1 WHERE group_id = X'61'", old_graph_);
  {
    auto store = open_store(path_);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->load(b("a")).has_value());  // consistent again: a's own old state
  }
  expect_refused(
      "UPDATE groups SET graph = (SELECT graph FROM groups WHERE group_id = X'62') "
      "WHERE group_id = X'61'");
}

TEST_F(SqliteStoreTamper, MemberRecordsSwappedBetweenSlotsAreRefused) {
  raw_sql(path_, "UPDATE members SET slot = 100 WHERE group_id = X'61' AND slot = 0");
  raw_sql(path_, "UPDATE members SET slot = 0 WHERE group_id = X'61' AND slot = 1");
  expect_refused("UPDATE members SET slot = 1 WHERE group_id = X'61' AND slot = 100");
}

TEST_F(SqliteStoreTamper, AMemberRecordFromAnotherGroupIsRefused) {
  expect_refused(
      "UPDATE members SET record = (SELECT record FROM members WHERE group_id = X'62' AND "
      "slot = 0) WHERE group_id = X'61' AND slot = 0");
}

TEST_F(SqliteStoreTamper, ATruncatedBlobIsRefused) {
  expect_refused("UPDATE members SET record = X'0102' WHERE group_id = X'61' AND slot = 2");
}

TEST_F(SqliteStoreTamper, AnEditedConfigIsRefused) {
  Bytes c = raw_blob(path_, "SELECT config FROM groups WHERE group_id = X'61'");
  c.back() ^= 0x01;
  expect_refused("UPDATE groups SET config = ?1 WHERE group_id = X'61'", c);
}

TEST(SqliteStore, AWrongMasterKeyIsRefused) {
  TempDir dir;
  const std::string path = dir.file("gcks.db");
  {
    auto store = open_store(path, 0x42);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->commit(create_commit("g")));
  }
  auto wrong = SqliteStore::open(path, master_key(0x43));
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code, Errc::authentication_failed) << wrong.error().describe();
  auto short_key = SqliteStore::open(path, SecretBytes(Bytes(16, 1)));
  ASSERT_FALSE(short_key.has_value());
  EXPECT_EQ(short_key.error().code, Errc::invalid_key);
  // Blobs sealed under another key fail on their own too, not only the key check: give the
  // store the key check of a store made under key 0x43, then open it with that key.
  const std::string other = dir.file("other.db");
  ASSERT_TRUE(open_store(other, 0x43));
  raw_sql(path, "UPDATE key_check SET sealed = ?1",
          raw_blob(other, "SELECT sealed FROM key_check"));
  auto store = open_store(path, 0x43);
  ASSERT_TRUE(store);
  auto g = store->load(b("g"));
  ASSERT_FALSE(g.has_value());
  EXPECT_EQ(g.error().code, Errc::authentication_failed) << g.error().describe();
}

TEST(SqliteStore, AnUnknownSchemaVersionIsRefused) {
  TempDir dir;
  const std::string path = dir.file("gcks.db");
  ASSERT_TRUE(open_store(path));
  raw_sql(path, "UPDATE schema_version SET version = 2");
  auto s = SqliteStore::open(path, master_key());
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, Errc::unsupported);
  EXPECT_NE(s.error().message.find("version 2"), std::string::npos) << s.error().message;
}

TEST(SqliteStore, ADatabaseOfAnotherApplicationIsRefused) {
  TempDir dir;
  const std::string path = dir.file("other.db");
  raw_sql(path, "CREATE TABLE t (x INTEGER)");
  auto s = SqliteStore::open(path, master_key());
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, Errc::unsupported);
}

// A store with enough in it to span many pages.
GcksSnapshot fill(const std::string& path) {
  auto store = open_store(path);
  EXPECT_TRUE(store);
  EXPECT_TRUE(store->commit(create_commit("g")));
  std::vector<std::uint32_t> slots;
  for (std::uint32_t i = 0; i < 200; ++i)
    slots.push_back(i);
  GcksCommit c = rekey_commit("g", 1, slots);
  c.graph = graph(1, 64 * 1024);
  EXPECT_TRUE(store->commit(c));
  for (std::uint64_t seq = 2; seq < 80; ++seq) {
    c = rekey_commit("g", seq, {static_cast<std::uint32_t>(seq)});
    c.graph = graph(seq, 32 * 1024);
    EXPECT_TRUE(store->commit(c));
  }
  return *store->load(b("g"));
}

// Opens and loads a damaged file: either an error, or exactly what was stored (the damage
// hit unused space), never anything else and never a crash.
bool open_and_load(const std::string& path, const GcksSnapshot& original) {
  auto store = SqliteStore::open(path, master_key());
  if (!store) {
    fprintf(stderr, "open: %s\n", store.error().describe().c_str());
    EXPECT_FALSE(store.error().message.empty());
    return false;
  }
  auto s = (*store)->load(b("g"));
  if (!s) {
    fprintf(stderr, "load: %s\n", s.error().describe().c_str());
    return false;
  }
  expect_same(original, *s);
  return true;
}

TEST(SqliteStore, ADamagedFileFailsCleanly) {
  TempDir dir;
  const std::string path = dir.file("gcks.db");
  const GcksSnapshot original = fill(path);
  const auto size = std::filesystem::file_size(path);
  ASSERT_GT(size, 100'000u);
  const std::string copy = dir.file("copy.db");
  std::filesystem::copy_file(path, copy);
  auto restore = [&] {
    std::filesystem::copy_file(copy, path, std::filesystem::copy_options::overwrite_existing);
  };
  auto overwrite = [&](std::uintmax_t offset, const Bytes& bytes) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  };

  // Garbled header: not a database.
  overwrite(0, Bytes(100, 0xA5));
  EXPECT_FALSE(open_and_load(path, original));
  restore();
  // Truncated: pages the b-trees point to are gone.
  for (std::uintmax_t keep : {size / 2, std::uintmax_t{4096}, std::uintmax_t{1000}}) {
    std::filesystem::resize_file(path, keep);
    EXPECT_FALSE(open_and_load(path, original)) << "truncated to " << keep;
    restore();
  }
  // Random pages garbled: refused, or (damage in free space) the original content.
  std::mt19937 prng(7);
  int refused = 0;
  for (int round = 0; round < 24; ++round) {
    const auto page = prng() % (size / 4096);
    Bytes junk(4096);
    for (auto& x : junk)
      x = static_cast<std::uint8_t>(prng());
    overwrite(page * 4096 + (page == 0 ? 100 : 0), junk);
    refused += open_and_load(path, original) ? 0 : 1;
    restore();
  }
  fprintf(stderr, "refused %d\n", refused);
  EXPECT_GE(refused, 12);
  // A file of random bytes.
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    for (int i = 0; i < 10'000; ++i)
      f.put(static_cast<char>(prng()));
  }
  EXPECT_FALSE(open_and_load(path, original));
}

// The child commits rekeys until it is killed, reporting each seq on `fd` once its commit
// returned. Never returns.
[[noreturn]] void commit_until_killed(const std::string& path, int fd) {
  auto store = SqliteStore::open(path, master_key());
  if (!store) ::_exit(2);
  for (std::uint64_t seq = 1;; ++seq) {
    GcksCommit c = rekey_commit("g", seq, {static_cast<std::uint32_t>(seq % 8)});
    c.graph = graph(seq, 4096);
    if (!(*store)->commit(c)) ::_exit(3);
    if (::write(fd, &seq, sizeof(seq)) != sizeof(seq)) ::_exit(4);
  }
}

TEST(SqliteStore, AKilledWriterLeavesTheLastCommitOrTheOneAfter) {
  TempDir dir;
  const std::string path = dir.file("gcks.db");
  {
    auto store = open_store(path);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->commit(create_commit("g")));
  }
  std::mt19937 prng(static_cast<std::mt19937::result_type>(::getpid()));
  for (int round = 0; round < 4; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      commit_until_killed(path, fds[1]);
    }
    ::close(fds[1]);
    // Kill it mid-stream: after its first commit of this round, at a random moment.
    std::uint64_t seq = 0, acked = 0;
    ASSERT_EQ(::read(fds[0], &seq, sizeof(seq)), static_cast<ssize_t>(sizeof(seq)));
    ::usleep(static_cast<useconds_t>(prng() % 30'000));
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
    acked = seq;
    while (::read(fds[0], &seq, sizeof(seq)) == static_cast<ssize_t>(sizeof(seq)))
      acked = seq;
    ::close(fds[0]);

    auto store = open_store(path);
    ASSERT_TRUE(store);
    auto s = store->load(b("g"));
    ASSERT_TRUE(s.has_value()) << s.error().describe();
    // Every commit that returned is there; the one in flight may be too.
    EXPECT_GE(s->seq, acked);
    EXPECT_LE(s->seq, acked + 1);
    // And the state is exactly that commit's: graph, rekey log and members agree with seq.
    EXPECT_EQ(to_bytes(s->graph.view()), to_bytes(graph(s->seq, 4096).view()));
    const std::uint64_t first = s->seq > kRekeyLogDepth ? s->seq - kRekeyLogDepth + 1 : 1;
    ASSERT_EQ(s->recent_rekeys.size(), s->seq - first + 1);
    for (std::uint64_t q = first; q <= s->seq; ++q)
      EXPECT_EQ(s->recent_rekeys[q - first], rekey(q));
    for (const MemberRecord& m : s->members) {
      std::uint64_t last = s->seq;
      while (last % 8 != m.slot)
        --last;
      EXPECT_EQ(m.name, b("tag-" + std::to_string(last)));
    }
    EXPECT_EQ(s->members.size(), std::min<std::uint64_t>(s->seq, 8));
    // The next round starts from here: the child's seq restarts at 1, below this one, so the
    // group is created anew.
    ASSERT_TRUE(store->delete_group(b("g")));
    ASSERT_TRUE(store->commit(create_commit("g")));
  }
}

}  // namespace
}  // namespace mpsec::store
