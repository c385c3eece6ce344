// DataSA::unprotect, the receive function of the record protocol, for a fixed two-member
// group (deterministic keys, signatures on). Three ways in, on a fresh receiver each time:
//
//  1. the input as a message: it must fail unless it is exactly the genuine message;
//  2. the genuine message with one byte changed (input[0] picks the position, input[1] the
//     xor mask; further byte pairs change more bytes): only the unchanged message may pass;
//  3. an insider's message: the input encrypted as the content body under the group's real
//     keys, so the code after decryption (content body, auth data, padding, length
//     prefix, decompression) sees arbitrary plaintext. It may succeed, but within policy.
#include <cstdint>
#include <cstdlib>
#include <optional>

#include "crypto/test_random.hpp"
#include "record/data_sa.hpp"
#include "record/private_message.hpp"
#include "schedule/group_context.hpp"

namespace {

using namespace mpsec;
using namespace mpsec::record;

constexpr std::uint32_t kLeaves = 2;
constexpr std::size_t kMaxPlaintext = std::size_t{1} << 16;

void check(bool ok) {
  if (!ok) std::abort();
}

struct Group {
  crypto::CipherSuite suite = *crypto::CipherSuite::from_code(1);
  Bytes group_id = {'g', 'r', 'o', 'u', 'p'};
  std::vector<crypto::SigningKey> keys;
  Instant t0{};
  Bytes genuine;

  Group() {
    crypto::SeededRandom rng(42);
    for (std::uint32_t i = 0; i < kLeaves; ++i)
      keys.push_back(*crypto::SigningKey::generate(suite.sig(), rng));
    auto alice = member(0, signed_policy());
    genuine = *alice.protect(as_bytes("genuine"), as_bytes("ad"), rng);
  }

  schedule::EpochSecret epoch_secret() const {
    SecretBytes s(suite.hash_size());
    for (std::size_t i = 0; i < s.size(); ++i)
      s.data()[i] = static_cast<std::uint8_t>(i);
    return schedule::EpochSecret(std::move(s));
  }
  Bytes group_context() const {
    schedule::GroupContext gc;
    gc.cipher_suite = suite.code();
    gc.group_id = group_id;
    gc.tree_hash = Bytes(32, 0x01);
    return *codec::encode(gc);
  }
  static DataPolicy signed_policy() {
    DataPolicy p;
    p.sign = true;
    p.max_plaintext = kMaxPlaintext;
    return p;
  }
  DataSA member(std::uint32_t leaf, const DataPolicy& policy) const {
    Roster roster;
    for (const auto& k : keys)
      roster.push_back(k.verify_key());
    return *DataSA::create(
        suite, group_id, tree::LeafIndex(leaf), keys[leaf], policy,
        EpochInput{0, epoch_secret(), group_context(), tree::LeafCount(kLeaves), std::move(roster)},
        t0);
  }

  // What a member holding the epoch's keys can send: `body` as the content body (it should
  // be application_data<V>, but need not be), an unsigned auth, `padding` zero bytes.
  Bytes insider_message(ByteView body, std::size_t padding) const {
    auto sd = *suite.derive_secret(epoch_secret().view(), "sender data");
    auto enc = *suite.derive_secret(epoch_secret().view(), "encryption");
    auto sender_data = *suite.kdf_key(sd.view());
    schedule::SecretTree tree(suite, schedule::EncryptionSecret(std::move(enc)),
                              tree::LeafCount(kLeaves));
    const FramedContentAuthData auth;
    const ByteView parts[] = {body};
    crypto::SeededRandom rng(7);
    return *protect_private(
        {suite, sender_data}, tree,
        PrivateContent{group_id, 0, 0, ContentType::application, {}, parts, &auth}, padding, rng);
  }
};

const Group& group() {
  static const Group g;
  return g;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Group& g = group();
  const ByteView input(data, size);

  // 1. Arbitrary bytes as a message.
  {
    auto bob = g.member(1, Group::signed_policy());
    auto got = bob.unprotect(input, g.t0);
    check(!got || equal(input, g.genuine));
  }

  // 2. The genuine message, mutated.
  if (size >= 2) {
    Bytes mutated = g.genuine;
    for (std::size_t i = 0; i + 1 < size; i += 2)
      mutated[data[i] % mutated.size()] ^= data[i + 1];
    auto bob = g.member(1, Group::signed_policy());
    auto got = bob.unprotect(mutated, g.t0);
    if (equal(mutated, g.genuine)) {
      // The harness works: the genuine message is accepted, once.
      check(got.has_value() && equal(got->plaintext, as_bytes("genuine")));
      check(!bob.unprotect(mutated, g.t0).has_value());
    } else {
      check(!got.has_value());
    }
  }

  // 3. An insider's message around arbitrary plaintext, to receivers without signatures
  // (with and without compression): it decrypts, so the parsing after decryption runs.
  if (size >= 1) {
    const std::size_t padding = data[0] & 0x0f;
    const Bytes message = g.insider_message(input.subspan(1), padding);
    for (bool compress : {false, true}) {
      DataPolicy policy;
      policy.compress = compress;
      policy.max_plaintext = kMaxPlaintext;
      auto bob = g.member(1, policy);
      auto got = bob.unprotect(message, g.t0);
      if (!got) continue;
      check(got->sender == tree::LeafIndex(0) && got->generation == 0 && got->epoch == 0);
      check(got->plaintext.size() <= kMaxPlaintext);
      // Accepted once: the key is gone.
      check(!bob.unprotect(message, g.t0).has_value());
    }
  }
  return 0;
}
