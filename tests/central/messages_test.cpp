// The wire messages of the centralized mode (messages.hpp, group_config.hpp): every message
// and inner structure round-trips, and the decoders are strict: no trailing byte, no
// truncation, no message of another type, no unknown protocol version, no oversized message.
// Enumerations the codec decodes as raw numbers (Role, SaRequestKind, KeyGraphType) are
// refused where the GCKS or the member use them; the Data SA policy a member accepts from its
// GCKS is bounded.
#include <gtest/gtest.h>

#include "central_sim.hpp"

namespace mpsec::central {
namespace {

using sim::b;
using sim::CentralSim;
using sim::test_config;

Bytes filled(std::size_t n, std::uint8_t v) {
  return Bytes(n, v);
}

Nonce nonce(std::uint8_t v) {
  Nonce n{};
  for (std::size_t i = 0; i < n.size(); ++i)
    n[i] = static_cast<std::uint8_t>(v + i);
  return n;
}

WirePolicy sample_policy() {
  record::DataPolicy p;
  p.sign = true;
  p.padding_block = 32;
  return to_wire(p, Duration(1'000));
}

WireDataSa sample_data_sa() {
  return {5, {{0, filled(32, 0xa0)}, {3, filled(32, 0xa3)}}, sample_policy()};
}

std::vector<WireKey> sample_keys() {
  std::vector<WireKey> keys;
  keys.push_back({7, 1, SecretBytes(filled(32, 0x11))});
  keys.push_back({3, 2, SecretBytes(filled(32, 0x22))});
  keys.push_back({1, 9, SecretBytes(filled(32, 0x33))});
  return keys;
}

WireAdmission sample_admission() {
  return {3, filled(kSaIdSize, 0x5a), filled(32, 0x6b), 42, 1, sample_keys(), sample_data_sa()};
}

Credential x509_credential() {
  Credential c;
  c.credential_type = schedule::CredentialType::x509;
  c.certificates = {{filled(20, 0xc1)}, {filled(30, 0xc2)}};
  return c;
}

RegisterHello sample_hello() {
  return {b("group"), 1, nonce(1), filled(32, 0x44), filled(24, 0x55)};
}

AuthBody sample_auth_body() {
  return {Credential::basic(b("alice")),
          filled(32, 0x01),
          Role::sender,
          1,
          filled(64, 0x02),
          filled(32, 0x03)};
}

ResultBody sample_result_body() {
  ResultBody r;
  r.accepted = 1;
  r.finished = filled(32, 0x77);
  r.admission = sample_admission();
  return r;
}

Rekey sample_rekey() {
  Rekey rk;
  rk.group_id = b("group");
  rk.seq = 17;
  rk.graph.group_key_node = 1;
  rk.graph.group_key_version = 4;
  rk.graph.revisions = {{5, 2, 0}, {1, 4, 1}};
  rk.graph.wraps = {{1, 4, 3, 2, filled(48, 0x66)}, {3, 2, 7, 1, filled(48, 0x67)}};
  rk.graph.unreachable = {9};
  rk.leaves = 6;
  rk.roster_added = {{4, filled(32, 0x88)}};
  rk.departed = {2, 5};
  rk.signature = filled(64, 0x99);
  return rk;
}

Heartbeat sample_heartbeat() {
  return {b("group"),
          17,
          1'800'000'000'123,
          {filled(10, 1), filled(0, 0), filled(300, 3)},
          filled(64, 0x9a)};
}

SaRequest sample_sa_request() {
  return {b("group"), filled(kSaIdSize, 0x5a), 12, SaRequestKind::deregister, filled(32, 0xab)};
}

ResyncBody sample_resync_body() {
  return {1, 42, 1, sample_keys(), sample_data_sa()};
}

SaResponse sample_sa_response() {
  return {filled(kSaIdSize, 0x5a), 12, filled(12, 0xcd), filled(80, 0xce)};
}

GroupConfig sample_group_config() {
  GroupConfig c = test_config(KeyGraphType::flat);
  c.admission.allowed = {{filled(32, 0x10), Role::sender, b("alice")},
                         {filled(32, 0x20), Role::receiver, b("bob")}};
  c.admission.ca_pem = b("-----BEGIN CERTIFICATE-----");
  c.admission.ca_max_role = Role::sender;
  c.admission.revoked = {filled(32, 0x30)};
  c.batch_interval = Duration(250);
  return c;
}

MemberRecord sample_member_record() {
  return {3,
          filled(kSaIdSize, 0x5a),
          SecretBytes(filled(32, 0x5b)),
          x509_credential(),
          filled(32, 0x5c),
          Role::sender,
          1,
          b("carol")};
}

// An encoded inner structure: round trip, canonical, no trailing byte, no truncation.
template <class T>
void expect_strict_struct(const T& value) {
  const Bytes enc = *codec::encode(value);
  auto dec = codec::decode<T>(enc);
  ASSERT_TRUE(dec.has_value()) << dec.error().describe();
  EXPECT_EQ(*codec::encode(*dec), enc);
  Bytes longer = enc;
  longer.push_back(0);
  auto trailing = codec::decode<T>(longer);
  ASSERT_FALSE(trailing.has_value());
  EXPECT_EQ(trailing.error().code, Errc::trailing_data);
  for (std::size_t n = 0; n < enc.size(); ++n)
    EXPECT_FALSE(codec::decode<T>(ByteView(enc).first(n)).has_value()) << "prefix " << n;
}

constexpr std::uint16_t kAllWireFormats[] = {0xf001, 0xf002, 0xf003, 0xf004, 0xf005,
                                             0xf006, 0xf007, 0xf008, 0xf009};

// A whole MLSMessage: the above, plus the framing: version and wire format checked.
template <class T>
void expect_strict_message(const T& value) {
  const Bytes enc = *encode_message(value);
  ASSERT_GE(enc.size(), 4u);
  EXPECT_EQ(enc[0], 0);
  EXPECT_EQ(enc[1], 1);  // mls10
  const auto wf = static_cast<std::uint16_t>(WireFormatOf<T>::value);
  EXPECT_EQ(*peek_wire_format(enc), wf);
  EXPECT_TRUE(is_central(wf));
  auto dec = decode_message<T>(enc);
  ASSERT_TRUE(dec.has_value()) << dec.error().describe();
  EXPECT_EQ(*encode_message(*dec), enc);
  expect_strict_struct(value);

  Bytes longer = enc;
  longer.push_back(0);
  EXPECT_FALSE(decode_message<T>(longer).has_value());
  for (std::size_t n = 0; n < enc.size(); ++n)
    EXPECT_FALSE(decode_message<T>(ByteView(enc).first(n)).has_value()) << "prefix " << n;
  // Every other wire format (and the MLS ones) is refused by this decoder.
  for (std::uint16_t other : kAllWireFormats) {
    if (other == wf) continue;
    Bytes relabeled = enc;
    relabeled[2] = static_cast<std::uint8_t>(other >> 8);
    relabeled[3] = static_cast<std::uint8_t>(other);
    auto r = decode_message<T>(relabeled);
    ASSERT_FALSE(r.has_value()) << other;
    EXPECT_EQ(r.error().code, Errc::decode_error);
  }
  for (std::uint16_t mls : {1, 2, 3, 4, 5}) {
    Bytes relabeled = enc;
    relabeled[2] = 0;
    relabeled[3] = static_cast<std::uint8_t>(mls);
    EXPECT_FALSE(decode_message<T>(relabeled).has_value()) << mls;
  }
  // Another protocol version.
  for (std::uint16_t version : {0, 2, 0x0101}) {
    Bytes other = enc;
    other[0] = static_cast<std::uint8_t>(version >> 8);
    other[1] = static_cast<std::uint8_t>(version);
    EXPECT_FALSE(decode_message<T>(other).has_value()) << version;
    EXPECT_FALSE(peek_wire_format(other).has_value());
  }
}

TEST(CentralMessages, RegisterHelloIsStrict) {
  expect_strict_message(sample_hello());
  RegisterHello first = sample_hello();
  first.cookie.clear();
  expect_strict_message(first);
  const auto dec = *decode_message<RegisterHello>(*encode_message(sample_hello()));
  EXPECT_EQ(dec.member_nonce, nonce(1));
  EXPECT_EQ(dec.cookie, filled(24, 0x55));
}

TEST(CentralMessages, RegisterCookieIsStrict) {
  expect_strict_message(RegisterCookie{filled(24, 0x12)});
}

TEST(CentralMessages, RegisterChallengeIsStrict) {
  expect_strict_message(
      RegisterChallenge{nonce(9), filled(32, 0x21), filled(32, 0x22), filled(64, 0x23)});
}

TEST(CentralMessages, RegisterAuthIsStrict) {
  expect_strict_message(RegisterAuth{b("group"), filled(200, 0x31)});
}

TEST(CentralMessages, AuthBodyIsStrict) {
  expect_strict_struct(sample_auth_body());
  AuthBody x = sample_auth_body();
  x.credential = x509_credential();
  expect_strict_struct(x);
}

TEST(CentralMessages, RegisterResultIsStrict) {
  expect_strict_message(RegisterResult{filled(300, 0x41)});
}

TEST(CentralMessages, ResultBodyIsStrictWithAndWithoutAdmission) {
  expect_strict_struct(sample_result_body());
  ResultBody refused;
  refused.accepted = 0;
  refused.reason = b("key not on the allow-list");
  refused.finished = filled(32, 0x78);
  expect_strict_struct(refused);
  // The optional's presence byte is 0 or 1.
  Bytes enc = *codec::encode(refused);
  ASSERT_EQ(enc.back(), 0);
  enc.back() = 2;
  EXPECT_FALSE(codec::decode<ResultBody>(enc).has_value());
}

TEST(CentralMessages, WireAdmissionIsStrict) {
  expect_strict_struct(sample_admission());
  const auto dec = *codec::decode<WireAdmission>(*codec::encode(sample_admission()));
  ASSERT_EQ(dec.keys.size(), 3u);
  EXPECT_EQ(dec.keys[2].node, 1u);
  EXPECT_EQ(dec.keys[2].version, 9u);
  EXPECT_EQ(to_bytes(dec.keys[2].key.view()), filled(32, 0x33));
  EXPECT_EQ(dec.data.roster, sample_data_sa().roster);
}

TEST(CentralMessages, RekeyIsStrict) {
  expect_strict_message(sample_rekey());
  const auto dec = *decode_message<Rekey>(*encode_message(sample_rekey()));
  EXPECT_EQ(dec.graph, sample_rekey().graph);
  EXPECT_EQ(dec.departed, sample_rekey().departed);
  EXPECT_EQ(dec.roster_added, sample_rekey().roster_added);
}

TEST(CentralMessages, RekeySignedBytesCoverEveryFieldButTheSignature) {
  const Rekey rk = sample_rekey();
  codec::Writer tbs;
  rk.encode_tbs(tbs);
  const Bytes signed_part = *std::move(tbs).finish();
  const Bytes whole = *codec::encode(rk);
  // The encoding is the signed part followed by the signature.
  ASSERT_LT(signed_part.size(), whole.size());
  EXPECT_TRUE(equal(ByteView(whole).first(signed_part.size()), signed_part));
  EXPECT_EQ(*codec::decode<Bytes>(ByteView(whole).subspan(signed_part.size())), rk.signature);
}

TEST(CentralMessages, HeartbeatIsStrict) {
  expect_strict_message(sample_heartbeat());
  Heartbeat hb = sample_heartbeat();
  codec::Writer tbs;
  hb.encode_tbs(tbs);
  const Bytes signed_part = *std::move(tbs).finish();
  const Bytes whole = *codec::encode(hb);
  EXPECT_TRUE(equal(ByteView(whole).first(signed_part.size()), signed_part));
}

TEST(CentralMessages, SaRequestIsStrict) {
  expect_strict_message(sample_sa_request());
  SaRequest req = sample_sa_request();
  codec::Writer tbm;
  req.encode_tbm(tbm);
  const Bytes maced = *std::move(tbm).finish();
  EXPECT_TRUE(equal(ByteView(*codec::encode(req)).first(maced.size()), maced));
}

TEST(CentralMessages, SaResponseIsStrict) {
  expect_strict_message(sample_sa_response());
}

TEST(CentralMessages, ResyncBodyIsStrict) {
  expect_strict_struct(sample_resync_body());
  expect_strict_struct(ResyncBody{0, 42, 0, {}, {}});
}

TEST(CentralMessages, WirePolicyIsStrict) {
  expect_strict_struct(sample_policy());
}

TEST(CentralMessages, GroupConfigIsStrict) {
  expect_strict_struct(sample_group_config());
  expect_strict_struct(test_config(KeyGraphType::lkh));
  const auto dec = *codec::decode<GroupConfig>(*codec::encode(sample_group_config()));
  EXPECT_EQ(dec.graph, KeyGraphType::flat);
  EXPECT_EQ(dec.batch_interval, Duration(250));
  EXPECT_EQ(dec.heartbeat, Duration(1'000));
  ASSERT_EQ(dec.admission.allowed.size(), 2u);
  EXPECT_EQ(dec.admission.allowed[1].max_role, Role::receiver);
}

TEST(CentralMessages, MemberRecordIsStrict) {
  expect_strict_struct(sample_member_record());
  MemberRecord basic = sample_member_record();
  basic.credential = Credential::basic(b("carol"));
  expect_strict_struct(basic);
}

TEST(CentralMessages, SmallPiecesAreStrict) {
  expect_strict_struct(WireKey{4, 2, SecretBytes(filled(32, 1))});
  expect_strict_struct(RosterEntry{4, filled(32, 2)});
  expect_strict_struct(sample_data_sa());
}

TEST(CentralMessages, AnOversizedMessageIsRefusedBeforeDecoding) {
  RegisterAuth big{b("group"), Bytes(kMaxMessage, 0)};
  const Bytes enc = *encode_message(big);
  ASSERT_GT(enc.size(), kMaxMessage);
  auto r = decode_message<RegisterAuth>(enc);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::limit_exceeded);
}

TEST(CentralMessages, ADecoderRefusesAnEmptyOrHeaderOnlyMessage) {
  EXPECT_FALSE(peek_wire_format({}).has_value());
  const Bytes header_only = {0, 1, 0xf0, 0x06};
  EXPECT_EQ(*peek_wire_format(header_only), 0xf006);
  EXPECT_FALSE(decode_message<Rekey>(header_only).has_value());
  EXPECT_FALSE(is_central(0xf000));
  EXPECT_FALSE(is_central(0xf00a));
  EXPECT_FALSE(is_central(2));
}

// ---- Enumerations: decoded as numbers, refused where they are used.

TEST(CentralMessages, UnknownEnumValuesDecodeAsNumbersButAreNotValidRoles) {
  AuthBody body = sample_auth_body();
  // The codec keeps the raw value; valid_role() is the check every user applies.
  body.role = static_cast<Role>(3);
  auto dec = codec::decode<AuthBody>(*codec::encode(body));
  ASSERT_TRUE(dec.has_value());
  EXPECT_FALSE(valid_role(dec->role));
  EXPECT_FALSE(valid_role(static_cast<Role>(0)));
  EXPECT_TRUE(valid_role(Role::receiver));
  EXPECT_TRUE(valid_role(Role::sender));
}

TEST(CentralMessages, TheGcksRefusesAnAuthBodyWithAnUnknownRole) {
  for (std::uint8_t role : {0, 3, 255}) {
    CentralSim s(test_config());
    auto& alice = s.add("alice", Role::sender);
    auto reg = sim::ManualRegistration::start(s.suite(), test_config().group_id, s.rng());
    ASSERT_TRUE(reg.to_challenge(s.gcks(), 99, "peer-99", s.now(), s.gcks_key().verify_key()));
    const AuthBody body = *reg.auth_body(Credential::basic(b("alice")), *alice.key, *alice.key,
                                         static_cast<Role>(role));
    auto r = s.gcks().handle(99, "peer-99", *reg.register_auth(*codec::encode(body)), s.now());
    ASSERT_FALSE(r.has_value()) << int(role);
    EXPECT_EQ(r.error().code, Errc::decode_error);
    EXPECT_EQ(s.gcks().counters().auth_failures, 1u);
    EXPECT_EQ(s.gcks().counters().registrations, 0u);
    EXPECT_TRUE(s.gcks().members().empty());
  }
}

TEST(CentralMessages, TheGcksAdmitsTheSameHandDrivenRegistrationWithAValidRole) {
  // The control for the test above: the hand-driven handshake is right, only the role was.
  CentralSim s(test_config());
  auto& alice = s.add("alice", Role::sender);
  auto reg = sim::ManualRegistration::start(s.suite(), test_config().group_id, s.rng());
  ASSERT_TRUE(reg.to_challenge(s.gcks(), 99, "peer-99", s.now(), s.gcks_key().verify_key()));
  const AuthBody body =
      *reg.auth_body(Credential::basic(b("alice")), *alice.key, *alice.key, Role::sender);
  auto r = s.gcks().handle(99, "peer-99", *reg.register_auth(*codec::encode(body)), s.now());
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(s.gcks().counters().registrations, 1u);
  ASSERT_EQ(s.gcks().members().size(), 1u);
  EXPECT_EQ(s.gcks().members()[0].role, Role::sender);
}

TEST(CentralMessages, TheGcksRefusesAnUnknownUnicastDeliveryFlag) {
  CentralSim s(test_config());
  auto& alice = s.add("alice", Role::sender);
  auto reg = sim::ManualRegistration::start(s.suite(), test_config().group_id, s.rng());
  ASSERT_TRUE(reg.to_challenge(s.gcks(), 99, "peer-99", s.now(), s.gcks_key().verify_key()));
  const AuthBody body =
      *reg.auth_body(Credential::basic(b("alice")), *alice.key, *alice.key, Role::sender, 2);
  auto r = s.gcks().handle(99, "peer-99", *reg.register_auth(*codec::encode(body)), s.now());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(s.gcks().counters().auth_failures, 1u);
  EXPECT_TRUE(s.gcks().members().empty());
}

TEST(CentralMessages, TheGcksRefusesAnSaRequestOfUnknownKindEvenWithAValidMac) {
  CentralSim s(test_config());
  auto& alice = s.add("alice");
  s.join(alice);
  ASSERT_EQ(alice.member->state(), MemberState::active);
  const RegistrationSa sa = *s.registration_sa(alice.member->slot());
  for (std::uint8_t kind : {0, 3, 255}) {
    SaRequest req{
        test_config().group_id, sa.sa_id(), 100u + kind, static_cast<SaRequestKind>(kind), {}};
    req.mac = *sa.request_mac(req);
    ASSERT_TRUE(sa.verify_request(req));
    const auto before = s.gcks().counters();
    auto r = s.gcks().handle(alice.conn, "peer-1", *encode_message(req), s.now());
    ASSERT_FALSE(r.has_value()) << int(kind);
    EXPECT_EQ(r.error().code, Errc::decode_error);
    EXPECT_EQ(s.gcks().counters().malformed, before.malformed + 1);
    EXPECT_EQ(s.gcks().counters().resyncs, before.resyncs);
  }
  // Nothing happened to alice's membership, and a valid request still works (its counter
  // was not consumed by the refused ones).
  EXPECT_EQ(s.gcks().members().size(), 1u);
  SaRequest ok_req{test_config().group_id, sa.sa_id(), 1, SaRequestKind::resync, {}};
  ok_req.mac = *sa.request_mac(ok_req);
  auto r = s.gcks().handle(alice.conn, "peer-1", *encode_message(ok_req), s.now());
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(s.gcks().counters().resyncs, 1u);
}

TEST(CentralMessages, AGroupConfigWithAnUnknownEnumIsRefused) {
  const Bytes good = *codec::encode(sample_group_config());
  ASSERT_TRUE(codec::decode<GroupConfig>(good).has_value());
  {
    GroupConfig c = sample_group_config();
    c.graph = static_cast<KeyGraphType>(3);
    EXPECT_FALSE(codec::decode<GroupConfig>(*codec::encode(c)).has_value());
  }
  {
    GroupConfig c = sample_group_config();
    c.admission.allowed[0].max_role = static_cast<Role>(0);
    EXPECT_FALSE(codec::decode<GroupConfig>(*codec::encode(c)).has_value());
  }
  {
    GroupConfig c = sample_group_config();
    c.admission.ca_max_role = static_cast<Role>(9);
    EXPECT_FALSE(codec::decode<GroupConfig>(*codec::encode(c)).has_value());
  }
  {
    GroupConfig c = sample_group_config();
    c.cipher_suite = 0x7777;
    EXPECT_FALSE(codec::decode<GroupConfig>(*codec::encode(c)).has_value());
  }
}

TEST(CentralMessages, ACredentialOfUnknownTypeIsRefused) {
  MemberRecord m = sample_member_record();
  Bytes enc = *codec::encode(m);
  // slot(4) sa_id(1+16) sa_secret(1+32), then the credential type (uint16).
  const std::size_t at = 4 + 1 + kSaIdSize + 1 + 32;
  ASSERT_EQ(enc[at], 0);
  ASSERT_EQ(enc[at + 1], 2);
  enc[at + 1] = 7;
  EXPECT_FALSE(codec::decode<MemberRecord>(enc).has_value());
}

TEST(CentralMessages, AStoredMemberWithAnUnknownRoleIsRefusedOnRestore) {
  CentralSim s(test_config());
  auto& alice = s.add("alice");
  s.join(alice);
  auto snap = s.journal().snapshot(test_config().group_id);
  ASSERT_TRUE(snap.has_value());
  ASSERT_EQ(snap->members.size(), 1u);
  snap->members[0].role = static_cast<Role>(5);
  MemoryJournal j;
  crypto::SeededRandom rng(7);
  auto g = Gcks::restore(std::move(*snap), s.gcks_key(), j, rng, s.now());
  EXPECT_FALSE(g.has_value());
}

TEST(CentralMessages, AllowRefusesAnUnknownRole) {
  CentralSim s(test_config());
  crypto::SeededRandom rng(3);
  const auto key = *crypto::SigningKey::generate(s.suite().sig(), rng);
  auto r = s.gcks().allow({key.verify_key().bytes(), static_cast<Role>(4), b("x")}, s.now());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(CentralMessages, AMemberRefusesToBeConfiguredWithAnUnknownRole) {
  crypto::SeededRandom rng(3);
  const auto suite = *crypto::CipherSuite::from_code(1);
  const auto key = *crypto::SigningKey::generate(suite.sig(), rng);
  MemberConfig mc{b("g"),
                  1,
                  Credential::basic(b("m")),
                  key,
                  static_cast<Role>(0),
                  false,
                  key.verify_key().bytes(),
                  Duration(200)};
  EXPECT_FALSE(Member::create(std::move(mc), rng).has_value());
}

// ---- The Data SA policy a member accepts.

TEST(CentralMessages, PolicyRoundTripsThroughTheWire) {
  record::DataPolicy p;
  p.sign = true;
  p.compress = true;
  p.padding_block = 64;
  p.ratchet.max_skipped = 100;
  p.ratchet.max_forward_jump = 2000;
  p.epoch_grace = Duration(5'000);
  p.max_plaintext = 4096;
  const WirePolicy w = to_wire(p, Duration(250));
  EXPECT_EQ(w.heartbeat_ms, 250u);
  auto back = from_wire(w);
  ASSERT_TRUE(back.has_value()) << back.error().describe();
  EXPECT_EQ(back->sign, p.sign);
  EXPECT_EQ(back->compress, p.compress);
  EXPECT_EQ(back->padding_block, p.padding_block);
  EXPECT_EQ(back->ratchet.max_skipped, p.ratchet.max_skipped);
  EXPECT_EQ(back->ratchet.max_forward_jump, p.ratchet.max_forward_jump);
  EXPECT_EQ(back->epoch_grace, p.epoch_grace);
  EXPECT_EQ(back->max_plaintext, p.max_plaintext);
  // The default policy is acceptable.
  EXPECT_TRUE(from_wire(to_wire(record::DataPolicy{}, Duration(1'000))).has_value());
}

TEST(CentralMessages, PolicyBoundsAreEnforcedAtEachEdge) {
  const WirePolicy base = to_wire(record::DataPolicy{}, Duration(1'000));
  ASSERT_TRUE(from_wire(base).has_value());
  struct Case {
    const char* name;
    void (*set)(WirePolicy&);
    bool accepted;
  };
  const Case cases[] = {
      {"sign=1", [](WirePolicy& w) { w.sign = 1; }, true},
      {"sign=2", [](WirePolicy& w) { w.sign = 2; }, false},
      {"compress=1", [](WirePolicy& w) { w.compress = 1; }, true},
      {"compress=2", [](WirePolicy& w) { w.compress = 2; }, false},
      {"max_skipped=0", [](WirePolicy& w) { w.max_skipped = 0; }, true},
      {"max_skipped=65536", [](WirePolicy& w) { w.max_skipped = 65536; }, true},
      {"max_skipped=65537", [](WirePolicy& w) { w.max_skipped = 65537; }, false},
      {"max_forward_jump=0", [](WirePolicy& w) { w.max_forward_jump = 0; }, false},
      {"max_forward_jump=1", [](WirePolicy& w) { w.max_forward_jump = 1; }, true},
      {"max_forward_jump=2^20", [](WirePolicy& w) { w.max_forward_jump = 1u << 20; }, true},
      {"max_forward_jump=2^20+1", [](WirePolicy& w) { w.max_forward_jump = (1u << 20) + 1; },
       false},
      {"epoch_grace=0", [](WirePolicy& w) { w.epoch_grace_ms = 0; }, true},
      {"epoch_grace=24h", [](WirePolicy& w) { w.epoch_grace_ms = 24ull * 3600 * 1000; }, true},
      {"epoch_grace=24h+1", [](WirePolicy& w) { w.epoch_grace_ms = 24ull * 3600 * 1000 + 1; },
       false},
      {"epoch_grace=max", [](WirePolicy& w) { w.epoch_grace_ms = ~std::uint64_t{0}; }, false},
      {"padding=65536", [](WirePolicy& w) { w.padding_block = 65536; }, true},
      {"padding=65537", [](WirePolicy& w) { w.padding_block = 65537; }, false},
      {"max_plaintext=0", [](WirePolicy& w) { w.max_plaintext = 0; }, false},
      {"max_plaintext=1", [](WirePolicy& w) { w.max_plaintext = 1; }, true},
      {"max_plaintext=2^30", [](WirePolicy& w) { w.max_plaintext = 1ull << 30; }, true},
      {"max_plaintext=2^30+1", [](WirePolicy& w) { w.max_plaintext = (1ull << 30) + 1; }, false},
      {"heartbeat=9", [](WirePolicy& w) { w.heartbeat_ms = 9; }, false},
      {"heartbeat=10", [](WirePolicy& w) { w.heartbeat_ms = 10; }, true},
      {"heartbeat=1h", [](WirePolicy& w) { w.heartbeat_ms = 3600ull * 1000; }, true},
      {"heartbeat=1h+1", [](WirePolicy& w) { w.heartbeat_ms = 3600ull * 1000 + 1; }, false},
      {"heartbeat=0", [](WirePolicy& w) { w.heartbeat_ms = 0; }, false},
  };
  for (const Case& c : cases) {
    WirePolicy w = base;
    c.set(w);
    auto r = from_wire(w);
    EXPECT_EQ(r.has_value(), c.accepted) << c.name;
    // The same bound holds for a stored or configured group.
    GroupConfig config = test_config();
    if (r) {
      config.data_policy = *r;
      config.heartbeat = Duration(static_cast<std::int64_t>(w.heartbeat_ms));
      config.rekey_interval = std::max(config.rekey_interval, config.heartbeat);
      EXPECT_TRUE(config.validate().has_value()) << c.name;
    }
  }
}

}  // namespace
}  // namespace mpsec::central
