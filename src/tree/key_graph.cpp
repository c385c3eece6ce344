// Key wrapping and revision, the member's key ring, and the store format's dispatch.
//
//   wrap:   kdf   = the wrapping key as an HMAC key
//           key   = ExpandWithLabel(kdf, "mpsec keygraph wrap key",
//                                   uint32(under_node) || uint32(under_version), AEAD.Nk)
//           nonce = ExpandWithLabel(kdf, "mpsec keygraph wrap nonce",
//                                   uint32(node) || uint32(version), AEAD.Nn)
//           aad   = context || uint32(node) || uint32(version) || uint32(under_node)
//                   || uint32(under_version)
//           ciphertext = AEAD.Seal(key, nonce, aad, wrapped key)
//   revise: new = ExpandWithLabel(old, "mpsec keygraph revise", uint32(node) || uint32(version),
//   Nh)
//           and, mixed with the group key,
//           new = ExpandWithLabel(Extract(salt = old, ikm = group key), "mpsec keygraph revise",
//                                 uint32(node) || uint32(version) || uint32(group key node)
//                                 || uint32(group key version), Nh)
// The group key enters through Extract rather than the KDF context so that it never sits in a
// plain buffer (the suite builds the KDFLabel in ordinary memory).
//
// Nonce uniqueness: a key is wrapped under a given (under_node, under_version) at most once
// per (node, version), and versions only grow; the GCKS commits a rekey to storage before it
// sends it, so a restarted GCKS never seals the same (node, version) twice under one key.
#include "tree/key_graph.hpp"

#include <algorithm>
#include <array>

#include "crypto/aead.hpp"
#include "tree/key_graph_internal.hpp"

