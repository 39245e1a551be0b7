#include <doctest/doctest.h>

#include "host/core/error.hpp"
#include "host/core/secret.hpp"

using orscript::Secret;

TEST_CASE("the redacted form keeps the prefix and the last four characters only") {
  Secret s("sk-or-v1-0123456789abcdef0123456789abcdef");
  CHECK(s.redacted() == "sk-or-v1-…cdef");
  CHECK(s.redacted().find("0123456789") == std::string::npos);
  CHECK(Secret().redacted() == "(none)");
  CHECK(Secret("short").redacted() == "…");
}

TEST_CASE("scrub replaces every occurrence of the key") {
  Secret s("sk-or-v1-SECRETSECRETSECRET");
  std::string text = "a sk-or-v1-SECRETSECRETSECRET b sk-or-v1-SECRETSECRETSECRET";
  auto out = s.scrub(text);
  CHECK(out.find("SECRETSECRET") == std::string::npos);
  CHECK(out == "a sk-or-v1-…CRET b sk-or-v1-…CRET");
  CHECK(Secret().scrub("nothing") == "nothing");
}

TEST_CASE("every error kind maps to its documented exit code") {
  using orscript::ErrorKind;
  using orscript::exit_code_for;
  CHECK(exit_code_for(ErrorKind::script) == 1);
  CHECK(exit_code_for(ErrorKind::usage) == 2);
  CHECK(exit_code_for(ErrorKind::auth) == 3);
  CHECK(exit_code_for(ErrorKind::api) == 4);
  CHECK(exit_code_for(ErrorKind::rate_limit) == 5);
  CHECK(exit_code_for(ErrorKind::http) == 6);
  CHECK(exit_code_for(ErrorKind::tls) == 6);
  CHECK(exit_code_for(ErrorKind::timeout) == 6);
  CHECK(exit_code_for(ErrorKind::data) == 7);
  CHECK(exit_code_for(ErrorKind::internal) == 70);
  CHECK(exit_code_for(ErrorKind::interrupted) == 130);
  for (auto k : {ErrorKind::usage, ErrorKind::rate_limit, ErrorKind::interrupted})
    CHECK(orscript::kind_from_name(orscript::kind_name(k)) == k);
}
