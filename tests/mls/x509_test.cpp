// X.509 credentials (RFC 9420 §5.3) through X509CredentialValidator, with a PKI made here
// with OpenSSL: a root CA, an intermediate CA, and end-entity certificates whose key is the
// member's MLS signature key (suite 1: Ed25519, suite 2: ECDSA P-256). Members with chains
// [end-entity, intermediate] form a group and talk; a key that is not the certificate's, a
// chain to another root, an expired certificate and a missing intermediate are refused with
// their typed error (by the committer, and by receivers of a commit that carries them); basic
// credentials only pass when the validator allows them.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "mls/credential_validator.hpp"
#include "mls/group.hpp"
#include "mls/group_test_access.hpp"

namespace mpsec::mls {
namespace {

using grouptest::Member;
using grouptest::saved;
using grouptest::text;
using testutil::FailsWith;
using testutil::IsOk;

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;

// Unix seconds: every certificate is valid from kNotBefore to kNotAfter (unless expired),
// and the validator checks at kNow.
constexpr std::int64_t kNotBefore = 1'700'000'000;  // 2023-11
constexpr std::int64_t kNow = 1'750'000'000;        // 2025-06
constexpr std::int64_t kNotAfter = 2'000'000'000;   // 2033-05
constexpr std::int64_t kExpired = 1'720'000'000;    // 2024-07, before kNow

// The OpenSSL key of an MLS signature key, from its serialized private key.
PkeyPtr evp_key(const crypto::SigningKey& key) {
  auto priv = key.serialize();
  if (!priv) return nullptr;
  if (key.alg() == crypto::SigAlg::ed25519)
    return PkeyPtr(
        EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", nullptr, priv->data(), priv->size()));
  if (key.alg() != crypto::SigAlg::ecdsa_secp256r1_sha256) return nullptr;
  BnPtr d(BN_bin2bn(priv->data(), static_cast<int>(priv->size()), nullptr));
  const Bytes& pub = key.verify_key().bytes();  // the uncompressed point
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!d || !bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub.data(),
                                       pub.size()) != 1)
    return nullptr;
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* out = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &out, EVP_PKEY_KEYPAIR, params.get()) != 1)
    return nullptr;
  return PkeyPtr(out);
}

NamePtr name(std::string_view common_name) {
  NamePtr n(X509_NAME_new());
  const std::string cn(common_name);
  if (!n || X509_NAME_add_entry_by_txt(n.get(), "CN", MBSTRING_ASC,
                                       reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                       0) != 1)
    return nullptr;
  return n;
}

bool add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

struct CertSpec {
  std::string_view subject;
  EVP_PKEY* subject_key;  // the certified (public) key
  X509* issuer;           // null: self-signed
  EVP_PKEY* issuer_key;
  bool ca = false;
  std::int64_t not_before = kNotBefore;
  std::int64_t not_after = kNotAfter;
};

// A v3 certificate as CAs issue them: CA certificates may sign certificates, end-entity
// ones only sign.
X509Ptr issue(const CertSpec& spec) {
  static long serial = 1;
  X509Ptr cert(X509_new());
  auto subject = name(spec.subject);
  if (!cert || !subject || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++) != 1 ||
      X509_set_subject_name(cert.get(), subject.get()) != 1 ||
      X509_set_issuer_name(cert.get(), spec.issuer != nullptr ? X509_get_subject_name(spec.issuer)
                                                              : subject.get()) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(spec.not_before)) ==
          nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(spec.not_after)) ==
          nullptr ||
      X509_set_pubkey(cert.get(), spec.subject_key) != 1)
    return nullptr;
  X509* issuer = spec.issuer != nullptr ? spec.issuer : cert.get();
  const bool extensions =
      spec.ca ? add_extension(cert.get(), issuer, NID_basic_constraints, "critical,CA:TRUE") &&
                    add_extension(cert.get(), issuer, NID_key_usage, "critical,keyCertSign,cRLSign")
              : add_extension(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE") &&
                    add_extension(cert.get(), issuer, NID_key_usage, "critical,digitalSignature");
  if (!extensions || !add_extension(cert.get(), issuer, NID_subject_key_identifier, "hash"))
    return nullptr;
  // EdDSA signs the whole certificate; ECDSA with SHA-256.
  const EVP_MD* md = EVP_PKEY_is_a(spec.issuer_key, "ED25519") ? nullptr : EVP_sha256();
  if (X509_sign(cert.get(), spec.issuer_key, md) <= 0) return nullptr;
  return cert;
}

