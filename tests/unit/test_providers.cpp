// The pure pieces of the credential sources: date parsing, the answers of credential_process, STS, ECS/IMDS
// and SSO, the SSO cache file name (SHA-1), SSO settings of a profile, URL splitting and the ECS host rule;
// and the CredentialChain's caching, refresh and invalidation, driven by scripted providers and an injected
// clock.
#include <gtest/gtest.h>

#include <deque>

#include "resolve/http_fetch.h"
#include "resolve/providers.h"

namespace s3fcp {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using SystemClock = std::chrono::system_clock;

SystemClock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return std::chrono::sys_days(std::chrono::year(y) / std::chrono::month(mo) / std::chrono::day(d)) +
         hours(h) + minutes(mi) + seconds(s);
}

TEST(ProviderParseTest, Iso8601) {
  const auto base = utc(2024, 5, 6, 7, 8, 9);
  EXPECT_EQ(parse_iso8601("2024-05-06T07:08:09Z").value(), base);
  EXPECT_EQ(parse_iso8601("2024-05-06t07:08:09z").value(), base);
  EXPECT_EQ(parse_iso8601("2024-05-06T07:08:09").value(), base);
  EXPECT_EQ(parse_iso8601("2024-05-06T07:08:09UTC").value(), base);  // old CLI SSO caches
  EXPECT_EQ(parse_iso8601("2024-05-06T07:08:09.123Z").value(), base + milliseconds(123));
  EXPECT_EQ(parse_iso8601("2024-05-06T07:08:09.5Z").value(), base + milliseconds(500));
  EXPECT_EQ(parse_iso8601("2024-05-06T07:08:09.123456789Z").value(),
            base + std::chrono::duration_cast<SystemClock::duration>(std::chrono::nanoseconds(123456789)));
  EXPECT_EQ(parse_iso8601("2024-05-06T09:08:09+02:00").value(), base);
  EXPECT_EQ(parse_iso8601("2024-05-06T01:38:09-0530").value(), base);
  EXPECT_EQ(parse_iso8601("2024-05-06T08:08:09.000+01").value(), base);
  EXPECT_EQ(parse_iso8601("2024-05-06 07:08:09Z").value(), base);
  for (const char* bad : {"", "2024-05-06", "garbage", "2024-13-06T07:08:09Z", "2024-02-30T00:00:00Z",
                          "2024-05-06T25:08:09Z", "2024-05-06T07:08:09+2", "2024-05-06T07:08:09.Z",
                          "2024-05-06T07:08:09 Z", "2024-05-06T07:08:09+02:0x"}) {
    EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
  }
}

TEST(ProviderParseTest, CredentialProcessOutput) {
  auto c =
      parse_credential_process_output(R"({"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "SECRET",
      "SessionToken": "TOKEN", "Expiration": "2030-01-02T03:04:05Z"})");
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->access_key_id, "AKID");
  EXPECT_EQ(c->secret_access_key, "SECRET");
  EXPECT_EQ(c->session_token, "TOKEN");
  EXPECT_EQ(c->expiration, utc(2030, 1, 2, 3, 4, 5));

  auto long_term =
      parse_credential_process_output(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"})");
  ASSERT_TRUE(long_term.has_value());
  EXPECT_TRUE(long_term->session_token.empty());
  EXPECT_FALSE(long_term->expiration.has_value());

  for (const char* bad :
       {R"({"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "s3cr3t"})",
        R"({"AccessKeyId": "A", "SecretAccessKey": "s3cr3t"})",
        R"({"Version": "1", "AccessKeyId": "A", "SecretAccessKey": "s3cr3t"})",
        R"({"Version": 1, "SecretAccessKey": "s3cr3t"})", R"({"Version": 1, "AccessKeyId": "A"})",
        R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s3cr3t", "Expiration": "soon"})",
        "not json s3cr3t", "[1, 2]"}) {
    auto e = parse_credential_process_output(bad);
    ASSERT_FALSE(e.has_value()) << bad;
    EXPECT_EQ(e.error().kind, ErrorKind::Auth);
    EXPECT_EQ(e.error().message.find("s3cr3t"), std::string::npos) << e.error().message;
  }
  EXPECT_NE(parse_credential_process_output(R"({"Version": 2})").error().message.find("Version 2"),
            std::string::npos);
}

