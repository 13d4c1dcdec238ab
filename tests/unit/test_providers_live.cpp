// The credential sources against real sockets: tests/servers/fake_aws.py plays IMDSv2, the ECS agent, STS and
// the SSO portal on one 127.0.0.1 port, issues fresh keys for every call and logs each request as a JSON
// line. Each test gets a private HOME and config files, an environment with every AWS variable cleared, and
// asserts that the chain returns exactly the keys the server issued (and, from the log, what was called and
// how it was signed). Skipped when python3 is not available.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "resolve/providers.h"

extern char** environ;

namespace s3fcp {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* const kAwsVars[] = {"AWS_ACCESS_KEY_ID",
                                "AWS_SECRET_ACCESS_KEY",
                                "AWS_SESSION_TOKEN",
                                "AWS_SECURITY_TOKEN",
                                "AWS_PROFILE",
                                "AWS_DEFAULT_PROFILE",
                                "AWS_CONFIG_FILE",
                                "AWS_SHARED_CREDENTIALS_FILE",
                                "HOME",
                                "AWS_REGION",
                                "AWS_DEFAULT_REGION",
                                "AWS_ENDPOINT_URL",
                                "AWS_ENDPOINT_URL_STS",
                                "AWS_ENDPOINT_URL_SSO",
                                "AWS_ENDPOINT_URL_S3",
                                "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                                "AWS_WEB_IDENTITY_TOKEN_FILE",
                                "AWS_ROLE_ARN",
                                "AWS_ROLE_SESSION_NAME",
                                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                                "AWS_EC2_METADATA_DISABLED",
                                "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                                "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
                                "AWS_CA_BUNDLE"};

class ProvidersLive : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_dir = fs::temp_directory_path() / ("s3fcp-providers-live-" + std::to_string(getpid()));
    fs::create_directories(s_dir);
    // Not __FILE__: with ccache's base_dir that is a path relative to the build tree, wrong from anywhere else.
    const std::string script = (fs::path(S3FCP_SOURCE_DIR) / "tests" / "servers" / "fake_aws.py").string();
    const std::string port_file = (s_dir / "port").string(), log = (s_dir / "log.jsonl").string();
    std::vector<std::string> args = {
        "python3", script,        "--port-file",         port_file,     "--log",
        log,       "--known-key", "AKIDBASE:basesecret", "--known-key", "AKIDSTATIC:staticsecret"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&s_pid, "python3", nullptr, nullptr, argv.data(), environ) != 0) {
      s_pid = 0;
      return;
    }
    for (int i = 0; i < 200 && !fs::exists(port_file); ++i) {
      if (waitpid(s_pid, nullptr, WNOHANG) == s_pid) {
        s_pid = 0;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::ifstream(port_file) >> s_port;
  }

  static void TearDownTestSuite() {
    if (s_pid > 0) {
      kill(s_pid, SIGTERM);
      waitpid(s_pid, nullptr, 0);
    }
    fs::remove_all(s_dir);
  }

  void SetUp() override {
    if (s_port == 0) GTEST_FAIL() << "fake_aws.py did not start (is python3 installed? scripts/setup)";
    for (const char* var : kAwsVars) {
      const char* v = std::getenv(var);
      m_saved[var] = v ? std::optional<std::string>(v) : std::nullopt;
      unsetenv(var);
    }
    m_home = s_dir / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(m_home);
    setenv("HOME", m_home.c_str(), 1);
    setenv("AWS_CONFIG_FILE", (m_home / "config").c_str(), 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", (m_home / "credentials").c_str(), 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    m_log_offset = fs::exists(s_dir / "log.jsonl") ? fs::file_size(s_dir / "log.jsonl") : 0;
  }

  void TearDown() override {
    for (const auto& [var, value] : m_saved) {
      if (value) {
        setenv(var.c_str(), value->c_str(), 1);
      } else {
        unsetenv(var.c_str());
      }
    }
  }

  static std::string url(std::string_view path = "") {
    return "http://127.0.0.1:" + std::to_string(s_port) + std::string(path);
  }
  void write(const std::string& name, const std::string& text) {
    fs::create_directories((m_home / name).parent_path());
    std::ofstream(m_home / name) << text;
  }
  std::string path(const std::string& name) const { return (m_home / name).string(); }

  // Requests the server logged since SetUp.
  std::vector<json> requests() const {
    std::ifstream in(s_dir / "log.jsonl");
    in.seekg(static_cast<std::streamoff>(m_log_offset));
    std::vector<json> out;
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
  }
  std::vector<std::string> issued() const {
    std::vector<std::string> ids;
    for (const auto& r : requests()) {
      if (r["issued"].is_string()) ids.push_back(r["issued"]);
    }
    return ids;
  }

  Result<Credentials> load(const std::string& profile = "", CredentialChain::Options chain_options = {}) {
    DefaultChainOptions options;
    options.profile = profile;
    options.region = "eu-central-1";
    options.ecs_base = url();
    options.chain = std::move(chain_options);
    auto chain = make_default_chain(options);
    if (!chain) return fail(chain.error());
    m_chain = std::move(*chain);
    return m_chain->get();
  }

  // The keys came from the server's last issue, and nothing secret leaked into the source description.
  void expect_issued(const Result<Credentials>& c) {
    ASSERT_TRUE(c.has_value()) << c.error().message;
    const auto ids = issued();
    ASSERT_FALSE(ids.empty());
    EXPECT_EQ(c->access_key_id, ids.back());
    EXPECT_TRUE(c->secret_access_key.starts_with("fakesecret"));
    EXPECT_TRUE(c->session_token.starts_with("faketoken"));
    EXPECT_TRUE(c->expiration.has_value());
    EXPECT_EQ(c->source.find("fake"), std::string::npos) << c->source;
  }

  void expect_error(const Result<Credentials>& c, std::string_view text) {
    ASSERT_FALSE(c.has_value()) << "got keys from " << c->source;
    EXPECT_NE(c.error().message.find(text), std::string::npos) << c.error().message;
    for (const char* secret :
         {"secret", "token-value", "ecs-secret-token", "sso-access-token", "web-identity-token"}) {
      EXPECT_EQ(c.error().message.find(secret), std::string::npos) << c.error().message;
    }
  }

  static inline fs::path s_dir;
  static inline pid_t s_pid = 0;
  static inline int s_port = 0;
  fs::path m_home;
  std::map<std::string, std::optional<std::string>> m_saved;
  uintmax_t m_log_offset = 0;
  std::unique_ptr<CredentialChain> m_chain;
};

TEST_F(ProvidersLive, ImdsV2) {
  unsetenv("AWS_EC2_METADATA_DISABLED");
  setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url("/").c_str(), 1);
  auto c = load();
  expect_issued(c);
  EXPECT_EQ(c->source, "imds role s3fcp-imds-role");
  const auto r = requests();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0]["method"], "PUT");
  EXPECT_EQ(r[0]["path"], "/latest/api/token");
  EXPECT_EQ(r[0]["headers"]["x-aws-ec2-metadata-token-ttl-seconds"], "21600");
  EXPECT_EQ(r[1]["path"], "/latest/meta-data/iam/security-credentials/");
  EXPECT_EQ(r[2]["path"], "/latest/meta-data/iam/security-credentials/s3fcp-imds-role");
  EXPECT_EQ(r[2]["status"], 200);
  EXPECT_EQ(imds_region(Profile{}).value_or("?"), "us-west-2");
  EXPECT_EQ(resolve_region("", Profile{}), "us-west-2");
}