Bytes der(X509* cert) {
  const int len = i2d_X509(cert, nullptr);
  if (len <= 0) return {};
  Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  if (i2d_X509(cert, &p) != len) return {};
  return out;
}

Bytes pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return {};
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0) return {};
  return Bytes(data, data + len);
}

Credential x509(std::vector<Bytes> chain) {
  Credential c;
  c.credential_type = CredentialType::x509;
  for (auto& cert : chain)
    c.certificates.push_back(Certificate{std::move(cert)});
  return c;
}

// Accepts every credential: the committer that lets a bad certificate into a commit.
class AcceptAnyCredential final : public CredentialValidator {
 public:
  Status validate(const Credential&, ByteView) const override { return ok(); }
};

constexpr auto kX509 = static_cast<std::uint16_t>(CredentialType::x509);

class MlsX509Test : public grouptest::GroupTestBase {
 protected:
  // What is wrong with a member's chain.
  enum class Chain { valid, other_key, other_root, expired, no_intermediate };

  void SetUp() override {
    root_key_ = ca_key();
    intermediate_key_ = ca_key();
    other_root_key_ = ca_key();
    ASSERT_TRUE(root_key_ && intermediate_key_ && other_root_key_);
    root_ = issue({"mpsec test root", root_key_.get(), nullptr, root_key_.get(), true});
    ASSERT_TRUE(root_);
    intermediate_ = issue(
        {"mpsec test intermediate", intermediate_key_.get(), root_.get(), root_key_.get(), true});
    other_root_ =
        issue({"another root", other_root_key_.get(), nullptr, other_root_key_.get(), true});
    ASSERT_TRUE(other_root_);
    // An intermediate of the same name under the other root.
    other_intermediate_ = issue({"mpsec test intermediate", intermediate_key_.get(),
                                 other_root_.get(), other_root_key_.get(), true});
    ASSERT_TRUE(intermediate_ && other_intermediate_);
    root_pem_ = pem(root_.get());
    ASSERT_FALSE(root_pem_.empty());

    auto v = X509CredentialValidator::create(root_pem_, kNow);
    ASSERT_TRUE(IsOk(v));
    validator_ = std::move(*v);
    config_.validation.credentials = validator_.get();
  }

  // A CA key of the suite's signature scheme.
  PkeyPtr ca_key() {
    auto key = crypto::SigningKey::generate(suite().sig(), rng_);
    return key ? evp_key(*key) : nullptr;
  }

  // A member whose credential is [end-entity, intermediate] for its signature key, or a
  // chain with the given flaw.
  Member x509_member(std::string_view who, Chain chain = Chain::valid) {
    auto key = crypto::SigningKey::generate(suite().sig(), rng_);
    EXPECT_TRUE(IsOk(key));
    auto certified = crypto::SigningKey::generate(suite().sig(), rng_);  // another key
    EXPECT_TRUE(IsOk(certified));
    PkeyPtr subject = evp_key(chain == Chain::other_key ? *certified : *key);
    EXPECT_TRUE(subject);
    X509* issuer = chain == Chain::other_root ? other_intermediate_.get() : intermediate_.get();
    auto leaf = issue({who, subject.get(), issuer, intermediate_key_.get(), false, kNotBefore,
                       chain == Chain::expired ? kExpired : kNotAfter});
    EXPECT_TRUE(leaf);
    std::vector<Bytes> certs{der(leaf.get())};
    if (chain != Chain::no_intermediate) certs.push_back(der(issuer));
    Identity id{suite(), std::move(*key), x509(std::move(certs)), default_capabilities()};
    // The identity advertises the credential type it uses.
    if (std::find(id.capabilities.credentials.begin(), id.capabilities.credentials.end(), kX509) ==
        id.capabilities.credentials.end())
      id.capabilities.credentials.push_back(kX509);
    return Member{std::string(who), std::move(id), std::nullopt};
  }

  // `m`'s KeyPackage in a commit by `committer` is refused with `code`, and the committer is
  // left as it was.
  ::testing::AssertionResult add_refused(Member& committer, const Member& m, Errc code) {
    const Bytes before = saved(committer.g());
    auto out = committer.g().commit(
        grouptest::proposing({Proposal{Add{key_package(m).key_package}}}), rng_);
    if (auto f = FailsWith(out, code); !f) return f << " adding " << m.name;
    if (committer.g().has_pending_commit())
      return ::testing::AssertionFailure() << "a pending commit was left";
    if (saved(committer.g()) != before)
      return ::testing::AssertionFailure() << committer.name << " changed";
    return ::testing::AssertionSuccess();
  }

