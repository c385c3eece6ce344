// Test-only access to a Group's internals, so tests can play a malicious insider that knows
// the group's keys: decode a PublicMessage, change it, re-sign it with a chosen key under the
// group's current GroupContext and recompute its membership tag. Also the small harness the
// group tests share (members, adds, delivery, state snapshots).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/test_support.hpp"
#include "crypto/test_random.hpp"
#include "mls/group.hpp"
#include "mls/group_state.hpp"
#include "mls/leaf_node.hpp"
#include "mls/messages.hpp"
#include "record/content_auth.hpp"
#include "record/framing.hpp"

namespace mpsec::mls {

struct GroupTestAccess {
  static Group::State& state(Group& g) { return *g.state_; }
  static const Group::State& state(const Group& g) { return *g.state_; }
  static const crypto::SigningKey& signer(const Group& g) { return g.state_->signer; }
  // The encoded GroupContext of the group's current epoch (what members sign under).
  static ByteView context_bytes(const Group& g) { return g.state_->current.context_bytes; }

  // MLSMessage(PublicMessage) -> PublicMessage, strictly.
  [[nodiscard]] static Result<record::PublicMessage> decode_public(ByteView message) {
    codec::Reader r(message);
    const auto wf = MPSEC_TRY(record::decode_header(r));
    MPSEC_ENSURE(wf == record::WireFormat::public_message, Errc::invalid_argument,
                 "not a PublicMessage");
    auto msg = MPSEC_TRY(record::PublicMessage::decode(r, content_codec()));
    MPSEC_TRY(r.finish());
    return msg;
  }
  [[nodiscard]] static Result<Bytes> encode_public(const record::PublicMessage& m) {
    codec::Writer w;
    record::encode_header(w, record::WireFormat::public_message);
    m.encode(w);
    return std::move(w).finish();
  }
  [[nodiscard]] static Result<Commit> commit_of(const record::PublicMessage& m) {
    MPSEC_ENSURE(m.content.content_type == record::ContentType::commit, Errc::invalid_argument,
                 "not a commit");
    return codec::decode<Commit>(m.content.content);
  }
  [[nodiscard]] static Result<Commit> commit_of(ByteView message) {
    return commit_of(MPSEC_TRY(decode_public(message)));
  }

  // Signs the content again with `key` under `g`'s current GroupContext.
  [[nodiscard]] static Status sign(const Group& g, const crypto::SigningKey& key,
                                   record::PublicMessage& m) {
    m.auth.signature = MPSEC_TRY(record::sign_content(
        g.suite(), key, record::WireFormat::public_message, m.content, context_bytes(g)));
    return ok();
  }
  // Recomputes the membership tag with `g`'s current membership key.
  [[nodiscard]] static Status retag(const Group& g, record::PublicMessage& m) {
    const record::AuthenticatedContent ac{record::WireFormat::public_message, m.content, m.auth};
    m.membership_tag = MPSEC_TRY(record::membership_tag(
        g.suite(), g.state_->current.secrets.membership_key, ac, context_bytes(g)));
    return ok();
  }
  // Signs a LeafNode again with `g`'s own key, for `g`'s group and the given leaf.
  [[nodiscard]] static Status sign_leaf(const Group& g, LeafNode& leaf, std::uint32_t leaf_index) {
    return sign_leaf_node(g.suite(), signer(g), leaf, g.group_id(), leaf_index);
  }

