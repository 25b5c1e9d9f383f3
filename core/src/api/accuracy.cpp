#include "vramplan/api/accuracy.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "vramplan/api/api.hpp"
#include "vramplan/common/strings.hpp"
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

// Per engine and figure: how many figures are within 1 % and 3 % (of the GPU's memory where the check measures
// its error so, else of the reported figure; exact, printed and interval rows count as within 1 % when they hold).
json summarise(const json& rows) {
  struct Tally {
    int n = 0, within1 = 0, within3 = 0;
    bool gpu = false;
    std::set<std::string> logs;
  };
  std::map<std::pair<std::string, std::string>, Tally> by;
  for (const auto& row : rows) {
    if (row["pass"].is_null() || row.value("figure", "").empty() || row.value("serving", false)) continue;
    Tally& t = by[{row.value("engine_family", ""), row.value("figure", "")}];
    ++t.n;
    t.logs.insert(row.value("id", ""));
    double err = std::nan("");
    if (row.contains("error_gpu_pct")) {
      err = std::fabs(row["error_gpu_pct"].get<double>());
      t.gpu = true;
    } else if (row.contains("error_pct") && row.value("rule", "") != "printed" && row.value("rule", "") != "exact") {
      err = std::fabs(row["error_pct"].get<double>());
    } else if (row["pass"].get<bool>()) {
      err = 0;
    }
    if (!std::isnan(err) && err <= 1.0) ++t.within1;
    if (!std::isnan(err) && err <= 3.0) ++t.within3;
  }
  json out = json::array();
  for (const auto& [key, t] : by)
    out.push_back({{"engine", key.first},
                   {"figure", key.second},
                   {"figures", t.n},
                   {"logs", static_cast<int>(t.logs.size())},
                   {"within_1_pct", t.within1},
                   {"within_3_pct", t.within3},
                   {"of_gpu_memory", t.gpu}});
  return out;
}

// Serving figures per engine and figure: how many are within 20 % and 50 % of the measurement, and the median
// ratio ours / measured.
json summarise_serving(const json& rows) {
  std::map<std::pair<std::string, std::string>, std::vector<double>> by;
  for (const auto& row : rows)
    if (row.value("serving", false) && row.contains("ratio"))
      by[{row.value("engine_family", ""), row.value("figure", "")}].push_back(row["ratio"].get<double>());
  json out = json::array();
  for (auto& [key, ratios] : by) {
    std::sort(ratios.begin(), ratios.end());
    int w20 = 0, w50 = 0;
    for (double r : ratios) {
      w20 += std::fabs(r - 1.0) <= 0.2;
      w50 += std::fabs(r - 1.0) <= 0.5;
    }
    const std::size_t n = ratios.size();
    const double median = n % 2 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2.0;
    out.push_back({{"engine", key.first},
                   {"figure", key.second},
                   {"figures", static_cast<int>(n)},
                   {"within_20_pct", w20},
                   {"within_50_pct", w50},
                   {"median_ratio", median}});
  }
  return out;
}

}  // namespace

json run_accuracy(const json& cases) {
  json rows = json::array();
  int passed = 0, failed = 0;
  if (!cases.is_object() || !cases.contains("cases") || !cases["cases"].is_array())
    return json{{"error", "cases must be {\"cases\": [...]}"}};
  for (const auto& c : cases["cases"]) {
    const json request = c.value("request", json::object());
    const bool serving = c.value("command", "") == "perf";
    const json result = request.empty() ? json::object() : serving ? perf_json(request) : estimate_json(request);
    // The GPU memory an error is measured against where a check says so: the total the engine starts from.
    double gpu_total = at(result, "/engine_report/total_gpu_memory_bytes");
    if (std::isnan(gpu_total)) gpu_total = at(result, "/per_gpu/0/capacity");
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
        // A figure the engine prints rounded (concurrency to 2 decimals) may sit one printed unit outside.
        const double slack = check.contains("decimals") ? (std::pow(10.0, -decimals) + 1e-9) * scale : 0.0;
        ok = !std::isnan(lo) && !std::isnan(hi) && reported >= lo - slack && reported <= hi + slack;
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
            const double gpu_pct = check.value("gpu_pct", 0.0);
            const double err = std::fabs(ours - reported);
            ok = (rel > 0 && err <= rel * std::fabs(reported)) || (abs_units > 0 && err <= abs_units * scale) ||
                 (gpu_pct > 0 && gpu_total > 0 && err <= gpu_pct / 100.0 * gpu_total);
            std::vector<std::string> parts;
            if (rel > 0) parts.push_back(fmt_num(rel * 100, 1) + " %");
            if (abs_units > 0) parts.push_back(fmt_num(abs_units, 2) + " " + unit);
            if (gpu_pct > 0) parts.push_back(fmt_num(gpu_pct, 1) + " % of GPU");
            row["bound"] = join(parts, " or ");
          }
        }
      }
      row["reported"] = show(reported, unit, decimals);
      if (!std::isnan(ours) && !std::isnan(reported) && reported != 0 && rule != "interval") {
        row["error_pct"] = (ours - reported) / std::fabs(reported) * 100.0;
      }
      if (check.contains("gpu_pct") && !std::isnan(ours) && !std::isnan(reported) && gpu_total > 0)
        row["error_gpu_pct"] = (ours - reported) / gpu_total * 100.0;
      row["figure"] = check.value("figure", "");
      row["engine_family"] = c.value("engine", "");
      if (serving) {
        row["serving"] = true;
        row["workload"] = c.value("workload", "");
        if (!std::isnan(ours) && reported > 0 && ours > 0) row["ratio"] = ours / reported;
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
  return json{{"rows", rows},
              {"passed", passed},
              {"failed", failed},
              {"summary", summarise(rows)},
              {"serving_summary", summarise_serving(rows)}};
}