TEST(ProviderParseTest, StsResponse) {
  const std::string ok = R"(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
    <AssumeRoleResult><Credentials><AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>sec</SecretAccessKey>
    <SessionToken>tok</SessionToken><Expiration>2030-07-15T23:28:33.359Z</Expiration></Credentials>
    <AssumedRoleUser><Arn>arn</Arn></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>)";
  auto c = parse_sts_response(200, ok, "AssumeRole");
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIAX");
  EXPECT_EQ(c->secret_access_key, "sec");
  EXPECT_EQ(c->session_token, "tok");
  EXPECT_EQ(c->expiration, utc(2030, 7, 15, 23, 28, 33) + milliseconds(359));

  const std::string denied = R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>
    <Type>Sender</Type><Code>AccessDenied</Code><Message>User x is not authorized</Message></Error>
    <RequestId>req-1</RequestId></ErrorResponse>)";
  auto e = parse_sts_response(403, denied, "AssumeRole");
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().kind, ErrorKind::Auth);
  EXPECT_FALSE(e.error().retryable);
  EXPECT_EQ(e.error().s3_code, "AccessDenied");
  EXPECT_EQ(e.error().request_id, "req-1");
  EXPECT_EQ(e.error().message, "STS AssumeRole failed: AccessDenied: User x is not authorized (HTTP 403)");

  auto throttled =
      parse_sts_response(400, "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>",
                         "AssumeRoleWithWebIdentity");
  ASSERT_FALSE(throttled.has_value());
  EXPECT_EQ(throttled.error().kind, ErrorKind::Network);
  EXPECT_TRUE(throttled.error().retryable);
  auto garbage = parse_sts_response(502, "<html>bad gateway", "AssumeRole");
  ASSERT_FALSE(garbage.has_value());
  EXPECT_TRUE(garbage.error().retryable);
  EXPECT_NE(garbage.error().message.find("HTTP 502"), std::string::npos);
  EXPECT_FALSE(parse_sts_response(200, "<AssumeRoleResponse/>", "AssumeRole").has_value());
}

TEST(ProviderParseTest, ContainerAndImdsCredentials) {
  auto ecs = parse_container_credentials(R"({"AccessKeyId": "A", "SecretAccessKey": "S", "Token": "T",
      "Expiration": "2030-01-01T00:00:00Z", "RoleArn": "arn"})");
  ASSERT_TRUE(ecs.has_value()) << ecs.error().message;
  EXPECT_EQ(ecs->session_token, "T");
  EXPECT_EQ(ecs->expiration, utc(2030, 1, 1, 0, 0, 0));
  auto imds = parse_container_credentials(R"({"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "A",
      "SecretAccessKey": "S", "Token": "T", "Expiration": "2030-01-01T00:00:00Z"})");
  ASSERT_TRUE(imds.has_value());
  auto failed = parse_container_credentials(R"({"Code": "AssumeRoleUnauthorizedAccess", "Message": "no"})");
  ASSERT_FALSE(failed.has_value());
  EXPECT_NE(failed.error().message.find("AssumeRoleUnauthorizedAccess"), std::string::npos);
  EXPECT_FALSE(parse_container_credentials(R"({"AccessKeyId": "A"})").has_value());
  EXPECT_FALSE(parse_container_credentials("<xml/>").has_value());
}

TEST(ProviderParseTest, SsoRoleCredentialsAndToken) {
  auto c = parse_sso_role_credentials(R"({"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "S",
      "sessionToken": "T", "expiration": 1893456000000}})");
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->expiration, utc(2030, 1, 1, 0, 0, 0));
  EXPECT_FALSE(parse_sso_role_credentials(R"({"roleCredentials": {"accessKeyId": "A"}})").has_value());
  EXPECT_FALSE(parse_sso_role_credentials("{}").has_value());

  auto t = parse_sso_token(R"({"startUrl": "u", "region": "us-east-1", "accessToken": "tok",
      "expiresAt": "2030-01-01T00:00:00Z"})");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->access_token, "tok");
  EXPECT_EQ(t->expires_at, utc(2030, 1, 1, 0, 0, 0));
  EXPECT_EQ(parse_sso_token(R"({"accessToken": "t", "expiresAt": "2030-01-01T00:00:00UTC"})")->expires_at,
            utc(2030, 1, 1, 0, 0, 0));
  EXPECT_FALSE(parse_sso_token(R"({"accessToken": "t"})").has_value());
  EXPECT_FALSE(parse_sso_token(R"({"expiresAt": "2030-01-01T00:00:00Z"})").has_value());
}

