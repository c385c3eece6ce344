// The GCKS's journal on SQLite 3: one database file holds every group the key server runs.
// Each commit is one transaction, durable when commit() returns (WAL, synchronous=FULL: it
// survives SIGKILL and power loss); the key graph and member records are sealed under the
// storage master key (store/sealer.hpp). One thread at a time; one process per file.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "central/journal.hpp"
#include "mpsec/random.hpp"
#include "store/sealer.hpp"
#include "store/sqlite_db.hpp"

namespace mpsec::store {

class SqliteStore final : public central::Journal {
 public:
  // Opens the store at `path`, creating it (mode 0600) if the file does not exist. Fails with
  // authentication_failed if the store was created under another master key, unsupported for
  // a schema version this build does not know, io_error for a file that is not a sound SQLite
  // database. `rng` draws the sealing nonces and must outlive the store.
  [[nodiscard]] static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                                 SecretBytes master_key,
                                                                 Random& rng = system_random());
  ~SqliteStore() override;

  // All of it or none of it, with MemoryJournal's semantics: the config is upserted when
  // present (an unknown group without one is not_found), seq never goes back (internal), the
  // graph is replaced, the rekey is logged under seq (the newest kRekeyLogDepth are kept),
  // members are removed, then added (upserts by slot). After a failure the store is as before
  // and still usable.
  [[nodiscard]] Status commit(const central::GcksCommit& commit) override;

  [[nodiscard]] Result<std::vector<Bytes>> groups() const;
  // What MemoryJournal::snapshot gives for the same commits; authentication_failed if any
  // sealed blob or the config was altered, moved or sealed under another key.
  [[nodiscard]] Result<central::GcksSnapshot> load(ByteView group_id) const;
  // Removes the group and everything stored for it; not_found if there is none.
  [[nodiscard]] Status delete_group(ByteView group_id);

 private:
  SqliteStore(Database db, Sealer sealer) : db_(std::move(db)), sealer_(std::move(sealer)) {}

  Status apply(const central::GcksCommit& c);
  Result<central::GcksSnapshot> read(ByteView group_id) const;

  // Reads go through cached statements too: the cache is not part of the store's state.
  mutable Database db_;
  Sealer sealer_;
};

}  // namespace mpsec::store