namespace {

std::string md_cell(std::string s) {
  for (auto& ch : s)
    if (ch == '|' || ch == '\n') ch = ' ';
  return s;
}

// The serving section: `vramplan perf` on published measurements (tests/reference/serving_cases.json).
std::string serving_markdown(const json& report) {
  if (!report.contains("serving_summary") || report["serving_summary"].empty()) return "";
  std::string md =
      "\n## Serving\n\n"
      "`vramplan perf` on published measurements with their full settings (tests/reference/serving_cases.json): "
      "TensorRT-LLM performance tables, NVIDIA NIM benchmarks, vLLM, SGLang and AMD ROCm results. Ratio = ours / "
      "measured. Per engine and figure:\n\n"
      "| engine | figure | figures | within 20 % | within 50 % | median ratio |\n|---|---|---|---|---|---|\n";
  for (const auto& t : report["serving_summary"])
    md += "| " + t.value("engine", "") + " | " + t.value("figure", "") + " | " + std::to_string(t.value("figures", 0)) +
          " | " + std::to_string(t.value("within_20_pct", 0)) + " | " + std::to_string(t.value("within_50_pct", 0)) +
          " | " + fmt_num(t.value("median_ratio", 0.0), 2) + " |\n";
  md +=
      "\n| case | engine | model | hardware | load | figure | measured | ours | ratio | source / note |\n"
      "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& row : report["rows"]) {
    if (!row.value("serving", false)) continue;
    const std::string ratio = row.contains("ratio") ? fmt_num(row["ratio"].get<double>(), 2) : "-";
    std::string note = row.value("source", "");
    if (!row.value("note", "").empty()) note += "; " + row.value("note", "");
    md += "| " + md_cell(row.value("id", "")) + " | " + md_cell(row.value("engine", "")) + " | " +
          md_cell(row.value("model", "")) + " | " + md_cell(row.value("hardware", "")) + " | " +
          md_cell(row.value("workload", "")) + " | " + md_cell(row.value("check", "")) + " | " +
          md_cell(row.value("reported", "")) + " | " + md_cell(row.value("ours", "")) + " | " + ratio + " | " +
          md_cell(note) + " |\n";
  }
  return md;
}

}  // namespace

std::string accuracy_markdown(const json& report) {
  std::string md =
      "# Accuracy\n\n"
      "Generated by `build/dev/bin/vramplan accuracy tests/reference/cases.json tests/reference/serving_cases.json > "
      "ACCURACY.md`; "
      "CI regenerates it and fails if this file differs. Each row is one figure an engine printed (or an "
      "official figure), the tool's figure for the same settings, and the rule it is held to:\n\n"
      "- **exact**: equal; **printed**: equal to the digits the engine printed; **interval**: the engine "
      "printed an input rounded, and the reported figure lies between what the two ends of that rounding "
      "give; **bound**: within the stated error, for figures that depend on measured quantities "
      "(activation peaks, allocator overheads); **info**: shown with its error but outside what the profile "
      "models (the note says why).\n\n";
  md += "Passed " + std::to_string(report.value("passed", 0)) + ", failed " +
        std::to_string(report.value("failed", 0)) + ".\n\n";
  if (report.contains("summary") && !report["summary"].empty()) {
    md +=
        "Per engine and figure: how many of the engines' own figures the tool reproduces within 1 % and 3 % "
        "(of the GPU's memory for memory figures that depend on measured quantities, else of the figure).\n\n"
        "| engine | figure | figures | logs | within 1 % | within 3 % | error measured against |\n"
        "|---|---|---|---|---|---|---|\n";
    for (const auto& t : report["summary"])
      md += "| " + t.value("engine", "") + " | " + t.value("figure", "") + " | " +
            std::to_string(t.value("figures", 0)) + " | " + std::to_string(t.value("logs", 0)) + " | " +
            std::to_string(t.value("within_1_pct", 0)) + " | " + std::to_string(t.value("within_3_pct", 0)) + " | " +
            (t.value("of_gpu_memory", false) ? "GPU memory" : "the figure") + " |\n";
    md += "\n";
  }
  md += "| case | engine | model | hardware | figure | reported | ours | error | rule | ok | source / note |\n";
  md += "|---|---|---|---|---|---|---|---|---|---|---|\n";
  auto cell = [](std::string s) {
    for (auto& ch : s)
      if (ch == '|' || ch == '\n') ch = ' ';
    return s;
  };
  for (const auto& row : report["rows"]) {
    if (row.value("serving", false)) continue;
    std::string err = row.contains("error_pct") ? fmt_num(row["error_pct"].get<double>(), 2) + " %" : "";
    if (row.contains("error_gpu_pct"))
      err += (err.empty() ? "" : " (") + fmt_num(row["error_gpu_pct"].get<double>(), 2) + " % of GPU" +
             (err.empty() ? "" : ")");
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
  return md + serving_markdown(report);
}

}  // namespace vramplan