  // A committer that accepts any credential adds `m`; `receiver` refuses the commit with
  // `code` and stays exactly as it was.
  ::testing::AssertionResult commit_refused(Member& committer, Member& receiver, const Member& m,
                                            Errc code) {
    AcceptAnyCredential any;
    GroupConfig lax = config_;
    lax.validation.credentials = &any;
    committer.g().set_config(lax);
    auto out = committer.g().commit(
        grouptest::proposing({Proposal{Add{key_package(m).key_package}}}), rng_);
    committer.g().discard_pending_commit();
    committer.g().set_config(config_);
    if (!out) return ::testing::AssertionFailure() << "lax commit: " << out.error().describe();
    const Bytes before = saved(receiver.g());
    auto processed = receiver.g().process(out->commit);
    if (auto f = FailsWith(processed, code); !f) return f << " at " << receiver.name;
    if (saved(receiver.g()) != before)
      return ::testing::AssertionFailure() << receiver.name << " changed";
    return ::testing::AssertionSuccess();
  }

  std::shared_ptr<X509CredentialValidator> validator_;
  PkeyPtr root_key_, intermediate_key_, other_root_key_;
  X509Ptr root_, intermediate_, other_root_, other_intermediate_;
  Bytes root_pem_;
};

INSTANTIATE_TEST_SUITE_P(Suites, MlsX509Test, ::testing::Values(1, 2), grouptest::suite_name);

TEST_P(MlsX509Test, MembersWithCertificateChainsFormAGroupAndTalk) {
  Member alice = x509_member("alice"), bob = x509_member("bob"), carol = x509_member("carol"),
         dave = x509_member("dave");
  EXPECT_NE(std::find(alice.identity.capabilities.credentials.begin(),
                      alice.identity.capabilities.credentials.end(), kX509),
            alice.identity.capabilities.credentials.end());
  ASSERT_TRUE(IsOk(validator_->validate(alice.identity.credential,
                                        alice.identity.signing_key.verify_key().bytes())));

  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob, &carol}));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol}));
  // Every leaf carries its chain, end-entity first.
  for (Member* m : {&alice, &bob, &carol}) {
    const LeafNode* leaf = alice.g().tree().leaf_node(m->g().own_leaf());
    ASSERT_NE(leaf, nullptr);
    EXPECT_EQ(leaf->credential, m->identity.credential) << m->name;
    EXPECT_EQ(leaf->credential.certificates.size(), 2u);
  }
  ASSERT_TRUE(talk(alice, {&bob, &carol}));
  ASSERT_TRUE(talk(carol, {&alice, &bob}));

  // bob commits with a path (a new leaf of source commit, the same certificate).
  ASSERT_TRUE(commit(bob, {}, {&alice, &carol}));
  // carol's Update, committed by alice.
  auto update = carol.g().update_proposal(rng_);
  ASSERT_TRUE(IsOk(update));
  auto proposal = carol.g().propose(*update, rng_);
  ASSERT_TRUE(IsOk(proposal));
  ASSERT_TRUE(deliver_proposal(*proposal, {&alice, &bob}));
  ASSERT_TRUE(commit(alice, {}, {&bob, &carol}));
  ASSERT_TRUE(same_epoch({&alice, &bob, &carol}));

  // dave joins by external commit from a GroupInfo with the tree.
  auto info = alice.g().group_info(true, true, rng_);
  ASSERT_TRUE(IsOk(info));
  auto joined = Group::join_external(dave.identity, *info, config_, rng_);
  ASSERT_TRUE(IsOk(joined));
  dave.group.emplace(std::move(joined->group));
  ASSERT_TRUE(deliver(joined->commit, {&alice, &bob, &carol}));

  // bob leaves; the others go on.
  ASSERT_TRUE(commit(carol, grouptest::proposing({Proposal{Remove{bob.g().own_leaf().value}}}),
                     {&alice, &bob, &dave}));
  EXPECT_FALSE(bob.g().active());
  ASSERT_TRUE(same_epoch({&alice, &carol, &dave}));
  ASSERT_TRUE(talk(dave, {&alice, &carol}));
  ASSERT_TRUE(talk(alice, {&carol, &dave}));
}

