/* The LKH key tree (RFC 2627 §5.4, "logical key hierarchy") of degree d = 2, 4 or 8.

                         (2,0)  group key, root level = depth
                 .---------+---------.
              (1,0)              (1,1)      key-encryption keys
             /     \            /     \
          (0,0)  (0,1)      (0,2)  (0,3)    leaf keys, one per member slot
*/
//
// A node is (level, index): the leaf of slot s is (0, s), its ancestor at level L is
// (L, s / d^L). The id on the wire is level << 27 | index, so ids never change when the tree
// grows: a full tree grows by one level, the old root becoming child 0 of a new root. The
// group key node therefore moves on growth; every rekey names it (group_key_node).
//
// Storage: per level, one KeyArena of Nh-byte keys, a version and a flags byte per node, and
// per internal node the number of members below it. Only nodes up to the highest slot ever
// used exist (leaves are handed out lowest-first), so a tree of n members holds about
// n * d / (d - 1) keys whatever its capacity.
//
// Changes within an interval (between two rekeys):
//  - admit: the newcomer's leaf gets a fresh key; each ancestor not yet changed in this
//    interval is revised by the one-way function (its holders follow the revision in the next
//    rekey) or, when no current member holds it or a departed member knew it, replaced by a
//    fresh key outright (the next rekey replaces a departed member's keys for everyone anyway,
//    so a departed member never learns a key a newcomer receives). A key changes at most once
//    per interval, or once since the last departure below it (seed 003 [0070]: the revision
//    is a flag set by joins), so newcomers of one interval share versions, and none of them
//    holds a version that existed at the start of its interval (backward secrecy with the
//    rekey interval as its unit, as in batch rekeying).
//  - remove: the leaf is freed (and may be reused at once: its next key is fresh) and every
//    ancestor is marked for replacement; what changed in the interval before the departure
//    no longer counts as changed.
//  - growth: the new root is fresh and marked for replacement, so that the rekey gives it to
//    the members under the old root.
// rekey() replaces every marked node bottom-up with a fresh key, wrapped under the current
// key of each child that has members (the child's new key when it was itself replaced; never
// a freed leaf's key). A single leave in a full tree of depth D costs d*D - 1 wraps (RFC 2627
// §5.4.1: the sum of the degrees of the replaced nodes, minus the departed leaf).
#include <algorithm>
#include <bit>
#include <memory>
#include <vector>

#include "tree/key_graph.hpp"
#include "tree/key_graph_internal.hpp"

namespace mpsec::tree {

namespace {

using crypto::CipherSuite;
using detail::KeyArena;

constexpr std::uint32_t kIndexBits = 27;
constexpr std::uint32_t kIndexMask = (1u << kIndexBits) - 1;

// Node flags. kOccupied persists; the others describe the current interval only.
constexpr std::uint8_t kOccupied = 1;  // a leaf whose slot holds a member
constexpr std::uint8_t kFresh = 2;     // fresh key in this interval, after any departure below
constexpr std::uint8_t kRevised = 4;   // revised in this interval, no departure below since
constexpr std::uint8_t kReplace = 8;   // known to a departed member: fresh key at the next rekey
constexpr std::uint8_t kIntervalFlags = kFresh | kRevised | kReplace;

constexpr std::uint32_t node_id(std::uint32_t level, std::uint32_t index) {
  return level << kIndexBits | index;
}
constexpr std::uint32_t level_of(std::uint32_t id) {
  return id >> kIndexBits;
}
constexpr std::uint32_t index_of(std::uint32_t id) {
  return id & kIndexMask;
}

// The deepest tree whose leaves fit in the 27-bit index.
std::uint32_t max_depth(std::uint32_t log_degree) {
  return kIndexBits / log_degree;
}

struct Level {
  explicit Level(std::size_t key_size) : keys(key_size) {}
  KeyArena keys;
  std::vector<std::uint32_t> versions;
  std::vector<std::uint8_t> flags;
  std::vector<std::uint32_t> counts;  // members below each node; unused on the leaf level

  std::size_t size() const noexcept { return versions.size(); }
  void push_back(ByteView key, std::uint32_t version, std::uint8_t flag, bool internal) {
    keys.push_back(key);
    versions.push_back(version);
    flags.push_back(flag);
    if (internal) counts.push_back(0);
  }
  std::size_t memory_bytes() const noexcept {
    return keys.memory_bytes() + versions.capacity() * sizeof(std::uint32_t) + flags.capacity() +
           counts.capacity() * sizeof(std::uint32_t);
  }
};

class LkhTree final : public KeyGraph {
 public:
  LkhTree(const CipherSuite& suite, Bytes context, std::uint32_t degree)
      : suite_(suite),
        context_(std::move(context)),
        degree_(degree),
        log_degree_(static_cast<std::uint32_t>(std::countr_zero(degree))) {}

