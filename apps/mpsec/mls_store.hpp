// The state directory of `mpsec mls`: one member's identity, its unused KeyPackages (with
// their private keys) and its group state, as files. Files holding secrets are written
// atomically (temporary file, then rename) with mode 0600.
#pragma once

#include <filesystem>
#include <optional>

#include "mls/group.hpp"

namespace mpsec::app {

class MlsStore {
 public:
  explicit MlsStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  [[nodiscard]] Status save_identity(const mls::Identity& identity) const;
  [[nodiscard]] Result<mls::Identity> load_identity() const;

  [[nodiscard]] Status save_key_package(const mls::KeyPackageBundle& bundle) const;
  // Every stored KeyPackage bundle (a Welcome is matched against each).
  [[nodiscard]] Result<std::vector<mls::KeyPackageBundle>> load_key_packages(
      const crypto::CipherSuite& suite) const;
  void delete_key_package(const mls::KeyPackageBundle& bundle) const;

  [[nodiscard]] Status save_group(const mls::Group& group) const;
  [[nodiscard]] Result<mls::Group> load_group(const mls::GroupConfig& config) const;
  bool has_group() const;

  const std::filesystem::path& dir() const noexcept { return dir_; }

 private:
  std::filesystem::path dir_;
};

// File helpers for the commands.
[[nodiscard]] Result<Bytes> read_file(const std::filesystem::path& path);
[[nodiscard]] Status write_file(const std::filesystem::path& path, ByteView data,
                                bool secret = false);

}  // namespace mpsec::app