TEST_F(ProvidersLive, ImdsDisabledAndNothingElse) {
  auto c = load();
  expect_error(c, "no credentials found: tried env (AWS_ACCESS_KEY_ID not set), profile 'default' (not in ");
  expect_error(c, "web identity (AWS_WEB_IDENTITY_TOKEN_FILE not set), ECS container (");
  expect_error(c, "IMDS (disabled)");
  EXPECT_TRUE(requests().empty());
  EXPECT_FALSE(imds_region(Profile{}).has_value());
  EXPECT_EQ(resolve_region("", Profile{}), "us-east-1");
}

TEST_F(ProvidersLive, ImdsUnreachableIsNotFound) {
  unsetenv("AWS_EC2_METADATA_DISABLED");
  setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1", 1);
  expect_error(load(), "IMDS (no answer from http://127.0.0.1:1");
}

TEST_F(ProvidersLive, EcsRelativeUri) {
  setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/ecs/open/v2/credentials", 1);
  auto c = load();
  expect_issued(c);
  EXPECT_EQ(c->source, "ecs container");
  EXPECT_EQ(requests().at(0)["path"], "/ecs/open/v2/credentials");
}

TEST_F(ProvidersLive, EcsFullUriWithToken) {
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url("/ecs/auth/creds").c_str(), 1);
  setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ecs-secret-token", 1);
  expect_issued(load());
  setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong-token-value", 1);
  auto c = load();
  expect_error(
      c, "ECS container: GET " + url("/ecs/auth/creds") + ": HTTP 401: bad or missing authorization token");
  EXPECT_EQ(c.error().message.find("wrong-token-value"), std::string::npos);
}

