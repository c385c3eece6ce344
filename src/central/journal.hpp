// Durability for the GCKS, injected: the GCKS hands each state change to a Journal and sends
// nothing that depends on it until commit() has returned. src/store implements it on SQLite;
// MemoryJournal keeps it in memory (tests, simulation, benchmarks).
#pragma once

#include <map>
#include <optional>

#include "central/group_config.hpp"

namespace mpsec::central {

// One atomic change: all of it is durable when commit() returns, or none of it.
struct GcksCommit {
  Bytes group_id;
  std::optional<Bytes> config;  // the encoded GroupConfig, when it changed
  std::uint64_t seq = 0;
  SecretBytes graph;                       // the whole key graph, secrets included
  std::optional<Bytes> rekey;              // the Rekey MLSMessage of `seq`, when one was made
  std::vector<SecretBytes> members_added;  // encoded MemberRecords (upserts by slot)
  std::vector<std::uint32_t> members_removed;
};

class Journal {
 public:
  virtual ~Journal() = default;
  [[nodiscard]] virtual Status commit(const GcksCommit& commit) = 0;
};

// Everything restore() needs: what the journal holds for one group.
struct GcksSnapshot {
  GroupConfig config;
  std::uint64_t seq = 0;
  SecretBytes graph;
  std::vector<MemberRecord> members;
  std::vector<Bytes> recent_rekeys;  // oldest first, at most kRekeyLogDepth
};

class MemoryJournal final : public Journal {
 public:
  [[nodiscard]] Status commit(const GcksCommit& commit) override;
  [[nodiscard]] Result<GcksSnapshot> snapshot(ByteView group_id) const;
  std::size_t commits() const noexcept { return commits_; }
  // Makes the next commits fail (tests of failure handling).
  void fail_next(std::size_t n) { fail_ = n; }

 private:
  struct Group {
    Bytes config;
    std::uint64_t seq = 0;
    SecretBytes graph;
    std::map<std::uint32_t, SecretBytes> members;
    std::map<std::uint64_t, Bytes> rekeys;
  };
  std::map<Bytes, Group> groups_;
  std::size_t commits_ = 0;
  std::size_t fail_ = 0;
};

}  // namespace mpsec::central
