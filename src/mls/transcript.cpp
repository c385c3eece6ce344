#include "mls/transcript.hpp"

namespace mpsec::mls {

Result<Bytes> confirmed_transcript_hash(const crypto::CipherSuite& suite, ByteView interim_before,
                                        const record::AuthenticatedContent& commit) {
  MPSEC_ENSURE(commit.content.content_type == record::ContentType::commit, Errc::invalid_argument,
               "transcript hashes cover commits");
  codec::Writer w;
  w.raw(interim_before);
  codec::encode(w, commit.wire_format);
  commit.content.encode(w);
  w.opaque(commit.auth.signature);
  return suite.hash(MPSEC_TRY(std::move(w).finish()));
}

Result<Bytes> interim_transcript_hash(const crypto::CipherSuite& suite, ByteView confirmed,
                                      ByteView confirmation_tag) {
  codec::Writer w;
  w.raw(confirmed);
  w.opaque(confirmation_tag);
  return suite.hash(MPSEC_TRY(std::move(w).finish()));
}

}  // namespace mpsec::mls
