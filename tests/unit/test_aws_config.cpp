// The shared-config INI dialect (parse_ini, build_shared_config) and the lookups built on it: profile
// selection, credentials-over-config merging, endpoint_url and addressing_style from profiles and [services]
// sections.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "resolve/aws_config.h"
#include "test_support.h"

namespace s3fcp {
namespace {

IniDocument parse_ok(std::string_view text) {
  auto doc = parse_ini(text, "config");
  EXPECT_TRUE(doc.has_value()) << doc.error().message;
  return doc.value_or(IniDocument{});
}

SharedConfig shared(std::string_view config, std::string_view credentials = "") {
  return build_shared_config(parse_ok(config), parse_ok(credentials));
}

TEST(AwsConfigTest, ProfileSectionsInConfigAndCredentials) {
  const SharedConfig c = shared(
      "[default]\nregion = us-west-1\n"
      "[profile dev]\nregion = eu-west-1\n"
      "[dev]\nregion = ignored: not a profile header in the config file\n",
      "[dev]\naws_access_key_id = AKID\n[profile prod]\naws_access_key_id = literal-name\n");
  EXPECT_EQ(c.profile("default").get("region"), "us-west-1");
  const Profile dev = c.profile("dev");
  EXPECT_TRUE(dev.in_config);
  EXPECT_TRUE(dev.in_credentials);
  EXPECT_EQ(dev.get("region"), "eu-west-1");
  EXPECT_EQ(dev.get("aws_access_key_id"), "AKID");
  // In the credentials file the section name is the profile name, verbatim.
  EXPECT_FALSE(c.profile("prod").exists());
  EXPECT_TRUE(c.profile("profile prod").exists());
  EXPECT_FALSE(c.profile("missing").exists());
}

TEST(AwsConfigTest, ProfileDefaultWinsOverDefault) {
  EXPECT_EQ(shared("[profile default]\nregion = a\n[default]\nregion = b\n").profile("default").get("region"),
            "a");
  EXPECT_EQ(shared("[default]\nregion = b\n[profile default]\nregion = a\n").profile("default").get("region"),
            "a");
}

TEST(AwsConfigTest, HeaderWhitespaceAndQuotes) {
  const SharedConfig c = shared(
      "[profile   spaced  ]\nregion = r1\n[profile \"my name\"]\nregion = r2\n"
      "[profiledev]\nregion = r3\n[profile a b]\nregion = r4\n");
  EXPECT_EQ(c.profile("spaced").get("region"), "r1");
  EXPECT_EQ(c.profile("my name").get("region"), "r2");
  EXPECT_FALSE(c.profile("profiledev").exists());
  EXPECT_FALSE(c.profile("dev").exists());
  EXPECT_FALSE(c.profile("a").exists());  // three words: not a profile header
}

TEST(AwsConfigTest, ClassifiesHeaders) {
  EXPECT_EQ(classify_config_header("sso-session corp").kind, "sso-session");
  EXPECT_EQ(classify_config_header("sso-session corp").name, "corp");
  EXPECT_EQ(classify_config_header("services local").kind, "services");
  EXPECT_EQ(classify_config_header("default").name, "default");
  EXPECT_EQ(classify_config_header("preview").kind, "");
  EXPECT_EQ(classify_config_header("profile").kind, "");
}

TEST(AwsConfigTest, Comments) {
  const IniDocument doc = parse_ok(
      "# full line\n; full line too\n  # indented comment\n[default] # after header\n"
      "region = us-east-1 # inline after a space\n"
      "endpoint_url = http://h/#frag;x\n"
      "a = b\t;tab before\n"
      "c = #only a comment\n");
  ASSERT_EQ(doc.sections.size(), 1u);
  const ConfigSection& s = doc.sections[0];
  EXPECT_EQ(s.get("region"), "us-east-1");
  EXPECT_EQ(s.get("endpoint_url"), "http://h/#frag;x");
  EXPECT_EQ(s.get("a"), "b");
  EXPECT_EQ(s.get("c"), "");  // "= #..." has whitespace before the '#': all comment, as in the SDKs
}

TEST(AwsConfigTest, KeysAreTrimmedAndLowercasedValuesKeepEquals) {
  const IniDocument doc = parse_ok(
      "[default]\n  AWS_Access_Key_ID   =   AKID  \r\n"
      "role_arn=arn:aws:iam::123:role/x\n"
      "credential_process = /bin/tool --opt=a=b\n"
      "colon_key: value with = sign\n");
  const ConfigSection& s = doc.sections.at(0);
  EXPECT_EQ(s.get("aws_access_key_id"), "AKID");
  EXPECT_EQ(s.get("role_arn"), "arn:aws:iam::123:role/x");
  EXPECT_EQ(s.get("credential_process"), "/bin/tool --opt=a=b");
  EXPECT_EQ(s.get("colon_key"), "value with = sign");
}

TEST(AwsConfigTest, NestedSettings) {
  const IniDocument doc = parse_ok(
      "[profile dev]\n"
      "s3 =\n"
      "  addressing_style = path\n"
      "\n"
      "  endpoint_url = http://127.0.0.1:9000/x?a=b\n"
      "region = eu-west-1\n"
      "ec2 =\n"
      "\tendpoint_url = http://ec2\n");
  const ConfigSection& s = doc.sections.at(0);
  EXPECT_EQ(s.get_nested("s3", "addressing_style"), "path");
  EXPECT_EQ(s.get_nested("s3", "endpoint_url"), "http://127.0.0.1:9000/x?a=b");
  EXPECT_EQ(s.get_nested("ec2", "endpoint_url"), "http://ec2");
  EXPECT_EQ(s.get("region"), "eu-west-1");
  EXPECT_TRUE(s.has("s3"));
  EXPECT_EQ(s.get("s3"), "");
}

TEST(AwsConfigTest, ContinuationOfANonEmptyValue) {
  const IniDocument doc = parse_ok("[default]\nkey = first\n  second\n");
  EXPECT_EQ(doc.sections.at(0).get("key"), "first\nsecond");
}

TEST(AwsConfigTest, RepeatedSectionsMergeLastKeyWins) {
  const SharedConfig c = shared("[profile a]\nregion = r1\nx = 1\n[profile b]\n[profile a]\nregion = r2\n");
  EXPECT_EQ(c.profile("a").get("region"), "r2");
  EXPECT_EQ(c.profile("a").get("x"), "1");
}

TEST(AwsConfigTest, SyntaxErrorsNameFileAndLine) {
  for (const auto& [text, line] : std::vector<std::pair<std::string, std::string>>{
           {"region = x\n", "line 1"},
           {"[default]\n\njust words\n", "line 3"},
           {"[default\nregion = x\n", "line 1"},
           {"[]\n", "line 1"},
           {"[default]\n= value\n", "line 2"},
           {"[default]\ns3 =\n  no equals here\n", "line 3"},
       }) {
    SCOPED_TRACE(text);
    const auto doc = parse_ini(text, "/home/u/.aws/config");
    ASSERT_FALSE(doc.has_value());
    EXPECT_EQ(doc.error().kind, ErrorKind::Usage);
    EXPECT_NE(doc.error().message.find("/home/u/.aws/config " + line), std::string::npos)
        << doc.error().message;
  }
}

TEST(AwsConfigTest, EmptyAndCommentOnlyFiles) {
  EXPECT_TRUE(parse_ok("").sections.empty());
  EXPECT_TRUE(parse_ok("\n\n# nothing\n").sections.empty());
}

TEST(AwsConfigTest, SsoSessionAndServicesSections) {
  const SharedConfig c = shared(
      "[profile dev]\nsso_session = corp\nservices = local\n"
      "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
      "[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:9000\nsts =\n  endpoint_url = "
      "http://sts.local\n");
  ASSERT_NE(c.sso_session("corp"), nullptr);
  EXPECT_EQ(c.sso_session("corp")->get("sso_region"), "us-east-1");
  ASSERT_NE(c.services_section("local"), nullptr);
  EXPECT_EQ(c.services_section("local")->get_nested("s3", "endpoint_url"), "http://127.0.0.1:9000");
  EXPECT_EQ(c.sso_session("nope"), nullptr);
}

TEST(AwsConfigTest, SelectProfileName) {
  EXPECT_EQ(select_profile_name("cli", env_of({{"AWS_PROFILE", "env"}})), "cli");
  EXPECT_EQ(select_profile_name("", env_of({{"AWS_PROFILE", "env"}, {"AWS_DEFAULT_PROFILE", "old"}})), "env");
  EXPECT_EQ(select_profile_name("", env_of({{"AWS_DEFAULT_PROFILE", "old"}})), "old");
  EXPECT_EQ(select_profile_name("", env_of({})), "default");
  EXPECT_TRUE(profile_explicitly_selected("cli", env_of({})));
  EXPECT_TRUE(profile_explicitly_selected("", env_of({{"AWS_PROFILE", "env"}})));
  EXPECT_FALSE(profile_explicitly_selected("", env_of({})));
}

TEST(AwsConfigTest, ConfigPathsFromEnvAndHome) {
  const ConfigPaths d = config_paths(env_of({{"HOME", "/home/u"}}));
  EXPECT_EQ(d.config, "/home/u/.aws/config");
  EXPECT_EQ(d.credentials, "/home/u/.aws/credentials");
  const ConfigPaths e = config_paths(env_of(
      {{"HOME", "/home/u"}, {"AWS_CONFIG_FILE", "~/cfg"}, {"AWS_SHARED_CREDENTIALS_FILE", "/etc/creds"}}));
  EXPECT_EQ(e.config, "/home/u/cfg");
  EXPECT_EQ(e.credentials, "/etc/creds");
}

TEST(AwsConfigTest, EndpointUrlPrecedence) {
  const SharedConfig c = shared(
      "[profile dev]\nendpoint_url = http://profile\nservices = local\n"
      "[profile plain]\nendpoint_url = http://plain\n"
      "[profile ignoring]\nendpoint_url = http://plain\nignore_configured_endpoint_urls = true\n"
      "[services local]\ns3 =\n  endpoint_url = http://services-s3\n");
  const Profile dev = c.profile("dev");
  EXPECT_EQ(configured_endpoint_url(c, dev, "s3", env_of({})), "http://services-s3");
  EXPECT_EQ(configured_endpoint_url(c, dev, "sts", env_of({})),
            "http://profile");  // no sts in [services local]
  EXPECT_EQ(configured_endpoint_url(c, dev, "s3", env_of({{"AWS_ENDPOINT_URL", "http://env"}})),
            "http://env");
  EXPECT_EQ(configured_endpoint_url(
                c, dev, "s3",
                env_of({{"AWS_ENDPOINT_URL", "http://env"}, {"AWS_ENDPOINT_URL_S3", "http://env-s3"}})),
            "http://env-s3");
  EXPECT_EQ(configured_endpoint_url(c, dev, "sts", env_of({{"AWS_ENDPOINT_URL_S3", "http://env-s3"}})),
            "http://profile");
  EXPECT_EQ(configured_endpoint_url(c, dev, "s3",
                                    env_of({{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE"},
                                            {"AWS_ENDPOINT_URL_S3", "http://env-s3"}})),
            "");
  EXPECT_EQ(configured_endpoint_url(c, c.profile("plain"), "sso", env_of({})), "http://plain");
  EXPECT_EQ(configured_endpoint_url(c, c.profile("ignoring"), "s3", env_of({})), "");
  // The environment's "false" overrides the profile's "true".
  EXPECT_EQ(configured_endpoint_url(c, c.profile("ignoring"), "s3",
                                    env_of({{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false"}})),
            "http://plain");
  EXPECT_EQ(configured_endpoint_url(c, c.profile("missing"), "s3", env_of({})), "");
}

TEST(AwsConfigTest, CaBundlePrecedence) {
  const SharedConfig c = shared("[profile dev]\nca_bundle = /etc/corp-ca.pem\n[profile plain]\nregion = r\n");
  const Profile dev = c.profile("dev");
  EXPECT_EQ(resolve_ca_bundle("", dev, env_of({})), "/etc/corp-ca.pem");
  EXPECT_EQ(resolve_ca_bundle("", dev, env_of({{"AWS_CA_BUNDLE", "/env.pem"}})), "/env.pem");
  EXPECT_EQ(resolve_ca_bundle("/flag.pem", dev, env_of({{"AWS_CA_BUNDLE", "/env.pem"}})), "/flag.pem");
  EXPECT_EQ(resolve_ca_bundle("", c.profile("plain"), env_of({})), "");
}

TEST(AwsConfigTest, RegionAndAddressingStyle) {
  const SharedConfig c = shared("[profile dev]\nregion = eu-west-1\ns3 =\n  addressing_style = virtual\n",
                                "[dev]\nregion = eu-central-1\n");
  EXPECT_EQ(profile_region(c.profile("dev")), "eu-central-1");  // the credentials file wins
  EXPECT_EQ(profile_addressing_style(c.profile("dev")), "virtual");
  EXPECT_EQ(profile_addressing_style(c.profile("other")), "");
}

TEST(AwsConfigTest, LoadProfileFromFiles) {
  const auto dir = std::filesystem::temp_directory_path() / ("s3fcp-config-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "config") << "[profile dev]\nregion = eu-west-1\naws_access_key_id = FROMCONFIG\n";
  std::ofstream(dir / "credentials") << "[dev]\naws_access_key_id = FROMCREDS\n";
  auto p = load_profile("dev", (dir / "config").string(), (dir / "credentials").string());
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->get("aws_access_key_id"), "FROMCREDS");
  EXPECT_EQ(p->get("region"), "eu-west-1");
  // Missing files are empty; a malformed one is an error naming it.
  auto none = load_profile("dev", (dir / "nope").string(), (dir / "nope2").string());
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->exists());
  std::ofstream(dir / "bad") << "[dev\n";
  auto bad = load_profile("dev", (dir / "bad").string(), "");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find((dir / "bad").string() + " line 1"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace s3fcp
