#include "record/data_sa.hpp"

#include "codec/varint.hpp"
#include "record/compression.hpp"
#include "record/message_protection.hpp"
#include "schedule/key_schedule.hpp"

namespace mpsec::record {

Result<DataSA::Epoch> DataSA::make_epoch(EpochInput input) const {
  MPSEC_ENSURE(input.leaves.value > 0 && input.roster.size() <= input.leaves.value,
               Errc::invalid_argument, "roster larger than the tree");
  MPSEC_ENSURE(own_leaf_.value < input.leaves.value, Errc::invalid_argument,
               "own leaf outside the tree");
  auto sender_data = MPSEC_TRY(suite_.derive_secret(input.epoch_secret.view(), "sender data"));
  auto encryption = MPSEC_TRY(suite_.derive_secret(input.epoch_secret.view(), "encryption"));
  return Epoch{input.epoch,
               schedule::SenderDataSecret(std::move(sender_data)),
               schedule::SecretTree(suite_, schedule::EncryptionSecret(std::move(encryption)),
                                    input.leaves, policy_.ratchet),
               std::move(input.group_context),
               std::move(input.roster),
               std::nullopt};
}

Result<DataSA> DataSA::create(const crypto::CipherSuite& suite, Bytes group_id,
                              tree::LeafIndex own_leaf, std::optional<crypto::SigningKey> own_key,
                              const DataPolicy& policy, EpochInput first, Instant now) {
  MPSEC_ENSURE(!own_key || own_key->alg() == suite.sig(), Errc::invalid_key,
               "signing key is for another signature scheme");
  DataSA sa(suite, std::move(group_id), own_leaf, std::move(own_key), policy);
  MPSEC_TRY(sa.install_epoch(std::move(first), now));
  return sa;
}

Status DataSA::install_epoch(EpochInput next, Instant now) {
  MPSEC_ENSURE(epochs_.empty() || next.epoch > epoch(), Errc::invalid_state,
               "epochs only move forward");
  auto fresh = MPSEC_TRY(make_epoch(std::move(next)));
  if (!epochs_.empty()) epochs_.back().retire_at = now + policy_.epoch_grace;
  epochs_.push_back(std::move(fresh));
  expire(now);
  return ok();
}

void DataSA::expire(Instant now) {
  // The current epoch never expires; past ones go once their grace time is over.
  while (epochs_.size() > 1 && epochs_.front().retire_at && *epochs_.front().retire_at <= now)
    epochs_.pop_front();
}

DataSA::Epoch* DataSA::find_epoch(std::uint64_t number, Instant now) {
  for (auto& e : epochs_)
    if (e.number == number && (!e.retire_at || now < *e.retire_at)) return &e;
  return nullptr;
}

Result<Bytes> DataSA::protect(ByteView plaintext, ByteView authenticated_data, Random& rng) {
  MPSEC_ENSURE(plaintext.size() <= policy_.max_plaintext, Errc::limit_exceeded,
               "plaintext larger than the policy allows");
  Epoch& current = epochs_.back();
  MPSEC_ENSURE(own_leaf_.value < current.roster.size() && current.roster[own_leaf_.value],
               Errc::policy_violation, "this member is not an authorized sender");
  MPSEC_ENSURE(!policy_.sign || own_key_, Errc::invalid_state, "no signing key to sign with");

  Bytes compressed;
  if (policy_.compress) compressed = MPSEC_TRY(compress(plaintext));
  const ByteView data = policy_.compress ? ByteView(compressed) : plaintext;

  AuthenticatedContent ac;
  ac.wire_format = WireFormat::private_message;
  ac.content = FramedContent{group_id_,
                             current.number,
                             Sender::member(own_leaf_.value),
                             to_bytes(authenticated_data),
                             ContentType::application,
                             encode_application_data(data)};
  if (policy_.sign)
    ac.auth.signature = MPSEC_TRY(
        sign_content(suite_, *own_key_, ac.wire_format, ac.content, current.group_context));
  std::size_t padding = 0;
  if (policy_.padding_block > 0) {
    const std::size_t sig = ac.auth.signature.size();
    const std::size_t unpadded = ac.content.content.size() + codec::varint_size(sig) + sig;
    padding = (policy_.padding_block - unpadded % policy_.padding_block) % policy_.padding_block;
  }
  auto message =
      MPSEC_TRY(protect_private({suite_, current.sender_data}, current.tree, ac, padding, rng));
  codec::Writer w;
  encode_header(w, WireFormat::private_message);
  codec::encode(w, message);
  return std::move(w).finish();
}

Result<Received> DataSA::unprotect(ByteView bytes, Instant now) {
  codec::Reader r(bytes);
  MPSEC_ENSURE(MPSEC_TRY(decode_header(r)) == WireFormat::private_message, Errc::decode_error,
               "not a PrivateMessage");
  PrivateMessage message;
  MPSEC_TRY(codec::decode(r, message));
  MPSEC_TRY(r.finish());
  MPSEC_ENSURE(ct_equal(message.group_id, group_id_), Errc::wrong_group,
               "message for another group");
  MPSEC_ENSURE(message.content_type == ContentType::application, Errc::policy_violation,
               "a Data SA carries application data only");
  Epoch* epoch = find_epoch(message.epoch, now);
  MPSEC_ENSURE(epoch != nullptr, Errc::unknown_epoch, "epoch unknown or past its grace time");

  auto decrypted = MPSEC_TRY(
      unprotect_private({suite_, epoch->sender_data}, epoch->tree, message, application_only()));
  const std::uint32_t leaf = decrypted.content.content.sender.index;
  MPSEC_ENSURE(leaf < epoch->roster.size() && epoch->roster[leaf], Errc::unknown_sender,
               "sender is not an authorized sender of this epoch");
  if (policy_.sign) {
    MPSEC_TRY(
        verify_content(suite_, *epoch->roster[leaf], decrypted.content, epoch->group_context));
  } else {
    MPSEC_ENSURE(decrypted.content.auth.signature.empty(), Errc::decode_error,
                 "unexpected signature under a no-signature policy");
  }
  const ByteView data = MPSEC_TRY(application_data(decrypted.content.content));
  Bytes plaintext =
      policy_.compress ? MPSEC_TRY(decompress(data, policy_.max_plaintext)) : to_bytes(data);
  MPSEC_ENSURE(plaintext.size() <= policy_.max_plaintext, Errc::limit_exceeded,
               "plaintext larger than the policy allows");

  // Everything checked out: consume the key (this is what makes a replay fail).
  MPSEC_TRY(epoch->tree.commit(std::move(decrypted.key)));
  return Received{tree::LeafIndex(leaf), decrypted.generation, message.epoch,
                  std::move(decrypted.content.content.authenticated_data), std::move(plaintext)};
}

}  // namespace mpsec::record