  // An empty tree of depth 1: a root with d free leaf slots.
  static Result<std::unique_ptr<LkhTree>> create(const CipherSuite& suite, Bytes context,
                                                 std::uint32_t degree, Random& rng) {
    auto root = MPSEC_TRY(detail::fresh_key(suite, rng));
    auto tree = std::make_unique<LkhTree>(suite, std::move(context), degree);
    tree->depth_ = 1;
    tree->levels_.emplace_back(suite.hash_size());
    tree->levels_.emplace_back(suite.hash_size());
    tree->levels_[1].push_back(root.view(), 0, 0, true);
    return tree;
  }

  Result<Admission> admit(Random& rng) override;
  Status remove(std::uint32_t slot) override;
  Result<GraphRekey> rekey(bool refresh, Random& rng) override;
  Result<std::vector<GraphKey>> member_keys(std::uint32_t slot) const override;
  Result<GraphKey> group_key() const override { return key_at(depth_, 0); }
  std::uint32_t member_count() const noexcept override { return members_; }
  bool has_pending() const noexcept override { return !touched_.empty(); }
  std::size_t memory_bytes() const noexcept override;
  void encode(codec::Writer& w) const override;

  static Result<std::unique_ptr<KeyGraph>> decode(const CipherSuite& suite, Bytes context,
                                                  codec::Reader& r);

 private:
  std::uint32_t shift(std::uint32_t level) const noexcept { return level * log_degree_; }
  std::uint64_t capacity() const noexcept { return std::uint64_t{1} << shift(depth_); }
  bool occupied(std::uint32_t leaf) const noexcept {
    return leaf < hwm_ && (levels_[0].flags[leaf] & kOccupied) != 0;
  }
  bool has_members(std::uint32_t level, std::uint32_t index) const noexcept {
    return level == 0 ? occupied(index) : levels_[level].counts[index] > 0;
  }
  GraphKey key_at(std::uint32_t level, std::uint32_t index) const {
    return GraphKey{node_id(level, index), levels_[level].versions[index],
                    SecretBytes(levels_[level].keys.get(index))};
  }
  void touch(std::uint32_t level, std::uint32_t index, std::uint8_t flags) {
    std::uint8_t& f = levels_[level].flags[index];
    if ((f & kIntervalFlags) == 0 && (flags & kIntervalFlags) != 0)
      touched_.push_back(node_id(level, index));
    f |= flags;
  }
  std::uint32_t lowest_free_leaf() const;
  // Expected node count of a level for the current depth and high-water mark.
  std::uint32_t expected_size(std::uint32_t level) const noexcept {
    if (level == depth_) return 1;
    const std::uint64_t span = std::uint64_t{1} << shift(level);
    return static_cast<std::uint32_t>((hwm_ + span - 1) / span);
  }
  Status rebuild_derived();

