#include "record/data_sa.hpp"

#include "codec/varint.hpp"
#include "record/compression.hpp"
#include "record/content_auth.hpp"
#include "record/private_message.hpp"
#include "schedule/key_schedule.hpp"

namespace mpsec::record {

Result<DataSA::Epoch> DataSA::make_epoch(EpochInput input) const {
  MPSEC_ENSURE(input.leaves.value > 0 && input.leaves.value <= schedule::kMaxLeaves &&
                   input.roster.size() <= input.leaves.value,
               Errc::invalid_argument, "tree size out of range, or roster larger than the tree");
  MPSEC_ENSURE(own_leaf_.value < input.leaves.value, Errc::invalid_argument,
               "own leaf outside the tree");
  auto sender_data = MPSEC_TRY(suite_.derive_secret(input.epoch_secret.view(), "sender data"));
  auto encryption = MPSEC_TRY(suite_.derive_secret(input.epoch_secret.view(), "encryption"));
  return Epoch{input.epoch,
               MPSEC_TRY(suite_.kdf_key(sender_data.view())),
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

  // application_data<V>: its length prefix, then the data, copied once into the message.
  Bytes prefix;
  MPSEC_TRY(codec::write_varint(prefix, data.size()));
  FramedContentAuthData auth;
  if (policy_.sign) {
    FramedContent fc{group_id_,
                     current.number,
                     Sender::member(own_leaf_.value),
                     to_bytes(authenticated_data),
                     ContentType::application,
                     encode_application_data(data)};
    auth.signature = MPSEC_TRY(
        sign_content(suite_, *own_key_, WireFormat::private_message, fc, current.group_context));
  }
  std::size_t padding = 0;
  if (policy_.padding_block > 0) {
    const std::size_t sig = auth.signature.size();
    const std::size_t unpadded = prefix.size() + data.size() + codec::varint_size(sig) + sig;
    padding = (policy_.padding_block - unpadded % policy_.padding_block) % policy_.padding_block;
  }
  const ByteView body[] = {prefix, data};
  return protect_private({suite_, current.sender_data}, current.tree,
                         PrivateContent{group_id_, current.number, own_leaf_.value,
                                        ContentType::application, authenticated_data, body, &auth},
                         padding, rng);
}

Result<Received> DataSA::unprotect(ByteView bytes, Instant now) {
  const auto message = MPSEC_TRY(PrivateMessageView::parse(bytes));
  MPSEC_ENSURE(ct_equal(message.group_id, group_id_), Errc::wrong_group,
               "message for another group");
  MPSEC_ENSURE(message.content_type == ContentType::application, Errc::policy_violation,
               "a Data SA carries application data only");
  Epoch* epoch = find_epoch(message.epoch, now);
  MPSEC_ENSURE(epoch != nullptr, Errc::unknown_epoch, "epoch unknown or past its grace time");

  auto d = MPSEC_TRY(
      decrypt_private({suite_, epoch->sender_data}, epoch->tree, message, application_only()));
  MPSEC_ENSURE(d.leaf < epoch->roster.size() && epoch->roster[d.leaf], Errc::unknown_sender,
               "sender is not an authorized sender of this epoch");
  if (policy_.sign) {
    const AuthenticatedContent ac{WireFormat::private_message,
                                  FramedContent{group_id_, message.epoch, Sender::member(d.leaf),
                                                to_bytes(message.authenticated_data),
                                                ContentType::application, to_bytes(d.body())},
                                  d.auth};
    MPSEC_TRY(verify_content(suite_, *epoch->roster[d.leaf], ac, epoch->group_context));
  } else {
    MPSEC_ENSURE(d.auth.signature.empty(), Errc::decode_error,
                 "unexpected signature under a no-signature policy");
  }
  // The body is application_data<V>: find the data inside the decrypted buffer.
  const auto header = MPSEC_TRY(codec::read_varint(d.body()));
  const std::size_t offset = header.size;
  const std::size_t size = static_cast<std::size_t>(header.value);
  Bytes plaintext;
  if (policy_.compress) {
    plaintext = MPSEC_TRY(decompress(d.body().subspan(offset, size), policy_.max_plaintext));
  } else {
    MPSEC_ENSURE(size <= policy_.max_plaintext, Errc::limit_exceeded,
                 "plaintext larger than the policy allows");
    // Move the data to the front of the buffer it was decrypted into, rather than copy it.
    plaintext = std::move(d.plaintext);
    plaintext.erase(plaintext.begin(), plaintext.begin() + static_cast<std::ptrdiff_t>(offset));
    plaintext.resize(size);
  }

  // Everything checked out: consume the key (this is what makes a replay fail).
  MPSEC_TRY(epoch->tree.commit(std::move(d.key)));
  return Received{tree::LeafIndex(d.leaf), d.generation, message.epoch,
                  to_bytes(message.authenticated_data), std::move(plaintext)};
}

}  // namespace mpsec::record