TEST_F(ProvidersLive, EcsTokenFileWinsOverToken) {
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url("/ecs/auth/creds").c_str(), 1);
  setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong-token-value", 1);
  write("eks-token", "ecs-secret-token\n");
  setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", path("eks-token").c_str(), 1);
  expect_issued(load());
}

TEST_F(ProvidersLive, EcsFullUriHostMustBeLocal) {
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://metadata.example.com/creds", 1);
  expect_error(load(), "host 'metadata.example.com' is not allowed");
  EXPECT_TRUE(requests().empty());
}

TEST_F(ProvidersLive, AssumeRoleWithSourceProfile) {
  write("credentials", "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = basesecret\n");
  write("config",
        "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/reader\nsource_profile = base\n"
        "role_session_name = my-session\nexternal_id = ext-1\nduration_seconds = 1800\n");
  setenv("AWS_ENDPOINT_URL_STS", url().c_str(), 1);
  auto c = load("dev");
  expect_issued(c);
  EXPECT_EQ(c->source, "profile dev (role arn:aws:iam::123456789012:role/reader via profile base)");
  const auto r = requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["action"], "AssumeRole");
  EXPECT_EQ(r[0]["signed_by"], "AKIDBASE");
  EXPECT_EQ(r[0]["sig_ok"], true);
  EXPECT_EQ(r[0]["sig_region"], "eu-central-1");
  EXPECT_EQ(r[0]["role_session_name"], "my-session");
  EXPECT_EQ(r[0]["external_id"], "ext-1");
  EXPECT_EQ(r[0]["duration_seconds"], "1800");
}

TEST_F(ProvidersLive, AssumeRoleChainSignsWithTheFirstRolesKeys) {
  write("config",
        "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = basesecret\n"
        "[profile first]\nrole_arn = arn:aws:iam::1:role/first\nsource_profile = base\n"
        "[profile second]\nrole_arn = arn:aws:iam::1:role/second\nsource_profile = first\n");
  setenv("AWS_ENDPOINT_URL", url().c_str(), 1);  // the general override reaches STS too
  expect_issued(load("second"));
  const auto r = requests();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0]["role_arn"], "arn:aws:iam::1:role/first");
  EXPECT_EQ(r[0]["signed_by"], "AKIDBASE");
  EXPECT_EQ(r[1]["role_arn"], "arn:aws:iam::1:role/second");
  EXPECT_EQ(r[1]["signed_by"], r[0]["issued"]);  // signed with the first role's keys and token
  EXPECT_EQ(r[1]["sig_ok"], true);
}

TEST_F(ProvidersLive, AssumeRoleSelfSourceAndCycle) {
  write("config",
        "[profile self]\nrole_arn = arn:aws:iam::1:role/self\nsource_profile = self\n"
        "aws_access_key_id = AKIDSTATIC\naws_secret_access_key = staticsecret\n"
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
        "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n");
  setenv("AWS_ENDPOINT_URL_STS", url().c_str(), 1);
  expect_issued(load("self"));
  EXPECT_EQ(requests().at(0)["signed_by"], "AKIDSTATIC");
  expect_error(load("a"), "profile 'a': source profile 'b': source_profile loop: a -> b -> a");
}

