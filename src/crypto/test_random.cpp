#include "crypto/test_random.hpp"

#include "crypto/hash.hpp"

namespace mpsec::crypto {

Status FixedRandom::fill(MutableByteView out) {
  MPSEC_ENSURE(out.size() <= remaining(), Errc::random_failure, "fixed random bytes exhausted");
  std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(pos_), out.size(), out.begin());
  pos_ += out.size();
  return ok();
}

SeededRandom::SeededRandom(std::uint64_t seed) {
  std::uint8_t b[8];
  for (int i = 0; i < 8; ++i)
    b[i] = static_cast<std::uint8_t>(seed >> (56 - 8 * i));
  seed_ = SecretBytes(ByteView(b, 8));
}

Status SeededRandom::fill(MutableByteView out) {
  std::size_t done = 0;
  while (done < out.size()) {
    if (block_pos_ == block_.size()) {
      std::uint8_t ctr[8];
      for (int i = 0; i < 8; ++i)
        ctr[i] = static_cast<std::uint8_t>(counter_ >> (56 - 8 * i));
      ++counter_;
      block_ = MPSEC_TRY(hmac_secret(HashAlg::sha256, seed_.view(), ByteView(ctr, 8)));
      block_pos_ = 0;
    }
    const std::size_t n = std::min(out.size() - done, block_.size() - block_pos_);
    std::copy_n(block_.data() + block_pos_, n, out.data() + done);
    block_pos_ += n;
    done += n;
  }
  return ok();
}

}  // namespace mpsec::crypto