namespace mpsec::tree {

namespace {

void put_u32(std::uint8_t* out, std::uint32_t v) {
  out[0] = static_cast<std::uint8_t>(v >> 24);
  out[1] = static_cast<std::uint8_t>(v >> 16);
  out[2] = static_cast<std::uint8_t>(v >> 8);
  out[3] = static_cast<std::uint8_t>(v);
}

std::array<std::uint8_t, 8> two_u32(std::uint32_t a, std::uint32_t b) {
  std::array<std::uint8_t, 8> out{};
  put_u32(out.data(), a);
  put_u32(out.data() + 4, b);
  return out;
}

Bytes wrap_aad(ByteView context, std::uint32_t node, std::uint32_t version,
               std::uint32_t under_node, std::uint32_t under_version) {
  Bytes aad(context.size() + 16);
  std::copy(context.begin(), context.end(), aad.begin());
  std::uint8_t* p = aad.data() + context.size();
  put_u32(p, node);
  put_u32(p + 4, version);
  put_u32(p + 8, under_node);
  put_u32(p + 12, under_version);
  return aad;
}

struct WrapCipher {
  crypto::AeadKey key;
  SecretBytes nonce;
};

Result<WrapCipher> wrap_cipher(const crypto::CipherSuite& suite, std::uint32_t node,
                               std::uint32_t version, std::uint32_t under_node,
                               std::uint32_t under_version, ByteView under_key) {
  MPSEC_ENSURE(under_key.size() == suite.hash_size(), Errc::invalid_key,
               "a graph key must have Nh bytes");
  auto kdf = MPSEC_TRY(suite.kdf_key(under_key));
  auto key_bytes = MPSEC_TRY(suite.expand_with_label(
      kdf, detail::kWrapKeyLabel, two_u32(under_node, under_version), suite.key_size()));
  auto nonce = MPSEC_TRY(suite.expand_with_label(kdf, detail::kWrapNonceLabel,
                                                 two_u32(node, version), suite.nonce_size()));
  auto key = MPSEC_TRY(crypto::AeadKey::create(suite.aead(), key_bytes.view()));
  return WrapCipher{std::move(key), std::move(nonce)};
}

}  // namespace

namespace detail {

void write_header(codec::Writer& w, GraphKind kind, const crypto::CipherSuite& suite,
                  ByteView context) {
  w.u8(kStoreFormat);
  w.u8(static_cast<std::uint8_t>(kind));
  w.u16(suite.code());
  w.opaque(context);
}

Result<SecretBytes> fresh_key(const crypto::CipherSuite& suite, Random& rng) {
  SecretBytes key(suite.hash_size());
  MPSEC_TRY(rng.fill(key.mutable_view()));
  return key;
}

Result<KeyWrap> wrap_raw(const crypto::CipherSuite& suite, ByteView context, std::uint32_t node,
                         std::uint32_t version, ByteView key, std::uint32_t under_node,
                         std::uint32_t under_version, ByteView under_key) {
  MPSEC_ENSURE(key.size() == suite.hash_size(), Errc::invalid_key,
               "a graph key must have Nh bytes");
  auto cipher = MPSEC_TRY(wrap_cipher(suite, node, version, under_node, under_version, under_key));
  const Bytes aad = wrap_aad(context, node, version, under_node, under_version);
  KeyWrap out;
  out.node = node;
  out.version = version;
  out.under_node = under_node;
  out.under_version = under_version;
  out.ciphertext = MPSEC_TRY(cipher.key.seal(cipher.nonce.view(), aad, key));
  return out;
}

Result<SecretBytes> revise_raw(const crypto::CipherSuite& suite, std::uint32_t node,
                               std::uint32_t new_version, ByteView key, const GraphKey* group_key) {
  MPSEC_ENSURE(key.size() == suite.hash_size(), Errc::invalid_key,
               "a graph key must have Nh bytes");
  if (group_key == nullptr)
    return suite.expand_with_label(key, kReviseLabel, two_u32(node, new_version),
                                   suite.hash_size());
  MPSEC_ENSURE(group_key->key.size() == suite.hash_size(), Errc::invalid_key,
               "a graph key must have Nh bytes");
  std::array<std::uint8_t, 16> context{};
  put_u32(context.data(), node);
  put_u32(context.data() + 4, new_version);
  put_u32(context.data() + 8, group_key->node);
  put_u32(context.data() + 12, group_key->version);
  auto mixed = MPSEC_TRY(suite.kdf_extract(key, group_key->key.view()));
  return suite.expand_with_label(mixed.view(), kReviseLabel, context, suite.hash_size());
}

void KeyArena::set(std::size_t i, ByteView key) noexcept {
  std::copy(key.begin(), key.end(), buf_.data() + i * key_size_);
}

void KeyArena::wipe(std::size_t i) noexcept {
  secure_wipe(buf_.data() + i * key_size_, key_size_);
}

void KeyArena::reserve(std::size_t count) {
  if (count * key_size_ <= buf_.size()) return;
  SecretBytes grown(count * key_size_);
  std::copy_n(buf_.data(), count_ * key_size_, grown.data());
  buf_ = std::move(grown);  // the old buffer is wiped as it is released
}

void KeyArena::push_back(ByteView key) {
  if ((count_ + 1) * key_size_ > buf_.size()) reserve(std::max<std::size_t>(16, 2 * count_));
  ++count_;
  set(count_ - 1, key);
}

}  // namespace detail

Result<KeyWrap> wrap_key(const crypto::CipherSuite& suite, ByteView context, const GraphKey& key,
                         const GraphKey& under) {
  return detail::wrap_raw(suite, context, key.node, key.version, key.key.view(), under.node,
                          under.version, under.key.view());
}

Result<GraphKey> unwrap_key(const crypto::CipherSuite& suite, ByteView context, const KeyWrap& wrap,
                            const GraphKey& under) {
  MPSEC_ENSURE(wrap.under_node == under.node && wrap.under_version == under.version,
               Errc::invalid_argument, "the wrap is under another key");
  MPSEC_ENSURE(wrap.ciphertext.size() == suite.hash_size() + crypto::kAeadTagSize,
               Errc::authentication_failed, "wrapped key has the wrong length");
  auto cipher = MPSEC_TRY(wrap_cipher(suite, wrap.node, wrap.version, wrap.under_node,
                                      wrap.under_version, under.key.view()));
  const Bytes aad = wrap_aad(context, wrap.node, wrap.version, wrap.under_node, wrap.under_version);
  auto key = MPSEC_TRY(cipher.key.open_secret(cipher.nonce.view(), aad, wrap.ciphertext));
  GraphKey out;
  out.node = wrap.node;
  out.version = wrap.version;
  out.key = std::move(key);
  return out;
}

Result<GraphKey> revise_key(const crypto::CipherSuite& suite, const GraphKey& key,
                            std::uint32_t new_version, const GraphKey* group_key) {
  MPSEC_ENSURE(key.version != UINT32_MAX && new_version == key.version + 1, Errc::invalid_argument,
               "a revision moves a key exactly one version on");
  auto bytes =
      MPSEC_TRY(detail::revise_raw(suite, key.node, new_version, key.key.view(), group_key));
  GraphKey out;
  out.node = key.node;
  out.version = new_version;
  out.key = std::move(bytes);
  return out;
}

// --- MemberKeyRing ---------------------------------------------------------------------------

MemberKeyRing::MemberKeyRing(const crypto::CipherSuite& suite, Bytes context,
                             std::vector<GraphKey> keys, std::uint32_t group_key_node)
    : suite_(suite),
      context_(std::move(context)),
      keys_(std::move(keys)),
      group_key_node_(group_key_node) {}

Result<const GraphKey*> MemberKeyRing::group_key() const {
  for (const GraphKey& k : keys_)
    if (k.node == group_key_node_) return &k;
  return fail(Errc::not_found, "the group key is not held");
}

Result<bool> MemberKeyRing::apply(const GraphRekey& rekey) {
  // Staged on a copy; swapped in only once the group key of the rekey is held.
  std::vector<GraphKey> next;
  next.reserve(keys_.size() + 4);
  for (const GraphKey& k : keys_)
    next.push_back(GraphKey{k.node, k.version, k.key.clone()});
  auto find = [&next](std::uint32_t node) -> GraphKey* {
    for (GraphKey& k : next)
      if (k.node == node) return &k;
    return nullptr;
  };

  std::uint32_t old_version = 0;
  bool had_group_key = false;
  if (const GraphKey* gk = find(group_key_node_)) {
    had_group_key = true;
    old_version = gk->version;
  }

  auto advance = [&](const KeyRevision& r, const GraphKey* group_key) -> Status {
    GraphKey* held = find(r.node);
    if (held == nullptr || held->version >= r.version) return ok();  // not held, or already
    MPSEC_ENSURE(held->version == r.version - 1, Errc::invalid_state,
                 "a revision skips a version this member does not hold");
    *held = MPSEC_TRY(revise_key(suite_, *held, r.version, group_key));
    return ok();
  };

  // 1. Revisions by the one-way function alone.
  for (const KeyRevision& r : rekey.revisions) {
    MPSEC_ENSURE(r.with_group_key <= 1, Errc::invalid_argument, "with_group_key is not 0 or 1");
    if (r.with_group_key == 0) MPSEC_TRY(advance(r, nullptr));
  }
  // 2. Wraps, in order: each may be under a key an earlier one delivered.
  for (const KeyWrap& w : rekey.wraps) {
    const GraphKey* under = find(w.under_node);
    if (under == nullptr || under->version != w.under_version) continue;
    const GraphKey* target = find(w.node);
    if (target != nullptr && target->version >= w.version) continue;  // never move back
    auto key = MPSEC_TRY(unwrap_key(suite_, context_, w, *under));
    if (GraphKey* slot = find(w.node))
      *slot = std::move(key);
    else
      next.push_back(std::move(key));
  }
  // 3. The group key, then the revisions mixed with it.
  const GraphKey* gk = find(rekey.group_key_node);
  MPSEC_ENSURE(gk != nullptr && gk->version == rekey.group_key_version, Errc::invalid_state,
               "the rekey does not give this member the group key");
  for (const KeyRevision& r : rekey.revisions) {
    if (r.with_group_key == 0) continue;
    MPSEC_ENSURE(r.node != rekey.group_key_node, Errc::invalid_argument,
                 "the group key cannot be revised with itself");
    MPSEC_TRY(advance(r, gk));
  }

  const bool changed = !had_group_key || group_key_node_ != rekey.group_key_node ||
                       old_version != rekey.group_key_version;
  keys_ = std::move(next);
  group_key_node_ = rekey.group_key_node;
  return changed;
}

// --- the store -------------------------------------------------------------------------------

Result<std::unique_ptr<KeyGraph>> decode_key_graph(const crypto::CipherSuite& suite,
                                                   codec::Reader& r) {
  const std::uint8_t format = MPSEC_TRY(r.u8());
  MPSEC_ENSURE(format == detail::kStoreFormat, Errc::unsupported,
               "key graph saved in an unknown store format");
  const std::uint8_t kind = MPSEC_TRY(r.u8());
  const std::uint16_t code = MPSEC_TRY(r.u16());
  MPSEC_ENSURE(code == suite.code(), Errc::invalid_argument,
               "key graph saved under another cipher suite");
  Bytes context = to_bytes(MPSEC_TRY(r.opaque()));
  switch (static_cast<detail::GraphKind>(kind)) {
    case detail::GraphKind::lkh:
      return detail::decode_lkh_tree(suite, std::move(context), r);
    case detail::GraphKind::flat:
      return detail::decode_flat_table(suite, std::move(context), r);
  }
  return fail(Errc::decode_error, "unknown key graph kind");
}

}  // namespace mpsec::tree
