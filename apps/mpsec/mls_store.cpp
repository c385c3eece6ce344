#include "mls_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "mls/leaf_node.hpp"
#include "mpsec/hex.hpp"

namespace mpsec::app {

namespace fs = std::filesystem;

Result<Bytes> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  MPSEC_ENSURE(in.good(), Errc::io_error, "cannot read " + path.string());
  Bytes out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return out;
}

Status write_file(const fs::path& path, ByteView data, bool secret) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  const fs::path tmp = path.string() + ".tmp";
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, secret ? 0600 : 0644);
  MPSEC_ENSURE(fd >= 0, Errc::io_error, "cannot write " + tmp.string());
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) {
      ::close(fd);
      return fail(Errc::io_error, "write failed: " + tmp.string());
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  MPSEC_ENSURE(synced, Errc::io_error, "fsync failed: " + tmp.string());
  fs::rename(tmp, path, ec);
  MPSEC_ENSURE(!ec, Errc::io_error, "rename failed: " + path.string());
  return ok();
}

// struct { uint16 suite; opaque signature_private_key<V>; Credential credential;
//          Capabilities capabilities; } StoredIdentity;
Status MlsStore::save_identity(const mls::Identity& id) const {
  codec::Writer w = codec::Writer::for_secrets();
  w.u16(id.suite.code());
  w.opaque(MPSEC_TRY(id.signing_key.serialize()).view());
  codec::encode(w, id.credential);
  codec::encode(w, id.capabilities);
  auto bytes = MPSEC_TRY(std::move(w).finish_secret());
  return write_file(dir_ / "identity", bytes.view(), true);
}

Result<mls::Identity> MlsStore::load_identity() const {
  auto bytes = MPSEC_TRY(read_file(dir_ / "identity"));
  codec::Reader r(bytes);
  auto suite = MPSEC_TRY(crypto::CipherSuite::from_code(MPSEC_TRY(r.u16())));
  auto key = MPSEC_TRY(crypto::SigningKey::parse(suite.sig(), MPSEC_TRY(r.opaque())));
  mls::Credential credential;
  MPSEC_TRY(codec::decode(r, credential));
  mls::Capabilities caps;
  MPSEC_TRY(codec::decode(r, caps));
  MPSEC_TRY(r.finish());
  secure_wipe(bytes.data(), bytes.size());
  return mls::Identity{suite, std::move(key), std::move(credential), std::move(caps)};
}

// struct { KeyPackage key_package; opaque init_private<V>; opaque encryption_private<V>; }
Status MlsStore::save_key_package(const mls::KeyPackageBundle& b) const {
  const auto suite = MPSEC_TRY(crypto::CipherSuite::from_code(b.key_package.cipher_suite));
  codec::Writer w = codec::Writer::for_secrets();
  codec::encode(w, b.key_package);
  w.opaque(MPSEC_TRY(b.init_key.serialize()).view());
  w.opaque(MPSEC_TRY(b.encryption_key.serialize()).view());
  auto bytes = MPSEC_TRY(std::move(w).finish_secret());
  const auto ref = MPSEC_TRY(mls::key_package_ref(suite, b.key_package));
  return write_file(dir_ / "key_packages" / to_hex(ref), bytes.view(), true);
}

Result<std::vector<mls::KeyPackageBundle>> MlsStore::load_key_packages(
    const crypto::CipherSuite& suite) const {
  std::vector<mls::KeyPackageBundle> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_ / "key_packages", ec)) {
    if (!entry.is_regular_file() || entry.path().extension() == ".tmp") continue;
    auto bytes = MPSEC_TRY(read_file(entry.path()));
    codec::Reader r(bytes);
    mls::KeyPackage kp;
    MPSEC_TRY(codec::decode(r, kp));
    auto init = MPSEC_TRY(crypto::DhPrivateKey::parse(suite.kem(), MPSEC_TRY(r.opaque())));
    auto enc = MPSEC_TRY(crypto::DhPrivateKey::parse(suite.kem(), MPSEC_TRY(r.opaque())));
    MPSEC_TRY(r.finish());
    secure_wipe(bytes.data(), bytes.size());
    out.push_back({std::move(kp), std::move(init), std::move(enc)});
  }
  return out;
}

void MlsStore::delete_key_package(const mls::KeyPackageBundle& b) const {
  auto suite = crypto::CipherSuite::from_code(b.key_package.cipher_suite);
  if (!suite) return;
  auto ref = mls::key_package_ref(*suite, b.key_package);
  std::error_code ec;
  if (ref) fs::remove(dir_ / "key_packages" / to_hex(*ref), ec);
}

Status MlsStore::save_group(const mls::Group& group) const {
  auto saved = MPSEC_TRY(group.save());
  return write_file(dir_ / "group", saved.view(), true);
}

Result<mls::Group> MlsStore::load_group(const mls::GroupConfig& config) const {
  auto bytes = MPSEC_TRY(read_file(dir_ / "group"));
  auto group = mls::Group::load(bytes, config);
  secure_wipe(bytes.data(), bytes.size());
  return group;
}

bool MlsStore::has_group() const {
  return fs::exists(dir_ / "group");
}

}  // namespace mpsec::app