TEST(ProviderParseTest, Sha1AndSsoCacheFileName) {
  EXPECT_EQ(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(sha1_hex(std::string(55, 'a')), "c1c8bbdc22796e28c0e15163d20899b65621d65a");  // padding edges
  EXPECT_EQ(sha1_hex(std::string(56, 'a')), "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  EXPECT_EQ(sha1_hex(std::string(64, 'a')), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
  EXPECT_EQ(sso_cache_file_name("my-sso"), "0ad374308c5a4e22f723adf10145eafad7c4031c.json");
  EXPECT_EQ(sso_cache_file_name("https://my-sso-portal.awsapps.com/start"),
            "c7aaaf71fcc8777ae2475525ed049d39fe16c484.json");
}

SharedConfig config_of(std::string_view text) {
  return build_shared_config(parse_ini(text, "config").value(), IniDocument{});
}

TEST(ProviderParseTest, SsoConfigOfProfile) {
  const SharedConfig c = config_of(
      "[profile new]\nsso_session = corp\nsso_account_id = 111\nsso_role_name = Reader\n"
      "[profile legacy]\nsso_start_url = https://x/start\nsso_region = eu-west-1\nsso_account_id = 222\n"
      "sso_role_name = Admin\n"
      "[profile partial]\nsso_start_url = https://x/start\nsso_region = eu-west-1\n"
      "[profile nosession]\nsso_session = gone\nsso_account_id = 1\nsso_role_name = R\n"
      "[profile mismatch]\nsso_session = corp\nsso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = "
      "R\n"
      "[profile plain]\nregion = us-east-1\n"
      "[sso-session corp]\nsso_start_url = https://corp/start\nsso_region = us-east-1\n");
  auto n = sso_config_of(c, c.profile("new"));
  ASSERT_TRUE(n.has_value() && n->has_value());
  EXPECT_EQ((*n)->session_name, "corp");
  EXPECT_EQ((*n)->start_url, "https://corp/start");
  EXPECT_EQ((*n)->sso_region, "us-east-1");
  EXPECT_EQ((*n)->account_id, "111");
  auto l = sso_config_of(c, c.profile("legacy"));
  ASSERT_TRUE(l.has_value() && l->has_value());
  EXPECT_EQ((*l)->session_name, "");
  EXPECT_EQ((*l)->sso_region, "eu-west-1");
  auto p = sso_config_of(c, c.profile("partial"));
  ASSERT_FALSE(p.has_value());
  EXPECT_NE(p.error().message.find("lacks sso_account_id, sso_role_name"), std::string::npos)
      << p.error().message;
  EXPECT_FALSE(sso_config_of(c, c.profile("nosession")).has_value());
  EXPECT_FALSE(sso_config_of(c, c.profile("mismatch")).has_value());
  auto none = sso_config_of(c, c.profile("plain"));
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());
}

TEST(ProviderParseTest, UrlsAndContainerHosts) {
  auto u = parse_url("http://127.0.0.1:8080/a/b?x=1#f");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->path, "/a/b");
  EXPECT_EQ(u->query, "x=1");
  EXPECT_EQ(u->host_header(), "127.0.0.1:8080");
  auto v6 = parse_url("http://[FD00:EC2::23]/creds");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->host, "fd00:ec2::23");
  EXPECT_EQ(v6->host_header(), "[fd00:ec2::23]");
  EXPECT_EQ(parse_url("https://sts.us-east-1.amazonaws.com:443")->host_header(),
            "sts.us-east-1.amazonaws.com");
  EXPECT_EQ(parse_url("https://sts.us-east-1.amazonaws.com")->path, "/");
  for (const char* bad :
       {"ftp://x/", "127.0.0.1", "http://", "http://u:p@h/", "http://h:0/", "http://h:99999/"}) {
    EXPECT_FALSE(parse_url(bad).has_value()) << bad;
  }
  EXPECT_EQ(describe_request("GET", "http://h:1/p?secret=1"), "GET http://h:1/p");

  EXPECT_TRUE(is_allowed_container_url("http", "127.0.0.1"));
  EXPECT_TRUE(is_allowed_container_url("http", "127.1.2.3"));
  EXPECT_TRUE(is_allowed_container_url("http", "::1"));
  EXPECT_TRUE(is_allowed_container_url("http", "localhost"));
  EXPECT_TRUE(is_allowed_container_url("http", "169.254.170.2"));
  EXPECT_TRUE(is_allowed_container_url("http", "169.254.170.23"));
  EXPECT_TRUE(is_allowed_container_url("http", "fd00:ec2::23"));
  EXPECT_TRUE(is_allowed_container_url("https", "creds.example.com"));
  EXPECT_FALSE(is_allowed_container_url("http", "creds.example.com"));
  EXPECT_FALSE(is_allowed_container_url("http", "169.254.169.254"));
  EXPECT_FALSE(is_allowed_container_url("http", "10.0.0.1"));
  EXPECT_TRUE(is_link_local_host("169.254.169.254"));
  EXPECT_TRUE(is_link_local_host("fd00:ec2::254"));
  EXPECT_FALSE(is_link_local_host("10.0.0.1"));
}

