// The centralized flat key table of seed 003 ([0049]-[0057], [0073]-[0079]).
//
// Members have W-bit ids (slots). The GCKS holds 2W + 1 keys:
//   node 0           the group key (TEK)
//   node 1 + 2b + v  the KEK of bit b with value v (b = 0 .. W-1, v = 0 or 1)
// and member x holds W + 1 of them: the TEK and KEK(b, bit_b(x)) for every b.
//
//  - admit: the lowest free id; the TEK and the newcomer's W KEKs move one version on by the
//    one-way function ([0056]; at most once per interval, as the revision flag of [0070]), or
//    to a fresh key when no current member holds them. Ids freed by a removal become free at
//    the rekey, not before: a newcomer on a departed member's id would hold exactly the KEKs
//    that rekey cannot use. Until the rekey, a newcomer admitted after a removal holds keys
//    the departed member can compute (revisions of keys it held); the rekey's fresh TEK and
//    the revisions mixed with it cut the departed member off from both. (Unlike the tree,
//    the table cannot give such a newcomer fresh KEKs: the remaining holders follow a KEK
//    only by revision.)
//  - leave of x ([0073]): a fresh TEK wrapped under KEK(b, not bit_b(x)) for every b (W wraps),
//    and every KEK(b, bit_b(x)) the leaver held revised with the new TEK mixed in
//    (with_group_key = 1): the remaining holders, who read the new TEK, compute it; the leaver
//    cannot.
//  - batch leaves: KEK(b, v) is usable only if no departed member holds it. A remaining
//    member none of whose KEKs is usable is listed in `unreachable` ([0079]): the GCKS sends
//    it its keys over unicast (member_keys()).
//  - refresh without departures: a fresh TEK under KEK(0, 0) and KEK(0, 1).
//
// COLLUSION: this graph does not meet RFC 4046 requirement 10. Members whose ids together
// cover both values of every bit hold all 2W KEKs between them:
//  - ejected together, they leave no usable KEK: every remaining member must be rekeyed over
//    unicast (the `unreachable` list), which costs O(n) messages;
//  - ejected in different intervals, they defeat it outright: after x is ejected, a member y
//    with the complementary id still reads the new TEK, and with it x recomputes its revised
//    KEKs (they are x's old KEKs mixed with that TEK); when y is ejected later, the new TEK is
//    wrapped under exactly those KEKs, and x reads it.
// More generally, any set of past members whose ids cover both values of each bit can read
// every later TEK once one of them is a member at each leave. Use the LKH tree when ejected
// members may collude.
#include <algorithm>
#include <bit>
#include <memory>
#include <set>
#include <vector>

#include "tree/key_graph.hpp"
#include "tree/key_graph_internal.hpp"

namespace mpsec::tree {

namespace {

using crypto::CipherSuite;
using detail::KeyArena;

constexpr std::uint8_t kFresh = 2;         // replaced by a fresh key in this interval
constexpr std::uint8_t kRevised = 4;       // revised by the one-way function in this interval
constexpr std::size_t kSetNodeBytes = 48;  // one std::set<uint32_t> node with malloc overhead

constexpr std::uint32_t kek(std::uint32_t bit, std::uint32_t value) {
  return 1 + 2 * bit + value;
}
constexpr std::uint32_t bit_of(std::uint32_t id, std::uint32_t bit) {
  return (id >> bit) & 1u;
}

class FlatTable final : public KeyGraph {
 public:
  FlatTable(const CipherSuite& suite, Bytes context, std::uint32_t bits)
      : suite_(suite), context_(std::move(context)), bits_(bits), keys_(suite.hash_size()) {}

  static Result<std::unique_ptr<FlatTable>> create(const CipherSuite& suite, Bytes context,
                                                   std::uint32_t bits, Random& rng) {
    auto table = std::make_unique<FlatTable>(suite, std::move(context), bits);
    const std::uint32_t count = 2 * bits + 1;
    table->keys_.reserve(count);
    for (std::uint32_t n = 0; n < count; ++n) {
      auto key = MPSEC_TRY(detail::fresh_key(suite, rng));
      table->keys_.push_back(key.view());
    }
    table->versions_.assign(count, 0);
    table->flags_.assign(count, 0);
    table->holders_.assign(2 * bits, 0);
    return table;
  }