TEST_F(ProvidersLive, AssumeRoleFailuresStopTheChain) {
  setenv("AWS_ACCESS_KEY_ID", "AKIDSTATIC", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "staticsecret", 1);
  write("config",
        "[profile denied]\nrole_arn = arn:aws:iam::1:role/denied\ncredential_source = Environment\n"
        "[profile mfa]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = mfa\nmfa_serial = arn:mfa\n"
        "aws_access_key_id = A\naws_secret_access_key = B\n"
        "[profile nosource]\nrole_arn = arn:aws:iam::1:role/x\n"
        "[profile badsource]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Somewhere\n"
        "[profile missing]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = ghost\n");
  setenv("AWS_ENDPOINT_URL_STS", url().c_str(), 1);
  auto denied = load("denied");
  expect_error(denied,
               "credentials from profile 'denied': assume role arn:aws:iam::1:role/denied: STS AssumeRole "
               "failed: AccessDenied: Not authorized");
  EXPECT_EQ(requests().at(0)["signed_by"], "AKIDSTATIC");  // credential_source = Environment
  expect_error(load("mfa"), "needs an MFA code (mfa_serial), which s3fcp cannot prompt for");
  expect_error(load("nosource"), "role_arn needs source_profile or credential_source");
  expect_error(load("badsource"), "credential_source 'Somewhere' is not");
  expect_error(load("missing"), "source profile 'ghost' does not exist");
  expect_error(load("ghost"), "profile 'ghost': not found in ");
}

TEST_F(ProvidersLive, WebIdentityFromProfile) {
  write("token", "web-identity-token");
  write("config", "[profile wi]\nrole_arn = arn:aws:iam::1:role/web\nweb_identity_token_file = " +
                      path("token") + "\nrole_session_name = wi-session\n");
  setenv("AWS_ENDPOINT_URL_STS", url().c_str(), 1);
  auto c = load("wi");
  expect_issued(c);
  const auto r = requests().at(0);
  EXPECT_EQ(r["action"], "AssumeRoleWithWebIdentity");
  EXPECT_EQ(r["role_session_name"], "wi-session");
  EXPECT_FALSE(r["headers"].contains("authorization"));
  write("token", "some-other-token-value");
  expect_error(load("wi"), "web identity: STS AssumeRoleWithWebIdentity failed: InvalidIdentityToken");
}

TEST_F(ProvidersLive, WebIdentityFromEnv) {
  write("token", "web-identity-token\n");
  setenv("AWS_WEB_IDENTITY_TOKEN_FILE", path("token").c_str(), 1);
  setenv("AWS_ROLE_ARN", "arn:aws:iam::1:role/irsa", 1);
  setenv("AWS_ROLE_SESSION_NAME", "irsa-session", 1);
  setenv("AWS_ENDPOINT_URL_STS", url().c_str(), 1);
  auto c = load();
  expect_issued(c);
  EXPECT_EQ(c->source, "web identity arn:aws:iam::1:role/irsa");
  EXPECT_EQ(requests().at(0)["role_session_name"], "irsa-session");
  unsetenv("AWS_ROLE_ARN");
  expect_error(load(), "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
}

TEST_F(ProvidersLive, SsoSession) {
  write("config",
        "[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Reader\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n");
  write(".aws/sso/cache/" + sso_cache_file_name("corp"),
        R"({"accessToken": "sso-access-token", "expiresAt": "2099-01-01T00:00:00Z", "region": "eu-west-1"})");
  setenv("AWS_ENDPOINT_URL_SSO", url().c_str(), 1);
  auto c = load("sso");
  expect_issued(c);
  EXPECT_EQ(c->source, "sso Reader in 111122223333");
  const auto r = requests().at(0);
  EXPECT_EQ(r["path"], "/federation/credentials");
  EXPECT_EQ(r["query"]["role_name"][0], "Reader");
  EXPECT_EQ(r["query"]["account_id"][0], "111122223333");
}

TEST_F(ProvidersLive, SsoLegacyAndExpiredToken) {
  const std::string start_url = "https://legacy.awsapps.com/start";
  write("config", "[profile old]\nsso_start_url = " + start_url +
                      "\nsso_region = us-east-2\nsso_account_id = 1\nsso_role_name = Admin\n"
                      "[profile denied]\nsso_start_url = " +
                      start_url + "\nsso_region = us-east-2\nsso_account_id = 1\nsso_role_name = denied\n");
  const std::string cache = ".aws/sso/cache/" + sso_cache_file_name(start_url);
  write(cache, R"({"accessToken": "sso-access-token", "expiresAt": "2099-01-01T00:00:00UTC"})");
  setenv("AWS_ENDPOINT_URL_SSO", url().c_str(), 1);
  expect_issued(load("old"));
  expect_error(load("denied"), "SSO: no access to role denied in account 1 (ForbiddenException: No access)");
  write(cache, R"({"accessToken": "another-token-value", "expiresAt": "2099-01-01T00:00:00Z"})");
  expect_error(load("old"),
               "SSO token rejected (UnauthorizedException: Session token not found or invalid): run "
               "aws sso login --profile old");
  write(cache, R"({"accessToken": "sso-access-token", "expiresAt": "2020-01-01T00:00:00Z"})");
  const size_t before = requests().size();
  expect_error(load("old"), "profile 'old': SSO token expired: run aws sso login --profile old");
  EXPECT_EQ(requests().size(), before);
  fs::remove(path(cache));
  expect_error(load("old"), "no SSO token in the cache");
}

TEST_F(ProvidersLive, CredentialProcess) {
  write("proc.sh",
        "#!/bin/sh\necho \"starting\" >&2\nprintf '%s' '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", "
        "\"SecretAccessKey\": \"procsecret\", \"SessionToken\": \"proctoken\", "
        "\"Expiration\": \"2099-01-01T00:00:00+00:00\"}'\n");
  write("fail.sh", "#!/bin/sh\nexit 3\n");
  write("config", "[profile proc]\ncredential_process = /bin/sh " + path("proc.sh") +
                      " --flag=value\n[profile failing]\ncredential_process = /bin/sh " + path("fail.sh") +
                      "\n");
  auto c = load("proc");
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->access_key_id, "AKIDPROC");
  EXPECT_EQ(c->secret_access_key, "procsecret");
  EXPECT_EQ(c->session_token, "proctoken");
  EXPECT_EQ(c->source, "profile proc (credential_process)");
  expect_error(load("failing"), "profile 'failing': credential_process exited with status 3");
}

