#include "store/sealer.hpp"

#include "codec/writer.hpp"

namespace mpsec::store {

namespace {

constexpr std::string_view kLabel = "mpsec store v1";

// struct { opaque label<V>; opaque group_id<V>; opaque table<V>; opaque row<V>;
//          opaque data<V>; } StoreAd;   (data: what a MAC covers; empty for sealed blobs)
Result<Bytes> associated_data(const BlobPlace& place, ByteView data = {}) {
  codec::Writer w;
  w.opaque(as_bytes(kLabel));
  w.opaque(place.group_id);
  w.opaque(as_bytes(place.table));
  w.opaque(place.row);
  w.opaque(data);
  return std::move(w).finish();
}

}  // namespace

Result<Sealer> Sealer::create(ByteView master_key, Random& rng) {
  MPSEC_ENSURE(master_key.size() == kMasterKeySize, Errc::invalid_key,
               "the storage master key must be 32 bytes");
  const SecretBytes prk =
      MPSEC_TRY(crypto::hkdf_extract(crypto::HashAlg::sha256, as_bytes(kLabel), master_key));
  const SecretBytes seal_key =
      MPSEC_TRY(crypto::hkdf_expand(crypto::HashAlg::sha256, prk.view(), as_bytes("seal"), 32));
  const SecretBytes mac_key =
      MPSEC_TRY(crypto::hkdf_expand(crypto::HashAlg::sha256, prk.view(), as_bytes("mac"), 32));
  crypto::AeadKey aead =
      MPSEC_TRY(crypto::AeadKey::create(crypto::AeadAlg::aes256gcm, seal_key.view()));
  crypto::HmacKey hmac =
      MPSEC_TRY(crypto::HmacKey::create(crypto::HashAlg::sha256, mac_key.view()));
  return Sealer(std::move(aead), std::move(hmac), rng);
}

Result<Bytes> Sealer::seal(const BlobPlace& place, ByteView plaintext) const {
  const Bytes ad = MPSEC_TRY(associated_data(place));
  Bytes blob(kSealOverhead + plaintext.size());
  const MutableByteView nonce = MutableByteView(blob).first(crypto::kAeadNonceSize);
  MPSEC_TRY(rng_->fill(nonce));
  MPSEC_TRY(
      aead_.seal(nonce, ad, plaintext, MutableByteView(blob).subspan(crypto::kAeadNonceSize)));
  return blob;
}

Result<SecretBytes> Sealer::open(const BlobPlace& place, ByteView blob) const {
  MPSEC_ENSURE(blob.size() >= kSealOverhead, Errc::authentication_failed,
               "sealed blob shorter than nonce and tag");
  const Bytes ad = MPSEC_TRY(associated_data(place));
  return aead_.open_secret(blob.first(crypto::kAeadNonceSize), ad,
                           blob.subspan(crypto::kAeadNonceSize));
}

Result<Bytes> Sealer::mac(const BlobPlace& place, ByteView data) const {
  const Bytes ad = MPSEC_TRY(associated_data(place, data));
  Bytes tag(crypto::hash_size(hmac_.alg()));
  MPSEC_TRY(hmac_.mac({ad}, tag));
  return tag;
}

Status Sealer::verify(const BlobPlace& place, ByteView data, ByteView tag) const {
  const Bytes expected = MPSEC_TRY(mac(place, data));
  MPSEC_ENSURE(ct_equal(expected, tag), Errc::authentication_failed,
               "stored data does not match its MAC");
  return ok();
}

}  // namespace mpsec::store