  CipherSuite suite_;
  Bytes context_;
  std::uint32_t degree_;
  std::uint32_t log_degree_;
  std::uint32_t depth_ = 0;             // root level
  std::uint32_t hwm_ = 0;               // leaves that exist: slots 0 .. hwm_ - 1
  std::uint32_t members_ = 0;           // occupied leaves
  std::vector<Level> levels_;           // levels_[0] are the leaves, levels_[depth_] the root
  std::vector<std::uint32_t> touched_;  // nodes with interval flags set, in no order
};

std::uint32_t LkhTree::lowest_free_leaf() const {
  // Descend from the root into the first child with a free leaf below it.
  std::uint32_t level = depth_, index = 0;
  while (level > 0) {
    const std::uint32_t child_level = level - 1;
    const std::uint64_t span = std::uint64_t{1} << shift(child_level);
    const std::uint32_t first = index << log_degree_;
    const std::uint32_t end = std::min<std::uint32_t>(
        first + degree_, static_cast<std::uint32_t>(levels_[child_level].size()));
    bool found = false;
    for (std::uint32_t c = first; c < end && !found; ++c) {
      if (child_level == 0) {
        if (!occupied(c)) return c;
        continue;
      }
      const std::uint64_t leaves = std::min<std::uint64_t>(hwm_, (c + 1) * span) - c * span;
      if (levels_[child_level].counts[c] < leaves) {
        level = child_level;
        index = c;
        found = true;
      }
    }
    if (!found) break;
  }
  return hwm_;  // unreachable while members_ < hwm_
}

Result<Admission> LkhTree::admit(Random& rng) {
  // 1. Where: the lowest free slot, else a new one, else a new one under a new root.
  std::uint32_t leaf = 0;
  bool grow = false;
  if (members_ < hwm_) {
    leaf = lowest_free_leaf();
    MPSEC_ENSURE(leaf < hwm_ && !occupied(leaf), Errc::internal, "free slot count is wrong");
  } else {
    if (hwm_ >= capacity()) {
      MPSEC_ENSURE(depth_ < max_depth(log_degree_), Errc::limit_exceeded,
                   "the key tree cannot grow further");
      grow = true;
    }
    leaf = hwm_;
  }
  const std::uint32_t depth = depth_ + (grow ? 1 : 0);

  // 2. Stage every key change; nothing is modified until all keys are computed.
  struct Change {
    std::uint32_t level;
    std::uint32_t index;
    bool append;
    std::uint32_t version;
    std::uint8_t flags;
    SecretBytes key;  // empty: the node keeps its key
  };
  std::vector<Change> changes;
  changes.reserve(depth + 1);
  for (std::uint32_t level = 0; level <= depth; ++level) {
    const std::uint32_t index = leaf >> shift(level);
    Change c{level, index, false, 0, kFresh, {}};
    const bool exists = level < levels_.size() && index < levels_[level].size();
    if (!exists) {
      c.append = true;
      if (grow && level == depth) c.flags |= kReplace;  // the members below the old root
      c.key = MPSEC_TRY(detail::fresh_key(suite_, rng));
    } else {
      const Level& lv = levels_[level];
      const std::uint8_t f = lv.flags[index];
      const std::uint32_t v = lv.versions[index];
      if (level > 0 && (f & (kFresh | kRevised)) != 0) {
        c.flags = 0;  // already changed in this interval: shared with its newcomers
      } else {
        MPSEC_ENSURE(v != UINT32_MAX, Errc::limit_exceeded, "key version exhausted");
        c.version = v + 1;
        if (level == 0 || (f & kReplace) != 0 || lv.counts[index] == 0) {
          c.key = MPSEC_TRY(detail::fresh_key(suite_, rng));
        } else {
          c.flags = kRevised;
          c.key = MPSEC_TRY(detail::revise_raw(suite_, node_id(level, index), c.version,
                                               lv.keys.get(index), nullptr));
        }
      }
    }
    changes.push_back(std::move(c));
  }

  // 3. Commit.
  if (grow) {
    levels_.emplace_back(suite_.hash_size());
    depth_ = depth;
  }
  for (Change& c : changes) {
    Level& lv = levels_[c.level];
    if (c.append) {
      lv.push_back(c.key.view(), c.version, 0, c.level > 0);
      if (grow && c.level == depth) lv.counts[c.index] = members_;
    } else if (!c.key.empty()) {
      lv.keys.set(c.index, c.key.view());
      lv.versions[c.index] = c.version;
    }
    touch(c.level, c.index, c.flags);
    if (c.level == 0)
      lv.flags[c.index] |= kOccupied;
    else
      ++lv.counts[c.index];
  }
  hwm_ = std::max(hwm_, leaf + 1);
  ++members_;

  Admission out;
  out.slot = leaf;
  out.keys = MPSEC_TRY(member_keys(leaf));
  return out;
}

Status LkhTree::remove(std::uint32_t slot) {
  MPSEC_ENSURE(occupied(slot), Errc::not_found, "no member in this slot");
  levels_[0].flags[slot] &= static_cast<std::uint8_t>(~kOccupied);
  levels_[0].keys.wipe(slot);
  for (std::uint32_t level = 1; level <= depth_; ++level) {
    const std::uint32_t index = slot >> shift(level);
    --levels_[level].counts[index];
    touch(level, index, kReplace);
    // The departed member knew the version this interval made: the next admit makes another.
    levels_[level].flags[index] &= static_cast<std::uint8_t>(~(kFresh | kRevised));
  }
  --members_;
  return ok();
}

Result<GraphRekey> LkhTree::rekey(bool refresh, Random& rng) {
  const std::uint32_t root = node_id(depth_, 0);
  std::vector<std::uint32_t> touched = touched_;
  std::sort(touched.begin(), touched.end());  // level-major: bottom-up
  auto flags_of = [this](std::uint32_t id) { return levels_[level_of(id)].flags[index_of(id)]; };

  std::vector<std::uint32_t> replaced;
  for (std::uint32_t id : touched)
    if ((flags_of(id) & kReplace) != 0) replaced.push_back(id);
  const bool root_replaced = (flags_of(root) & kReplace) != 0 || refresh;
  if (root_replaced && (replaced.empty() || replaced.back() != root)) replaced.push_back(root);

  // Fresh keys, bottom-up, each wrapped under its children's keys as they will be.
  std::vector<SecretBytes> staged(replaced.size());
  std::vector<std::uint32_t> staged_versions(replaced.size());
  GraphRekey out;
  for (std::size_t j = 0; j < replaced.size(); ++j) {
    const std::uint32_t id = replaced[j];
    const std::uint32_t level = level_of(id), index = index_of(id);
    const Level& lv = levels_[level];
    MPSEC_ENSURE(lv.versions[index] != UINT32_MAX, Errc::limit_exceeded, "key version exhausted");
    staged_versions[j] = lv.versions[index] + 1;
    staged[j] = MPSEC_TRY(detail::fresh_key(suite_, rng));
    if (lv.counts[index] == 0) continue;  // nobody below: nothing to send

    const std::uint32_t child_level = level - 1;
    const Level& below = levels_[child_level];
    const std::uint32_t first = index << log_degree_;
    const std::uint32_t end =
        std::min<std::uint32_t>(first + degree_, static_cast<std::uint32_t>(below.size()));
    for (std::uint32_t c = first; c < end; ++c) {
      if (!has_members(child_level, c)) continue;  // includes every freed leaf
      const std::uint32_t child = node_id(child_level, c);
      ByteView under = below.keys.get(c);
      std::uint32_t under_version = below.versions[c];
      if ((below.flags[c] & kReplace) != 0) {
        const auto k = static_cast<std::size_t>(
            std::lower_bound(replaced.begin(), replaced.begin() + static_cast<std::ptrdiff_t>(j),
                             child) -
            replaced.begin());
        MPSEC_ENSURE(k < j && replaced[k] == child, Errc::internal, "child replaced out of order");
        under = staged[k].view();
        under_version = staged_versions[k];
      }
      out.wraps.push_back(
          MPSEC_TRY(detail::wrap_raw(suite_, context_, id, staged_versions[j], staged[j].view(),
                                     child, under_version, under)));
    }
  }
  for (std::uint32_t id : touched) {
    const std::uint8_t f = flags_of(id);
    if ((f & kRevised) != 0 && (f & kReplace) == 0 && !(id == root && root_replaced))
      out.revisions.push_back(
          KeyRevision{id, levels_[level_of(id)].versions[index_of(id)], std::uint8_t{0}});
  }
  out.group_key_node = root;
  out.group_key_version = root_replaced ? staged_versions.back() : levels_[depth_].versions[0];

  // Commit.
  for (std::size_t j = 0; j < replaced.size(); ++j) {
    Level& lv = levels_[level_of(replaced[j])];
    lv.keys.set(index_of(replaced[j]), staged[j].view());
    lv.versions[index_of(replaced[j])] = staged_versions[j];
  }
  for (std::uint32_t id : touched_)
    levels_[level_of(id)].flags[index_of(id)] &= static_cast<std::uint8_t>(~kIntervalFlags);
  touched_.clear();
  return out;
}

Result<std::vector<GraphKey>> LkhTree::member_keys(std::uint32_t slot) const {
  MPSEC_ENSURE(occupied(slot), Errc::not_found, "no member in this slot");
  std::vector<GraphKey> keys;
  keys.reserve(depth_ + 1);
  for (std::uint32_t level = 0; level <= depth_; ++level)
    keys.push_back(key_at(level, slot >> shift(level)));
  return keys;
}

std::size_t LkhTree::memory_bytes() const noexcept {
  std::size_t total = sizeof(*this) + context_.capacity() + levels_.capacity() * sizeof(Level) +
                      touched_.capacity() * sizeof(std::uint32_t);
  for (const Level& lv : levels_)
    total += lv.memory_bytes();
  return total;
}

// select (kind) { case lkh:
//   uint8 degree; uint8 depth; uint32 slots;
//   struct { uint32 count; Node nodes[count]; } levels[depth + 1];   (leaves first)
// }  with  struct { uint32 version; uint8 flags; opaque key[Nh]; } Node;
// Member counts, the member count and the interval's touched list are recomputed on load.
void LkhTree::encode(codec::Writer& w) const {
  detail::write_header(w, detail::GraphKind::lkh, suite_, context_);
  w.u8(static_cast<std::uint8_t>(degree_));
  w.u8(static_cast<std::uint8_t>(depth_));
  w.u32(hwm_);
  for (const Level& lv : levels_) {
    w.u32(static_cast<std::uint32_t>(lv.size()));
    for (std::size_t i = 0; i < lv.size(); ++i) {
      w.u32(lv.versions[i]);
      w.u8(lv.flags[i]);
      w.raw(lv.keys.get(i));
    }
  }
}

Status LkhTree::rebuild_derived() {
  members_ = 0;
  touched_.clear();
  for (std::uint32_t level = 1; level <= depth_; ++level)
    std::fill(levels_[level].counts.begin(), levels_[level].counts.end(), 0);
  for (std::uint32_t leaf = 0; leaf < hwm_; ++leaf) {
    if (!occupied(leaf)) continue;
    ++members_;
    for (std::uint32_t level = 1; level <= depth_; ++level)
      ++levels_[level].counts[leaf >> shift(level)];
  }
  for (std::uint32_t level = 0; level <= depth_; ++level)
    for (std::uint32_t i = 0; i < levels_[level].size(); ++i)
      if ((levels_[level].flags[i] & kIntervalFlags) != 0) touched_.push_back(node_id(level, i));
  return ok();
}

Result<std::unique_ptr<KeyGraph>> LkhTree::decode(const CipherSuite& suite, Bytes context,
                                                  codec::Reader& r) {
  const std::uint8_t degree = MPSEC_TRY(r.u8());
  MPSEC_ENSURE(degree == 2 || degree == 4 || degree == 8, Errc::decode_error,
               "key tree degree is not 2, 4 or 8");
  auto tree = std::make_unique<LkhTree>(suite, std::move(context), degree);
  const std::uint8_t depth = MPSEC_TRY(r.u8());
  MPSEC_ENSURE(depth >= 1 && depth <= max_depth(tree->log_degree_), Errc::decode_error,
               "key tree depth out of range");
  tree->depth_ = depth;
  tree->hwm_ = MPSEC_TRY(r.u32());
  MPSEC_ENSURE(tree->hwm_ <= tree->capacity(), Errc::decode_error,
               "more slots than the tree holds");
  const std::size_t nh = suite.hash_size();
  for (std::uint32_t level = 0; level <= depth; ++level) {
    const std::uint32_t count = MPSEC_TRY(r.u32());
    MPSEC_ENSURE(count == tree->expected_size(level), Errc::decode_error,
                 "key tree level has the wrong number of nodes");
    MPSEC_ENSURE(r.remaining() / (5 + nh) >= count, Errc::decode_error, "key tree truncated");
    const std::uint8_t allowed = level == 0 ? (kOccupied | kFresh) : (kFresh | kRevised | kReplace);
    Level& lv = tree->levels_.emplace_back(nh);
    lv.keys.reserve(count);
    lv.versions.reserve(count);
    lv.flags.reserve(count);
    if (level > 0) lv.counts.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
      const std::uint32_t version = MPSEC_TRY(r.u32());
      const std::uint8_t flags = MPSEC_TRY(r.u8());
      MPSEC_ENSURE((flags & ~allowed) == 0 &&
                       (flags & (kFresh | kRevised)) != (kFresh | kRevised) &&
                       (flags & (kRevised | kReplace)) != (kRevised | kReplace),
                   Errc::decode_error, "invalid key tree node flags");
      const ByteView key = MPSEC_TRY(r.raw(nh));
      lv.push_back(key, version, flags, level > 0);
    }
  }
  MPSEC_TRY(tree->rebuild_derived());
  return std::unique_ptr<KeyGraph>(std::move(tree));
}

}  // namespace

namespace detail {
Result<std::unique_ptr<KeyGraph>> decode_lkh_tree(const CipherSuite& suite, Bytes context,
                                                  codec::Reader& r) {
  return LkhTree::decode(suite, std::move(context), r);
}
}  // namespace detail

Result<std::unique_ptr<KeyGraph>> make_lkh_tree(const CipherSuite& suite, Bytes context,
                                                std::uint32_t degree, Random& rng) {
  MPSEC_ENSURE(degree == 2 || degree == 4 || degree == 8, Errc::invalid_argument,
               "key tree degree must be 2, 4 or 8");
  auto tree = MPSEC_TRY(LkhTree::create(suite, std::move(context), degree, rng));
  return std::unique_ptr<KeyGraph>(std::move(tree));
}

}  // namespace mpsec::tree