TEST_P(MlsX509Test, CertificateForAnotherKeyIsRefused) {
  Member alice = x509_member("alice"), mallory = x509_member("mallory", Chain::other_key);
  EXPECT_TRUE(FailsWith(validator_->validate(mallory.identity.credential,
                                             mallory.identity.signing_key.verify_key().bytes()),
                        Errc::authentication_failed));
  // Not even as the creator of a group of one.
  EXPECT_TRUE(FailsWith(Group::create(mallory.identity, text("group"), config_, rng_),
                        Errc::authentication_failed));
  // alice's chain presented with another key.
  EXPECT_TRUE(FailsWith(validator_->validate(alice.identity.credential,
                                             mallory.identity.signing_key.verify_key().bytes()),
                        Errc::authentication_failed));

  Member bob = x509_member("bob");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob}));
  EXPECT_TRUE(add_refused(alice, mallory, Errc::authentication_failed));
  EXPECT_TRUE(commit_refused(alice, bob, mallory, Errc::authentication_failed));
  // The group carries on.
  ASSERT_TRUE(commit(bob, {}, {&alice}));
  ASSERT_TRUE(talk(alice, {&bob}));
}

TEST_P(MlsX509Test, ChainsThatDoNotVerifyAreRefused) {
  Member alice = x509_member("alice"), bob = x509_member("bob");
  ASSERT_TRUE(create(alice));
  ASSERT_TRUE(add(alice, {&bob}));
  const std::pair<Chain, const char*> flaws[] = {{Chain::other_root, "other root"},
                                                 {Chain::expired, "expired"},
                                                 {Chain::no_intermediate, "no intermediate"}};
  for (auto [flaw, what] : flaws) {
    SCOPED_TRACE(what);
    Member eve = x509_member(what, flaw);
    EXPECT_TRUE(FailsWith(validator_->validate(eve.identity.credential,
                                               eve.identity.signing_key.verify_key().bytes()),
                          Errc::authentication_failed));
    EXPECT_TRUE(FailsWith(Group::create(eve.identity, text("group"), config_, rng_),
                          Errc::authentication_failed));
    EXPECT_TRUE(add_refused(alice, eve, Errc::authentication_failed));
    EXPECT_TRUE(add_refused(bob, eve, Errc::authentication_failed));
    EXPECT_TRUE(commit_refused(alice, bob, eve, Errc::authentication_failed));
  }
  ASSERT_TRUE(commit(bob, {}, {&alice}));
  ASSERT_TRUE(same_epoch({&alice, &bob}));
}

TEST_P(MlsX509Test, WelcomeWithAnUnverifiableMemberIsRefused) {
  Member alice = x509_member("alice"), bob = x509_member("bob"),
         eve = x509_member("eve", Chain::other_root);
  ASSERT_TRUE(create(alice));
  // alice accepts anything; bob, joining with the strict validator, checks every leaf.
  AcceptAnyCredential any;
  GroupConfig lax = config_;
  lax.validation.credentials = &any;
  alice.g().set_config(lax);
  auto bob_kp = key_package(bob);
  auto out = alice.g().commit(grouptest::proposing({Proposal{Add{key_package(eve).key_package}},
                                                    Proposal{Add{bob_kp.key_package}}}),
                              rng_);
  ASSERT_TRUE(IsOk(out));
  ASSERT_TRUE(out->welcome.has_value());
  EXPECT_TRUE(FailsWith(Group::join(bob.identity, bob_kp, *out->welcome, config_),
                        Errc::authentication_failed));
  EXPECT_TRUE(IsOk(Group::join(bob.identity, bob_kp, *out->welcome, lax)));
}

TEST_P(MlsX509Test, CertificatesAreCheckedAtTheValidatorsTime) {
  Member alice = x509_member("alice");
  const Bytes key = alice.identity.signing_key.verify_key().bytes();
  // From notBefore to the second before notAfter (OpenSSL counts notAfter itself as expired,
  // where RFC 5280 §4.1.2.5 still counts it as valid).
  for (std::int64_t t : {kNotBefore, kNow, kNotAfter - 1}) {
    auto v = X509CredentialValidator::create(root_pem_, t);
    ASSERT_TRUE(IsOk(v));
    EXPECT_TRUE(IsOk((*v)->validate(alice.identity.credential, key))) << t;
  }
  for (std::int64_t t : {kNotBefore - 1, kNotAfter + 1}) {
    auto v = X509CredentialValidator::create(root_pem_, t);
    ASSERT_TRUE(IsOk(v));
    EXPECT_TRUE(
        FailsWith((*v)->validate(alice.identity.credential, key), Errc::authentication_failed))
        << t;
  }
  // Expired certificates are refused: the check time is after their notAfter.
  Member eve = x509_member("eve", Chain::expired);
  auto early = X509CredentialValidator::create(root_pem_, kExpired - 1);
  ASSERT_TRUE(IsOk(early));
  EXPECT_TRUE(IsOk(
      (*early)->validate(eve.identity.credential, eve.identity.signing_key.verify_key().bytes())));
  EXPECT_TRUE(FailsWith(
      validator_->validate(eve.identity.credential, eve.identity.signing_key.verify_key().bytes()),
      Errc::authentication_failed));
}