// --- the chain
// --------------------------------------------------------------------------------------------------

// A provider that answers from a script, one entry per load(), repeating the last.
class ScriptedProvider final : public CredentialProvider {
 public:
  ScriptedProvider(std::string name, std::deque<Result<Credentials>> script, int* loads)
      : m_name(std::move(name)), m_script(std::move(script)), m_loads(loads) {}
  std::string name() const override { return m_name; }
  Result<Credentials> load() override {
    ++*m_loads;
    auto r = m_script.front();
    if (m_script.size() > 1) m_script.pop_front();
    return r;
  }

 private:
  std::string m_name;
  std::deque<Result<Credentials>> m_script;
  int* m_loads;
};

Credentials creds(std::string id, std::optional<SystemClock::time_point> expiration = std::nullopt) {
  Credentials c;
  c.access_key_id = std::move(id);
  c.secret_access_key = "secret";
  c.expiration = expiration;
  return c;
}

struct ChainHarness {
  SystemClock::time_point now = utc(2030, 1, 1, 0, 0, 0);
  int loads_a = 0, loads_b = 0;
  std::unique_ptr<CredentialChain> chain;

  ChainHarness(std::deque<Result<Credentials>> a, std::deque<Result<Credentials>> b) {
    std::vector<std::unique_ptr<CredentialProvider>> providers;
    providers.push_back(std::make_unique<ScriptedProvider>("a", std::move(a), &loads_a));
    providers.push_back(std::make_unique<ScriptedProvider>("b", std::move(b), &loads_b));
    CredentialChain::Options options;
    options.now = [this] { return now; };
    chain = std::make_unique<CredentialChain>(std::move(providers), options);
  }
  std::string get_id() {
    auto c = chain->get();
    return c ? c->access_key_id : "error: " + c.error().message;
  }
};

std::unexpected<Error> not_found(std::string why) { return fail(ErrorKind::NotFound, std::move(why)); }

TEST(ProviderChainTest, ListsEverySourceTried) {
  ChainHarness h({not_found("a (nothing)")}, {not_found("b (nothing either)")});
  auto c = h.chain->get();
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().kind, ErrorKind::Auth);
  EXPECT_NE(c.error().message.find("no credentials found: tried a (nothing), b (nothing either)"),
            std::string::npos);
}

TEST(ProviderChainTest, ConfiguredButFailingSourceStopsTheChain) {
  ChainHarness h({fail(ErrorKind::Auth, "a: broken")}, {creds("B")});
  auto c = h.chain->get();
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().message, "credentials from a: broken");
  EXPECT_EQ(h.loads_b, 0);
}

