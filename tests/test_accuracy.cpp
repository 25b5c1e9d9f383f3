// The published accuracy table: every reference case computed, each check held to its rule.
#include <fstream>
#include <sstream>

#include "catch.hpp"
#include "support.hpp"
#include "vramplan/api/accuracy.hpp"

using vt::json;

TEST_CASE("accuracy: every reference case meets its rule", "[accuracy]") {
  std::ifstream f(std::string(VRAMPLAN_SOURCE_DIR) + "/tests/reference/cases.json");
  std::stringstream ss;
  ss << f.rdbuf();
  json cases = json::parse(ss.str(), nullptr, false);
  REQUIRE_FALSE(cases.is_discarded());
  json report = vramplan::run_accuracy(cases);
  REQUIRE_FALSE(report.contains("error"));
  int exact = 0;
  for (const auto& row : report["rows"]) {
    CAPTURE(row.dump());
    if (row["pass"].is_boolean()) CHECK(row["pass"].get<bool>());
    const std::string rule = row["rule"];
    if (rule == "exact" || rule == "printed" || rule == "interval") ++exact;
  }
  CHECK(report["failed"] == 0);
  CHECK(exact >= 15);  // the deterministic rules are most of the table
}

TEST_CASE("accuracy: a wrong expectation is caught", "[accuracy]") {
  json cases = {
      {"cases",
       {{{"id", "t"},
         {"request", {{"model", "meta-llama/Meta-Llama-3-8B"}}},
         {"checks",
          {{{"name", "kv"}, {"path", "/kv_cache/bytes_per_token"}, {"reported", 131073}, {"rule", "exact"}},
           {{"name", "kv2"}, {"path", "/kv_cache/bytes_per_token"}, {"reported", 131072}, {"rule", "exact"}}}}}}}};
  json report = vramplan::run_accuracy(cases);
  CHECK(report["failed"] == 1);
  CHECK(report["passed"] == 1);
}