  Result<Admission> admit(Random& rng) override;
  Status remove(std::uint32_t slot) override;
  Result<GraphRekey> rekey(bool refresh, Random& rng) override;
  Result<std::vector<GraphKey>> member_keys(std::uint32_t slot) const override;
  Result<GraphKey> group_key() const override { return key_at(0); }
  std::uint32_t member_count() const noexcept override { return members_; }
  bool has_pending() const noexcept override {
    return !departed_.empty() ||
           std::any_of(flags_.begin(), flags_.end(), [](std::uint8_t f) { return f != 0; });
  }
  std::size_t memory_bytes() const noexcept override;
  void encode(codec::Writer& w) const override;

  static Result<std::unique_ptr<KeyGraph>> decode(const CipherSuite& suite, Bytes context,
                                                  codec::Reader& r);

 private:
  std::uint64_t id_space() const noexcept { return std::uint64_t{1} << bits_; }
  std::uint32_t id_mask() const noexcept { return static_cast<std::uint32_t>(id_space() - 1); }
  bool occupied(std::uint64_t id) const noexcept {
    return id < hwm_ && ((occupied_[id >> 6] >> (id & 63)) & 1u) != 0;
  }
  void set_occupied(std::uint64_t id, bool on) noexcept {
    const std::uint64_t bit = std::uint64_t{1} << (id & 63);
    if (on)
      occupied_[id >> 6] |= bit;
    else
      occupied_[id >> 6] &= ~bit;
  }
  std::uint32_t& holders(std::uint32_t node) noexcept { return holders_[node - 1]; }
  GraphKey key_at(std::uint32_t node) const {
    return GraphKey{node, versions_[node], SecretBytes(keys_.get(node))};
  }
  std::vector<std::uint32_t> unreachable(std::uint32_t or_all, std::uint32_t and_all) const;
  Status rebuild_derived();

