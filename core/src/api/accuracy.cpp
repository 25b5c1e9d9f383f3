#include "vramplan/api/accuracy.hpp"

#include <cmath>

#include "vramplan/api/api.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan {
namespace {

using nlohmann::json;

double unit_bytes(const std::string& unit) {
  if (unit == "GiB") return 1073741824.0;
  if (unit == "MiB") return 1048576.0;
  if (unit == "GB") return 1e9;
  if (unit == "MB") return 1e6;
  return 1.0;  // tokens, blocks, x, bytes, params
}

// Reads a JSON pointer from a result; NaN when absent or not a number.
double at(const json& result, const std::string& path) {
  const json::json_pointer ptr(path);
  if (!result.contains(ptr)) return std::nan("");
  const json& v = result.at(ptr);
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  return v.is_number() ? v.get<double>() : std::nan("");
}

std::string show(double value, const std::string& unit, int decimals) {
  if (std::isnan(value)) return "-";
  const double u = unit_bytes(unit);
  return fmt_num(value / u, decimals) + (unit.empty() ? "" : " " + unit);
}

}  // namespace

json run_accuracy(const json& cases) {
  json rows = json::array();
  int passed = 0, failed = 0;
  if (!cases.is_object() || !cases.contains("cases") || !cases["cases"].is_array())
    return json{{"error", "cases must be {\"cases\": [...]}"}};
  for (const auto& c : cases["cases"]) {
    const json request = c.value("request", json::object());
    const json result = request.empty() ? json::object() : estimate_json(request);
    for (const auto& check : c.value("checks", json::array())) {
      json row = {{"id", c.value("id", "")},
                  {"source", c.value("source", "")},
                  {"engine", c.value("engine", "")},
                  {"model", c.value("model", "")},
                  {"hardware", c.value("hardware", "")},
                  {"check", check.value("name", "")},
                  {"rule", check.value("rule", "exact")},
                  {"unit", check.value("unit", "")},
                  {"note", check.value("note", c.value("note", ""))}};
      const std::string rule = check.value("rule", "exact");
      const std::string unit = check.value("unit", "");
      const bool byte_unit = unit == "GiB" || unit == "MiB" || unit == "GB" || unit == "MB";
      const int decimals = check.value("decimals", byte_unit ? 2 : 0);
      const double scale = unit_bytes(unit);
      const double reported = check.value("reported", std::nan("")) * scale;
      bool ok = false;
      double ours = std::nan("");
      if (result.contains("error")) {
        row["ours"] = "error: " + result["error"].value("message", "");
      } else if (rule == "interval") {
        // The log printed an input rounded to `decimals`: the rule holds if the reported figure lies between
        // what the two ends of that rounding interval give.
        const json& iv = check["interval"];
        const double printed = iv.value("printed", 0.0) * unit_bytes(iv.value("unit", ""));
        const double half = 0.5 * std::pow(10.0, -iv.value("decimals", 2)) * unit_bytes(iv.value("unit", ""));
        json lo_req = request, hi_req = request;
        lo_req["engine_options"][iv.value("option", "")] = static_cast<std::int64_t>(std::ceil(printed - half));
        hi_req["engine_options"][iv.value("option", "")] = static_cast<std::int64_t>(std::floor(printed + half));
        const double lo = at(estimate_json(lo_req), check.value("path", ""));
        const double hi = at(estimate_json(hi_req), check.value("path", ""));
        ok = !std::isnan(lo) && !std::isnan(hi) && reported >= lo && reported <= hi;
        row["ours"] = show(lo, unit, decimals) + " .. " + show(hi, unit, decimals);
        ours = (lo + hi) / 2;
      } else {
        ours = at(result, check.value("path", ""));
        row["ours"] = show(ours, unit, decimals);
        if (!std::isnan(ours)) {
          if (rule == "exact") {
            ok = ours == reported;
          } else if (rule == "printed") {
            // Equal to the figure as the engine printed it, rounded to the same digits.
            ok = std::fabs(ours / scale - reported / scale) <= 0.5 * std::pow(10.0, -decimals) + 1e-9;
          } else if (rule == "info") {
            ok = true;  // listed with its error; outside what the profile models (the note says why)
          } else if (rule == "bound") {
            const double rel = check.value("rel", 0.0), abs_units = check.value("abs", 0.0);
            const double err = std::fabs(ours - reported);
            ok = (rel > 0 && err <= rel * std::fabs(reported)) || (abs_units > 0 && err <= abs_units * scale);
            row["bound"] = (rel > 0 ? fmt_num(rel * 100, 1) + " %" : std::string()) +
                           (rel > 0 && abs_units > 0 ? " or " : "") +
                           (abs_units > 0 ? fmt_num(abs_units, 2) + " " + unit : std::string());
          }
        }
      }
      row["reported"] = show(reported, unit, decimals);
      if (!std::isnan(ours) && !std::isnan(reported) && reported != 0 && rule != "interval") {
        row["error_pct"] = (ours - reported) / std::fabs(reported) * 100.0;
      }
      row["pass"] = ok;
      (ok ? passed : failed) += 1;
      rows.push_back(row);
    }
    if (c.contains("not_modelled")) {
      rows.push_back({{"id", c.value("id", "")},
                      {"source", c.value("source", "")},
                      {"engine", c.value("engine", "")},
                      {"model", c.value("model", "")},
                      {"hardware", c.value("hardware", "")},
                      {"check", "-"},
                      {"rule", "not modelled"},
                      {"reported", c.value("reported_summary", "")},
                      {"ours", "-"},
                      {"note", c["not_modelled"]},
                      {"pass", nullptr}});
    }
  }
  return json{{"rows", rows}, {"passed", passed}, {"failed", failed}};
}