TEST_F(ProvidersLive, ChainOrder) {
  write("credentials",
        "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = filesecret\n"
        "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = devsecret\n");
  write("config",
        "[default]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = configsecret\n"
        "credential_process = /bin/false\n");
  setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/ecs/open/creds", 1);
  EXPECT_EQ(load().value().access_key_id,
            "AKIDFILE");  // the profile beats ECS; credentials file beats config
  setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
  EXPECT_EQ(load().value().access_key_id, "AKIDENV");  // env beats the profile
  setenv("AWS_PROFILE", "dev", 1);
  EXPECT_EQ(load().value().access_key_id, "AKIDENV");       // AWS_PROFILE does not displace env...
  EXPECT_EQ(load("dev").value().access_key_id, "AKIDDEV");  // ...--profile does, as in the AWS CLI
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  unsetenv("AWS_PROFILE");
  fs::remove(path("credentials"));
  expect_error(load(), "credential_process exited with status 1");  // process beats keys from the config file
  EXPECT_TRUE(requests().empty());
}

TEST_F(ProvidersLive, RefreshBeforeExpiryAndAfterInvalidate) {
  write("config",
        "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = basesecret\n"
        "[profile dev]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\nduration_seconds = 900\n");
  setenv("AWS_ENDPOINT_URL_STS", url().c_str(), 1);
  auto now = std::chrono::system_clock::now();
  CredentialChain::Options options;
  options.now = [&now] { return now; };
  auto first = load("dev", options);
  expect_issued(first);
  const auto start = now;
  now = start + std::chrono::minutes(9);  // 6 minutes left of 15: cached
  EXPECT_EQ(m_chain->get().value().access_key_id, first->access_key_id);
  EXPECT_EQ(issued().size(), 1u);
  now = start + std::chrono::minutes(10) + std::chrono::seconds(30);  // within the 5-minute margin
  auto second = m_chain->get();
  expect_issued(second);
  EXPECT_NE(second->access_key_id, first->access_key_id);
  m_chain->invalidate(second->access_key_id);  // as after an ExpiredToken from S3
  auto third = m_chain->get();
  expect_issued(third);
  EXPECT_NE(third->access_key_id, second->access_key_id);
  EXPECT_EQ(issued().size(), 3u);
}

}  // namespace
}  // namespace s3fcp
