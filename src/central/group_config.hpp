// What defines a centrally keyed group (its configuration, chosen by the operator) and what
// the GCKS records of each member; both are kept by the store.
#pragma once

#include <string>
#include <vector>

#include "central/messages.hpp"

namespace mpsec::central {

enum class KeyGraphType : std::uint8_t { lkh = 1, flat = 2 };

// struct { SignaturePublicKey signature_key; Role max_role; opaque name<V>; } AllowedKey;
struct AllowedKey {
  Bytes signature_key;
  Role max_role = Role::receiver;
  Bytes name;  // for logs and status
  MPSEC_TLS_FIELDS(signature_key, max_role, name)
};

// Who may join: keys on the allow-list, or holders of an X.509 chain to the CA (if one is
// configured), minus revoked keys.
// struct { AllowedKey allowed<V>; opaque ca_pem<V>; Role ca_max_role;
//          SignaturePublicKey revoked<V>; } AdmissionPolicy;
struct AdmissionPolicy {
  std::vector<AllowedKey> allowed;
  Bytes ca_pem;  // empty: no X.509 admission
  Role ca_max_role = Role::receiver;
  std::vector<Bytes> revoked;
  MPSEC_TLS_FIELDS(allowed, ca_pem, ca_max_role, revoked)
};

struct GroupConfig {
  Bytes group_id;
  std::uint16_t cipher_suite = 1;
  KeyGraphType graph = KeyGraphType::lkh;
  std::uint32_t degree = 4;    // LKH
  std::uint32_t id_bits = 16;  // flat table: up to 2^id_bits members
  AdmissionPolicy admission;
  record::DataPolicy data_policy;
  Duration heartbeat{1'000};
  Duration rekey_interval{3'600'000};  // the group key is refreshed at least this often
  Duration batch_interval{0};          // joins and leaves wait at most this long for a rekey
  // Where the runtime sends the group's multicast traffic ("239.255.42.1:7401"); kept with
  // the group, opaque to the protocol.
  std::string transport;

  // Refuses configurations mpsec cannot run (unknown suite, degree, sizes).
  [[nodiscard]] Status validate() const;
  void tls_encode(codec::Writer& w) const;
  [[nodiscard]] Status tls_decode(codec::Reader& r);
};

// struct { uint32 slot; opaque sa_id<V>; opaque sa_secret<V>; Credential credential;
//          SignaturePublicKey signature_key; Role role; uint8 unicast_delivery;
//          opaque name<V>; } MemberRecord;
struct MemberRecord {
  std::uint32_t slot = 0;
  Bytes sa_id;
  SecretBytes sa_secret;
  Credential credential;
  Bytes signature_key;
  Role role = Role::receiver;
  std::uint8_t unicast_delivery = 0;
  Bytes name;
  MPSEC_TLS_FIELDS(slot, sa_id, sa_secret, credential, signature_key, role, unicast_delivery, name)
};

}  // namespace mpsec::central