std::string accuracy_markdown(const json& report) {
  std::string md =
      "# Accuracy\n\n"
      "Generated by `build/dev/bin/vramplan accuracy tests/reference/cases.json --markdown > ACCURACY.md`; "
      "CI regenerates it and fails if this file differs. Each row is one figure an engine printed (or an "
      "official figure), the tool's figure for the same settings, and the rule it is held to:\n\n"
      "- **exact**: equal; **printed**: equal to the digits the engine printed; **interval**: the engine "
      "printed an input rounded, and the reported figure lies between what the two ends of that rounding "
      "give; **bound**: within the stated error, for figures that depend on measured quantities "
      "(activation peaks, allocator overheads); **info**: shown with its error but outside what the profile "
      "models (the note says why).\n\n";
  md += "Passed " + std::to_string(report.value("passed", 0)) + ", failed " +
        std::to_string(report.value("failed", 0)) + ".\n\n";
  md += "| case | engine | model | hardware | figure | reported | ours | error | rule | ok | source / note |\n";
  md += "|---|---|---|---|---|---|---|---|---|---|---|\n";
  auto cell = [](std::string s) {
    for (auto& ch : s)
      if (ch == '|' || ch == '\n') ch = ' ';
    return s;
  };
  for (const auto& row : report["rows"]) {
    std::string err = row.contains("error_pct") ? fmt_num(row["error_pct"].get<double>(), 2) + " %" : "";
    std::string rule = row.value("rule", "");
    if (row.contains("bound")) rule += " (" + row["bound"].get<std::string>() + ")";
    std::string ok = row["pass"].is_null() ? "-" : (row["pass"].get<bool>() ? "yes" : "**no**");
    std::string note = row.value("source", "");
    if (!row.value("note", "").empty()) note += "; " + row.value("note", "");
    md += "| " + cell(row.value("id", "")) + " | " + cell(row.value("engine", "")) + " | " +
          cell(row.value("model", "")) + " | " + cell(row.value("hardware", "")) + " | " +
          cell(row.value("check", "")) + " | " + cell(row.value("reported", "")) + " | " + cell(row.value("ours", "")) +
          " | " + err + " | " + cell(rule) + " | " + ok + " | " + cell(note) + " |\n";
  }
  return md;
}

}  // namespace vramplan