TEST_P(MlsX509Test, MalformedChainsAreRefused) {
  Member alice = x509_member("alice");
  const Bytes key = alice.identity.signing_key.verify_key().bytes();
  // No certificate at all.
  EXPECT_TRUE(FailsWith(validator_->validate(x509({}), key), Errc::authentication_failed));
  // A certificate that is not DER, or has bytes after it.
  Credential garbage = alice.identity.credential;
  garbage.certificates[0].cert_data = text("not a certificate");
  EXPECT_TRUE(FailsWith(validator_->validate(garbage, key), Errc::decode_error));
  Credential trailing = alice.identity.credential;
  trailing.certificates[1].cert_data.push_back(0);
  EXPECT_TRUE(FailsWith(validator_->validate(trailing, key), Errc::decode_error));
  // The chain in the wrong order (the intermediate first): its key is not alice's.
  Credential reversed = alice.identity.credential;
  std::swap(reversed.certificates[0], reversed.certificates[1]);
  EXPECT_FALSE(validator_->validate(reversed, key).has_value());
  // The root itself as the end-entity: a CA key is not alice's.
  EXPECT_TRUE(
      FailsWith(validator_->validate(x509({der(root_.get())}), key), Errc::authentication_failed));
  // No anchors.
  EXPECT_TRUE(FailsWith(X509CredentialValidator::create(text("no PEM here"), kNow),
                        Errc::invalid_argument));
}

TEST_P(MlsX509Test, BasicCredentialsOnlyWhenAllowed) {
  Member alice = x509_member("alice");
  Member basic = member("basic");
  const Bytes basic_key = basic.identity.signing_key.verify_key().bytes();
  EXPECT_TRUE(FailsWith(validator_->validate(basic.identity.credential, basic_key),
                        Errc::policy_violation));
  EXPECT_TRUE(FailsWith(Group::create(basic.identity, text("group"), config_, rng_),
                        Errc::policy_violation));
  ASSERT_TRUE(create(alice));
  EXPECT_TRUE(add_refused(alice, basic, Errc::policy_violation));

  // With allow_basic, basic and X.509 members share a group; chains are still verified.
  auto v = X509CredentialValidator::create(root_pem_, kNow, true);
  ASSERT_TRUE(IsOk(v));
  auto allowing = std::move(*v);
  EXPECT_TRUE(IsOk(allowing->validate(basic.identity.credential, basic_key)));
  EXPECT_TRUE(
      FailsWith(allowing->validate(Credential::basic({}), basic_key), Errc::policy_violation));
  Member mallory = x509_member("mallory", Chain::other_key);
  EXPECT_TRUE(FailsWith(allowing->validate(mallory.identity.credential,
                                           mallory.identity.signing_key.verify_key().bytes()),
                        Errc::authentication_failed));
  config_.validation.credentials = allowing.get();
  alice.g().set_config(config_);
  ASSERT_TRUE(add(alice, {&basic}));
  ASSERT_TRUE(commit(basic, {}, {&alice}));
  ASSERT_TRUE(talk(basic, {&alice}));
  ASSERT_TRUE(talk(alice, {&basic}));
  EXPECT_TRUE(add_refused(basic, mallory, Errc::authentication_failed));
}

TEST_P(MlsX509Test, LeafMustAdvertiseX509) {
  Member alice = x509_member("alice"), bob = x509_member("bob");
  // bob's capabilities without X.509: his own leaf contradicts them.
  auto& types = bob.identity.capabilities.credentials;
  types.erase(std::remove(types.begin(), types.end(), kX509), types.end());
  ASSERT_TRUE(create(alice));
  EXPECT_TRUE(add_refused(alice, bob, Errc::policy_violation));
}

}  // namespace
}  // namespace mpsec::mls
