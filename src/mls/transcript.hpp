// Transcript hashes (RFC 9420 §8.2).
#pragma once

#include "crypto/cipher_suite.hpp"
#include "record/framing.hpp"

namespace mpsec::mls {

// confirmed_transcript_hash = Hash(interim_transcript_hash_[n-1] ||
//     ConfirmedTranscriptHashInput { wire_format; FramedContent content; signature<V> })
[[nodiscard]] Result<Bytes> confirmed_transcript_hash(const crypto::CipherSuite& suite,
                                                      ByteView interim_before,
                                                      const record::AuthenticatedContent& commit);
// interim_transcript_hash = Hash(confirmed_transcript_hash ||
//     InterimTranscriptHashInput { MAC confirmation_tag; })
[[nodiscard]] Result<Bytes> interim_transcript_hash(const crypto::CipherSuite& suite,
                                                    ByteView confirmed, ByteView confirmation_tag);

}  // namespace mpsec::mls