TEST(ProviderChainTest, RefreshesFromTheWinnerBeforeExpiry) {
  const auto t0 = utc(2030, 1, 1, 0, 0, 0);
  ChainHarness h({not_found("a")}, {creds("B1", t0 + hours(1)), creds("B2", t0 + hours(2))});
  EXPECT_EQ(h.get_id(), "B1");
  h.now = t0 + minutes(54);
  EXPECT_EQ(h.get_id(), "B1");  // 6 minutes left: still cached
  h.now = t0 + minutes(55) + seconds(1);
  EXPECT_EQ(h.get_id(), "B2");
  EXPECT_EQ(h.loads_a, 1);  // the refresh asked only the source that supplied the keys
  EXPECT_EQ(h.loads_b, 2);
}

TEST(ProviderChainTest, LongTermKeysAreNeverReloaded) {
  ChainHarness h({creds("A")}, {creds("B")});
  for (int i = 0; i < 5; ++i) EXPECT_EQ(h.get_id(), "A");
  EXPECT_EQ(h.loads_a, 1);
}

TEST(ProviderChainTest, ShortLivedKeysAreNotReloadedOnEveryCall) {
  const auto t0 = utc(2030, 1, 1, 0, 0, 0);
  ChainHarness h({creds("A1", t0 + minutes(2)), creds("A2", t0 + minutes(4))}, {creds("B")});
  EXPECT_EQ(h.get_id(), "A1");
  h.now = t0 + seconds(5);
  EXPECT_EQ(h.get_id(), "A1");  // inside the margin, but reloaded at most every 10 s
  h.now = t0 + seconds(11);
  EXPECT_EQ(h.get_id(), "A2");
  EXPECT_EQ(h.loads_a, 2);
}

TEST(ProviderChainTest, KeepsValidKeysWhenARefreshFails) {
  const auto t0 = utc(2030, 1, 1, 0, 0, 0);
  ChainHarness h({creds("A1", t0 + hours(1)), fail(ErrorKind::Network, "a: STS unreachable")}, {creds("B")});
  EXPECT_EQ(h.get_id(), "A1");
  h.now = t0 + minutes(58);
  EXPECT_EQ(h.get_id(), "A1");  // the refresh failed; the keys still have 2 minutes
  h.now = t0 + hours(1);
  EXPECT_EQ(h.get_id(), "error: refreshing credentials from a: STS unreachable");
  EXPECT_EQ(h.loads_b, 0);
}

TEST(ProviderChainTest, WalksTheChainAgainWhenTheWinnerIsGone) {
  const auto t0 = utc(2030, 1, 1, 0, 0, 0);
  ChainHarness h({creds("A1", t0 + minutes(10)), not_found("a (gone)")}, {creds("B")});
  EXPECT_EQ(h.get_id(), "A1");
  h.now = t0 + minutes(6);
  EXPECT_EQ(h.get_id(), "B");
}

TEST(ProviderChainTest, InvalidateReloadsOnceForTheRejectedKeys) {
  ChainHarness h({creds("A1"), creds("A2"), creds("A3")}, {creds("B")});
  EXPECT_EQ(h.get_id(), "A1");
  h.chain->invalidate("OTHER");
  EXPECT_EQ(h.get_id(), "A1");
  h.chain->invalidate("A1");
  h.chain->invalidate("A1");
  EXPECT_EQ(h.get_id(), "A2");
  EXPECT_EQ(h.get_id(), "A2");
  EXPECT_EQ(h.loads_a, 2);
}

TEST(ProviderChainTest, InvalidatedKeysAreNotReusedWhenTheReloadFails) {
  const auto t0 = utc(2030, 1, 1, 0, 0, 0);
  ChainHarness h({creds("A1", t0 + hours(1)), fail(ErrorKind::Auth, "a: denied")}, {creds("B")});
  EXPECT_EQ(h.get_id(), "A1");
  h.chain->invalidate("A1");
  EXPECT_EQ(h.get_id(), "error: refreshing credentials from a: denied");
}

}  // namespace
}  // namespace s3fcp