  // The insider's whole forgery: decodes `message`, lets `edit` change it, and makes it
  // authentic again as `g` sees it: signed by `g`'s own key (when `resign`) and with a fresh
  // membership tag (when the sender is a member).
  [[nodiscard]] static Result<Bytes> forge(const Group& g, ByteView message,
                                           const std::function<void(record::PublicMessage&)>& edit,
                                           bool resign = true) {
    auto m = MPSEC_TRY(decode_public(message));
    edit(m);
    if (resign) MPSEC_TRY(sign(g, signer(g), m));
    if (m.content.sender.sender_type == record::SenderType::member) MPSEC_TRY(retag(g, m));
    return encode_public(m);
  }
  // The same for the Commit inside a PublicMessage.
  [[nodiscard]] static Result<Bytes> forge_commit(const Group& g, ByteView message,
                                                  const std::function<void(Commit&)>& edit) {
    auto m = MPSEC_TRY(decode_public(message));
    auto commit = MPSEC_TRY(commit_of(m));
    edit(commit);
    m.content.content = MPSEC_TRY(codec::encode(commit));
    MPSEC_TRY(sign(g, signer(g), m));
    if (m.content.sender.sender_type == record::SenderType::member) MPSEC_TRY(retag(g, m));
    return encode_public(m);
  }

  // A member's content of any type as a PublicMessage (even application data, which no
  // honest member sends in the clear), signed and tagged by `g` as the sender.
  [[nodiscard]] static Result<Bytes> public_message(const Group& g, record::ContentType type,
                                                    Bytes body) {
    record::PublicMessage m;
    m.content =
        record::FramedContent{g.group_id(), g.epoch(), record::Sender::member(g.own_leaf().value),
                              {},           type,      std::move(body)};
    MPSEC_TRY(sign(g, signer(g), m));
    MPSEC_TRY(retag(g, m));
    return encode_public(m);
  }
};

// The harness the group tests share.
namespace grouptest {

inline Bytes text(std::string_view s) {
  return to_bytes(as_bytes(s));
}

// CommitOptions with these proposals by value.
inline CommitOptions proposing(std::vector<Proposal> proposals) {
  CommitOptions o;
  o.proposals = std::move(proposals);
  return o;
}

struct Member {
  std::string name;
  Identity identity;
  std::optional<Group> group;

  Group& g() { return *group; }
  const Group& g() const { return *group; }
};

// Everything that identifies a member's view of the group: equal saves mean equal states.
inline Bytes saved(const Group& g) {
  auto s = g.save();
  if (!s) {
    ADD_FAILURE() << "save failed: " << s.error().describe();
    return {};
  }
  return to_bytes(s->view());
}

class GroupTestBase : public ::testing::TestWithParam<std::uint16_t> {
 protected:
  crypto::CipherSuite suite() const { return *crypto::CipherSuite::from_code(GetParam()); }

  Member member(std::string_view name) {
    auto id = Identity::generate(suite(), Credential::basic(text(name)), rng_);
    EXPECT_TRUE(testutil::IsOk(id));
    return Member{std::string(name), std::move(*id), std::nullopt};
  }
  KeyPackageBundle key_package(const Member& m) {
    auto kp =
        create_key_package(m.identity, KeyPackageOptions{{0, UINT64_MAX}, false, {}, {}}, rng_);
    EXPECT_TRUE(testutil::IsOk(kp));
    return std::move(*kp);
  }
  ::testing::AssertionResult create(Member& creator, std::string_view group_id = "group") {
    auto g = Group::create(creator.identity, text(group_id), config_, rng_);
    if (!g) return ::testing::AssertionFailure() << "create: " << g.error().describe();
    creator.group.emplace(std::move(*g));
    return ::testing::AssertionSuccess();
  }