  CipherSuite suite_;
  Bytes context_;
  std::uint32_t bits_;
  KeyArena keys_;                        // node n at index n
  std::vector<std::uint32_t> versions_;  // per node
  std::vector<std::uint8_t> flags_;      // per node: kFresh / kRevised in this interval
  std::vector<std::uint32_t> holders_;   // per KEK (node - 1): current members holding it
  std::vector<std::uint64_t> occupied_;  // bitmap of ids below hwm_
  std::uint64_t hwm_ = 0;                // ids 0 .. hwm_ - 1 have been handed out
  std::uint32_t members_ = 0;
  std::set<std::uint32_t> free_;         // ids below hwm_ free for the next admit
  std::vector<std::uint32_t> departed_;  // removed in this interval
};

Result<Admission> FlatTable::admit(Random& rng) {
  std::uint32_t id = 0;
  if (!free_.empty()) {
    id = *free_.begin();
  } else {
    MPSEC_ENSURE(hwm_ < id_space() && members_ < UINT32_MAX, Errc::limit_exceeded,
                 "every member id is in use (ids of removed members are free after the rekey)");
    id = static_cast<std::uint32_t>(hwm_);
  }

  // Stage the revisions, then commit.
  struct Change {
    std::uint32_t node;
    std::uint32_t version;
    std::uint8_t flags;
    SecretBytes key;
  };
  std::vector<Change> changes;
  changes.reserve(bits_ + 1);
  auto stage = [&](std::uint32_t node, bool held) -> Status {
    if ((flags_[node] & (kFresh | kRevised)) != 0) return ok();  // once per interval
    MPSEC_ENSURE(versions_[node] != UINT32_MAX, Errc::limit_exceeded, "key version exhausted");
    Change c{node, versions_[node] + 1, kFresh, {}};
    if (held) {
      c.flags = kRevised;
      c.key = MPSEC_TRY(detail::revise_raw(suite_, node, c.version, keys_.get(node), nullptr));
    } else {
      c.key = MPSEC_TRY(detail::fresh_key(suite_, rng));
    }
    changes.push_back(std::move(c));
    return ok();
  };
  MPSEC_TRY(stage(0, members_ > 0));
  for (std::uint32_t b = 0; b < bits_; ++b) {
    const std::uint32_t n = kek(b, bit_of(id, b));
    MPSEC_TRY(stage(n, holders(n) > 0));
  }

  for (Change& c : changes) {
    keys_.set(c.node, c.key.view());
    versions_[c.node] = c.version;
    flags_[c.node] |= c.flags;
  }
  if (id == hwm_) {
    ++hwm_;
    if (occupied_.size() * 64 < hwm_) occupied_.push_back(0);
  } else {
    free_.erase(id);
  }
  set_occupied(id, true);
  for (std::uint32_t b = 0; b < bits_; ++b)
    ++holders(kek(b, bit_of(id, b)));
  ++members_;

  Admission out;
  out.slot = id;
  out.keys = MPSEC_TRY(member_keys(id));
  return out;
}

Status FlatTable::remove(std::uint32_t slot) {
  MPSEC_ENSURE(occupied(slot), Errc::not_found, "no member with this id");
  set_occupied(slot, false);
  for (std::uint32_t b = 0; b < bits_; ++b)
    --holders(kek(b, bit_of(slot, b)));
  --members_;
  departed_.push_back(slot);
  return ok();
}

std::vector<std::uint32_t> FlatTable::unreachable(std::uint32_t or_all,
                                                  std::uint32_t and_all) const {
  // Member m is reached through bit b iff every departed id has the other value there, i.e.
  // b is a bit all departed ids agree on and m differs on it. Unreachable: m agrees with them
  // on every such bit.
  const std::uint32_t agreed = ~(or_all ^ and_all) & id_mask();
  const std::uint32_t value = and_all & agreed;
  const std::uint32_t open = ~agreed & id_mask();
  std::vector<std::uint32_t> out;
  const int open_bits = std::popcount(open);
  if ((std::uint64_t{1} << open_bits) <= hwm_) {
    // Few candidates: enumerate them (subsets of `open` in increasing order).
    std::uint64_t s = 0;
    do {
      const std::uint64_t m = value | s;
      if (occupied(m)) out.push_back(static_cast<std::uint32_t>(m));
      s = (s - open) & open;
    } while (s != 0);
  } else {
    for (std::size_t w = 0; w < occupied_.size(); ++w) {
      for (std::uint64_t bits = occupied_[w]; bits != 0; bits &= bits - 1) {
        const auto m = static_cast<std::uint32_t>(w * 64 + std::countr_zero(bits));
        if ((m & agreed) == value) out.push_back(m);
      }
    }
  }
  return out;
}

Result<GraphRekey> FlatTable::rekey(bool refresh, Random& rng) {
  const bool leave = !departed_.empty();
  const bool new_tek = leave || refresh;
  std::uint32_t or_all = 0, and_all = id_mask();
  for (std::uint32_t x : departed_) {
    or_all |= x;
    and_all &= x;
  }
  // Whether some departed member holds KEK(b, v).
  auto departed_holds = [&](std::uint32_t b, std::uint32_t v) {
    return leave && (v == 1 ? bit_of(or_all, b) == 1 : bit_of(and_all, b) == 0);
  };

  GraphRekey out;
  out.group_key_node = 0;
  // 1. The joins' revisions (the TEK's only if it stays).
  for (std::uint32_t n = 0; n < versions_.size(); ++n)
    if ((flags_[n] & kRevised) != 0 && !(n == 0 && new_tek))
      out.revisions.push_back(KeyRevision{n, versions_[n], std::uint8_t{0}});

  GraphKey tek;
  std::vector<std::uint32_t> mixed_nodes;
  std::vector<SecretBytes> mixed_keys;
  if (new_tek) {
    // 2. A fresh TEK under every usable KEK that someone holds.
    MPSEC_ENSURE(versions_[0] != UINT32_MAX, Errc::limit_exceeded, "key version exhausted");
    tek.version = versions_[0] + 1;
    tek.key = MPSEC_TRY(detail::fresh_key(suite_, rng));
    const std::uint32_t wrap_bits = leave ? bits_ : 1;  // KEK(0, *) alone reaches everyone
    for (std::uint32_t b = 0; b < wrap_bits; ++b) {
      for (std::uint32_t v = 0; v < 2; ++v) {
        const std::uint32_t n = kek(b, v);
        if (departed_holds(b, v) || holders(n) == 0) continue;
        out.wraps.push_back(MPSEC_TRY(detail::wrap_raw(
            suite_, context_, 0, tek.version, tek.key.view(), n, versions_[n], keys_.get(n))));
      }
    }
    // 3. The KEKs a departed member held, revised with the new TEK.
    for (std::uint32_t b = 0; b < bits_ && leave; ++b) {
      for (std::uint32_t v = 0; v < 2; ++v) {
        if (!departed_holds(b, v)) continue;
        const std::uint32_t n = kek(b, v);
        MPSEC_ENSURE(versions_[n] != UINT32_MAX, Errc::limit_exceeded, "key version exhausted");
        auto key = MPSEC_TRY(detail::revise_raw(suite_, n, versions_[n] + 1, keys_.get(n), &tek));
        mixed_nodes.push_back(n);
        mixed_keys.push_back(std::move(key));
        out.revisions.push_back(KeyRevision{n, versions_[n] + 1, std::uint8_t{1}});
      }
    }
    // 4. Whoever no usable KEK reaches gets its keys over unicast.
    if (leave) out.unreachable = unreachable(or_all, and_all);
  }
  out.group_key_version = new_tek ? tek.version : versions_[0];

  // Commit.
  if (new_tek) {
    keys_.set(0, tek.key.view());
    versions_[0] = tek.version;
  }
  for (std::size_t i = 0; i < mixed_nodes.size(); ++i) {
    keys_.set(mixed_nodes[i], mixed_keys[i].view());
    ++versions_[mixed_nodes[i]];
  }
  std::fill(flags_.begin(), flags_.end(), 0);
  free_.insert(departed_.begin(), departed_.end());
  departed_.clear();
  return out;
}

Result<std::vector<GraphKey>> FlatTable::member_keys(std::uint32_t slot) const {
  MPSEC_ENSURE(occupied(slot), Errc::not_found, "no member with this id");
  std::vector<GraphKey> keys;
  keys.reserve(bits_ + 1);
  keys.push_back(key_at(0));
  for (std::uint32_t b = 0; b < bits_; ++b)
    keys.push_back(key_at(kek(b, bit_of(slot, b))));
  return keys;
}

std::size_t FlatTable::memory_bytes() const noexcept {
  return sizeof(*this) + context_.capacity() + keys_.memory_bytes() +
         versions_.capacity() * sizeof(std::uint32_t) + flags_.capacity() +
         holders_.capacity() * sizeof(std::uint32_t) +
         occupied_.capacity() * sizeof(std::uint64_t) + free_.size() * kSetNodeBytes +
         departed_.capacity() * sizeof(std::uint32_t);
}

// select (kind) { case flat:
//   uint8 id_bits; Node nodes[2 * id_bits + 1]; uint64 ids_used;
//   opaque occupied[(ids_used + 7) / 8];    (id i is bit i % 8 of byte i / 8)
//   uint32 departed_count; uint32 departed[departed_count];
// }  with  struct { uint32 version; uint8 flags; opaque key[Nh]; } Node;
// Holder counts, the member count and the free ids are recomputed on load.
void FlatTable::encode(codec::Writer& w) const {
  detail::write_header(w, detail::GraphKind::flat, suite_, context_);
  w.u8(static_cast<std::uint8_t>(bits_));
  for (std::size_t n = 0; n < versions_.size(); ++n) {
    w.u32(versions_[n]);
    w.u8(flags_[n]);
    w.raw(keys_.get(n));
  }
  w.u64(hwm_);
  for (std::uint64_t i = 0; i < (hwm_ + 7) / 8; ++i)
    w.u8(static_cast<std::uint8_t>(occupied_[i / 8] >> (8 * (i % 8))));
  w.u32(static_cast<std::uint32_t>(departed_.size()));
  for (std::uint32_t x : departed_)
    w.u32(x);
}

Status FlatTable::rebuild_derived() {
  std::fill(holders_.begin(), holders_.end(), 0);
  std::uint64_t members = 0;
  free_.clear();
  std::vector<std::uint32_t> departed = departed_;
  std::sort(departed.begin(), departed.end());
  for (std::uint64_t id = 0; id < hwm_; ++id) {
    const auto x = static_cast<std::uint32_t>(id);
    if (!occupied(id)) {
      if (!std::binary_search(departed.begin(), departed.end(), x)) free_.insert(free_.end(), x);
      continue;
    }
    ++members;
    for (std::uint32_t b = 0; b < bits_; ++b)
      ++holders(kek(b, bit_of(x, b)));
  }
  MPSEC_ENSURE(members < UINT32_MAX, Errc::decode_error, "too many members");
  members_ = static_cast<std::uint32_t>(members);
  return ok();
}

Result<std::unique_ptr<KeyGraph>> FlatTable::decode(const CipherSuite& suite, Bytes context,
                                                    codec::Reader& r) {
  const std::uint8_t bits = MPSEC_TRY(r.u8());
  MPSEC_ENSURE(bits >= 1 && bits <= 32, Errc::decode_error, "flat table id bits out of range");
  auto table = std::make_unique<FlatTable>(suite, std::move(context), bits);
  const std::uint32_t count = 2u * bits + 1;
  const std::size_t nh = suite.hash_size();
  table->keys_.reserve(count);
  for (std::uint32_t n = 0; n < count; ++n) {
    const std::uint32_t version = MPSEC_TRY(r.u32());
    const std::uint8_t flags = MPSEC_TRY(r.u8());
    MPSEC_ENSURE(flags == 0 || flags == kFresh || flags == kRevised, Errc::decode_error,
                 "invalid flat table key flags");
    const ByteView key = MPSEC_TRY(r.raw(nh));
    table->keys_.push_back(key);
    table->versions_.push_back(version);
    table->flags_.push_back(flags);
  }
  table->holders_.assign(2u * bits, 0);

  table->hwm_ = MPSEC_TRY(r.u64());
  MPSEC_ENSURE(table->hwm_ <= table->id_space(), Errc::decode_error,
               "more ids used than the table has");
  const std::uint64_t map_bytes = (table->hwm_ + 7) / 8;
  MPSEC_ENSURE(map_bytes <= r.remaining(), Errc::decode_error, "flat table truncated");
  const ByteView map = MPSEC_TRY(r.raw(static_cast<std::size_t>(map_bytes)));
  table->occupied_.assign(static_cast<std::size_t>((table->hwm_ + 63) / 64), 0);
  for (std::size_t i = 0; i < map.size(); ++i)
    table->occupied_[i / 8] |= std::uint64_t{map[i]} << (8 * (i % 8));
  if (table->hwm_ % 8 != 0)
    MPSEC_ENSURE((map.back() >> (table->hwm_ % 8)) == 0, Errc::decode_error,
                 "occupancy bits set beyond the ids used");

  const std::uint32_t departed = MPSEC_TRY(r.u32());
  MPSEC_ENSURE(departed <= r.remaining() / 4, Errc::decode_error, "flat table truncated");
  for (std::uint32_t i = 0; i < departed; ++i) {
    const std::uint32_t x = MPSEC_TRY(r.u32());
    MPSEC_ENSURE(x < table->hwm_ && !table->occupied(x), Errc::decode_error,
                 "departed id is not a freed id");
    table->departed_.push_back(x);
  }
  std::vector<std::uint32_t> sorted = table->departed_;
  std::sort(sorted.begin(), sorted.end());
  MPSEC_ENSURE(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(), Errc::decode_error,
               "departed id listed twice");
  MPSEC_TRY(table->rebuild_derived());
  return std::unique_ptr<KeyGraph>(std::move(table));
}

}  // namespace

namespace detail {
Result<std::unique_ptr<KeyGraph>> decode_flat_table(const CipherSuite& suite, Bytes context,
                                                    codec::Reader& r) {
  return FlatTable::decode(suite, std::move(context), r);
}
}  // namespace detail

Result<std::unique_ptr<KeyGraph>> make_flat_table(const CipherSuite& suite, Bytes context,
                                                  std::uint32_t id_bits, Random& rng) {
  MPSEC_ENSURE(id_bits >= 1 && id_bits <= 32, Errc::invalid_argument,
               "flat table id bits must be between 1 and 32");
  auto table = MPSEC_TRY(FlatTable::create(suite, std::move(context), id_bits, rng));
  return std::unique_ptr<KeyGraph>(std::move(table));
}

}  // namespace mpsec::tree