  // Processes `commit` at each member and merges it.
  ::testing::AssertionResult deliver(ByteView commit, std::vector<Member*> to) {
    for (Member* m : to) {
      auto staged = m->g().process(commit);
      if (!staged)
        return ::testing::AssertionFailure()
               << m->name << " process: " << staged.error().describe();
      if (!std::holds_alternative<StagedCommit>(*staged))
        return ::testing::AssertionFailure() << m->name << ": not a commit";
      auto merged = m->g().merge(std::move(std::get<StagedCommit>(*staged)));
      if (!merged)
        return ::testing::AssertionFailure() << m->name << " merge: " << merged.error().describe();
    }
    return ::testing::AssertionSuccess();
  }
  // Processes a proposal at each member.
  ::testing::AssertionResult deliver_proposal(ByteView proposal, std::vector<Member*> to) {
    for (Member* m : to) {
      auto p = m->g().process(proposal);
      if (!p) return ::testing::AssertionFailure() << m->name << ": " << p.error().describe();
      if (!std::holds_alternative<ProposalMessage>(*p))
        return ::testing::AssertionFailure() << m->name << ": not a proposal";
    }
    return ::testing::AssertionSuccess();
  }
  // `committer` commits `options`, the others process and merge it, the committer merges.
  ::testing::AssertionResult commit(Member& committer, const CommitOptions& options,
                                    std::vector<Member*> others, CommitOutput* out = nullptr) {
    auto c = committer.g().commit(options, rng_);
    if (!c) return ::testing::AssertionFailure() << "commit: " << c.error().describe();
    if (auto r = deliver(c->commit, others); !r) return r;
    if (auto m = committer.g().merge_pending_commit(); !m)
      return ::testing::AssertionFailure() << "merge_pending_commit: " << m.error().describe();
    if (out != nullptr) *out = std::move(*c);
    return ::testing::AssertionSuccess();
  }
  // One commit by `committer` adds every joiner; they all join from the one Welcome.
  ::testing::AssertionResult add(Member& committer, std::vector<Member*> joiners,
                                 std::vector<Member*> others = {}, CommitOutput* out = nullptr) {
    std::vector<KeyPackageBundle> kps;
    CommitOptions options;
    for (Member* j : joiners) {
      kps.push_back(key_package(*j));
      options.proposals.push_back(Proposal{Add{kps.back().key_package}});
    }
    CommitOutput local;
    if (auto r = commit(committer, options, others, &local); !r) return r;
    if (!local.welcome) return ::testing::AssertionFailure() << "no Welcome";
    for (std::size_t i = 0; i < joiners.size(); ++i) {
      auto g = Group::join(joiners[i]->identity, kps[i], *local.welcome, config_);
      if (!g)
        return ::testing::AssertionFailure()
               << joiners[i]->name << " join: " << g.error().describe();
      joiners[i]->group.emplace(std::move(*g));
    }
    if (out != nullptr) *out = std::move(local);
    return ::testing::AssertionSuccess();
  }
  // Every member is in the same epoch with the same keys and tree.
  ::testing::AssertionResult same_epoch(std::vector<Member*> ms) {
    for (Member* m : ms) {
      if (m->g().epoch() != ms[0]->g().epoch())
        return ::testing::AssertionFailure() << m->name << " is in another epoch";
      if (!equal(m->g().epoch_authenticator(), ms[0]->g().epoch_authenticator()))
        return ::testing::AssertionFailure() << m->name << " has another epoch authenticator";
      if (*m->g().tree_hash() != *ms[0]->g().tree_hash())
        return ::testing::AssertionFailure() << m->name << " has another tree";
    }
    return ::testing::AssertionSuccess();
  }
  // `sender` protects a message and every receiver reads it.
  ::testing::AssertionResult talk(Member& sender, std::vector<Member*> receivers,
                                  std::string_view what = "hello") {
    auto m = sender.g().protect(text(what), rng_);
    if (!m) return ::testing::AssertionFailure() << "protect: " << m.error().describe();
    for (Member* r : receivers) {
      auto got = r->g().process(*m);
      if (!got)
        return ::testing::AssertionFailure() << r->name << " process: " << got.error().describe();
      const auto* app = std::get_if<ApplicationMessage>(&*got);
      if (app == nullptr || app->data != text(what) || app->sender != sender.g().own_leaf())
        return ::testing::AssertionFailure() << r->name << " read something else";
    }
    return ::testing::AssertionSuccess();
  }

  crypto::SeededRandom rng_{1234};
  GroupConfig config_;
};

inline std::string suite_name(const ::testing::TestParamInfo<std::uint16_t>& p) {
  return "Suite" + std::to_string(p.param);
}

}  // namespace grouptest
}  // namespace mpsec::mls
