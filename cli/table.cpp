#include "table.hpp"

#include <cstdint>
#include <sstream>

#include "vramplan/common/units.hpp"

namespace vramplan::cli {
namespace {

using nlohmann::json;

std::string pad_right(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}
std::string pad_left(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}
std::int64_t i64(const json& j) { return j.is_number() ? j.get<std::int64_t>() : 0; }
// A coded text's English: {"code", "message", ...} (API.md); plain strings pass through.
std::string text(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
  return std::string();
}
std::string gb(std::int64_t b) { return fmt_num(static_cast<double>(b) / 1e9, 2); }
std::string gib(std::int64_t b) { return fmt_num(static_cast<double>(b) / 1073741824.0, 2); }

// Wraps a long explanation under a table row.
void explain_lines(std::ostringstream& os, const std::string& text) {
  const std::size_t width = 96;
  std::string line = "      ";
  std::istringstream words(text);
  std::string w;
  while (words >> w) {
    if (line.size() + w.size() + 1 > width && line.size() > 6) {
      os << line << "\n";
      line = "      ";
    }
    line += (line.size() > 6 ? " " : "") + w;
  }
  if (line.size() > 6) os << line << "\n";
}

}  // namespace

std::string estimate_table(const json& r, bool explain) {
  std::ostringstream os;
  const auto& req = r["request"];
  os << r["model"]["name"].get<std::string>() << " (" << r["model"]["id"].get<std::string>() << ")\n";
  os << "  weights " << req["weights"].get<std::string>() << ", KV cache " << req["kv_cache_dtype"].get<std::string>()
     << ", " << fmt_int(i64(req["context_tokens"])) << " tokens x " << fmt_int(i64(req["concurrency"]))
     << (i64(req["concurrency"]) == 1 ? " sequence, " : " sequences, ") << fmt_int(i64(req["count"])) << " x "
     << req["gpu_name"].get<std::string>() << " (TP " << i64(req["tensor_parallel"]) << ", PP "
     << i64(req["pipeline_parallel"]) << ", DP " << i64(req["data_parallel"])
     << (req.value("expert_parallel", 1) > 1 ? ", EP " + std::to_string(i64(req["expert_parallel"])) : std::string())
     << "), engine " << req["engine"].get<std::string>() << "\n\n";

  const auto& p = r["params"];
  os << "Parameters   " << fmt_int(i64(p["total"])) << " total, " << fmt_int(i64(p["active"])) << " active per token";
  if (p.contains("official")) os << " (official " << fmt_int(i64(p["official"])) << ")";
  os << "\n";
  os << "Weights      " << fmt_bytes_both(i64(r["weights"]["bytes"])) << "  "
     << r["weights"]["label"].get<std::string>() << ", " << fmt_num(r["weights"]["bits_per_param"].get<double>(), 2)
     << " bits/param\n";
  const auto& kv = r["kv_cache"];
  os << "KV cache     " << fmt_int(i64(kv["bytes_per_token"])) << " B/token, "
     << fmt_bytes_both(i64(kv["bytes_per_sequence"])) << " per sequence, " << fmt_bytes_both(i64(kv["bytes"]))
     << " in all\n";
  os << "             naive formula without GQA: " << fmt_gb(i64(kv["naive_no_gqa_bytes"])) << "\n";
  if (explain) explain_lines(os, text(kv["naive_explain"]));
  os << "\n";

  os << pad_right("Per GPU (busiest)", 40) << pad_left("GB", 10) << pad_left("GiB", 10) << "\n";
  for (const auto& item : r["breakdown"]) {
    const std::string id = item["id"].get<std::string>();
    const bool sub = id.rfind("overhead.", 0) == 0;
    os << pad_right((sub ? "    " : "  ") + text(item["label"]), 40) << pad_left(gb(i64(item["bytes"])), 10)
       << pad_left(gib(i64(item["bytes"])), 10) << "\n";
    if (explain) explain_lines(os, text(item["explain"]));
  }
  if (!r["per_gpu"].empty()) {
    const std::int64_t cap = i64(r["per_gpu"][0]["capacity"]);
    if (cap > 0) os << pad_right("  GPU capacity", 40) << pad_left(gb(cap), 10) << pad_left(gib(cap), 10) << "\n";
  }
  os << "\n" << text(r["verdict"]) << "\n\n";
  if (r["engine_report"].contains("log_lines") && !r["engine_report"]["log_lines"].empty()) {
    const json& rep = r["engine_report"];
    os << "What " << rep["engine"].get<std::string>() << " would print";
    if (rep.contains("engine_rule") && rep["engine_rule"].is_string())
      os << " (rule of " << rep["engine_rule"].get<std::string>() << ", engine_version "
         << rep.value("engine_version", std::string()) << ")";
    os << "\n";
    for (const auto& line : r["engine_report"]["log_lines"]) os << "  " << line.get<std::string>() << "\n";
    os << "\n";
  }
  if (r.contains("host"))
    os << "System RAM   " << fmt_bytes_both(i64(r["host"]["bytes"])) << "  (" << text(r["host"]["explain"]) << ")\n\n";

  os << pad_right("Rules of thumb (seed articles)", 40) << pad_left("GB", 10) << pad_left("x detailed", 12) << "\n";
  for (const auto& rule : r["rules_of_thumb"]) {
    os << pad_right("  " + rule["id"].get<std::string>(), 40) << pad_left(gb(i64(rule["bytes"])), 10)
       << pad_left(fmt_num(rule["ratio_to_detailed"].get<double>(), 2), 12) << "\n";
    if (explain) explain_lines(os, text(rule["formula"]) + "  [" + rule["source"].get<std::string>() + "]");
  }
  if (!r["warnings"].empty()) {
    os << "\nWarnings\n";
    for (const auto& w : r["warnings"]) explain_lines(os, "- " + text(w));
  }
  if (!explain) os << "\n(--explain shows the formula behind every line)\n";
  return os.str();
}

std::string fit_table(const json& f) {
  std::ostringstream os;
  auto num = [](const json& j) { return j.is_number() ? fmt_int(i64(j)) : std::string("-"); };
  if (f.contains("max_context_tokens")) {
    os << "Largest context at this concurrency   " << num(f["max_context_tokens"]) << " tokens (model limit "
       << num(f["max_context_limit"]) << ")\n";
    os << "Most sequences at this context        " << num(f["max_concurrency"]) << "\n";
    os << "Best weight format that fits          "
       << (f["best_weights"].is_string() ? f["best_weights"].get<std::string>() : "none") << "\n";
    os << "Best KV cache dtype that fits         "
       << (f["best_kv_cache_dtype"].is_string() ? f["best_kv_cache_dtype"].get<std::string>() : "none") << "\n\n";
  }
  if (!f["suggestions"].empty()) {
    os << "What to change"
       << "\n";
    for (const auto& s : f["suggestions"])
      os << "  " << (s["fits"].get<bool>() ? "fits      " : "still not ") << text(s["text"]) << "\n";
    os << "\n";
  }
  os << pad_right("Fewest GPUs that fit", 46) << pad_left("count", 6) << pad_left("TP", 5) << pad_left("PP", 5)
     << pad_left("GB/GPU", 10) << pad_left("of GB", 10) << "\n";
  for (const auto& g : f["min_gpus"])
    os << pad_right("  " + g["name"].get<std::string>().substr(0, 42), 46) << pad_left(num(g["count"]), 6)
       << pad_left(num(g["tensor_parallel"]), 5) << pad_left(num(g["pipeline_parallel"]), 5)
       << pad_left(gb(i64(g["per_gpu_total"])), 10) << pad_left(gb(i64(g["capacity"])), 10) << "\n";
  return os.str();
}

std::string perf_table(const json& p) {
  std::ostringstream os;
  const auto& d = p["deployment"];
  const auto& w = p["workload"];
  os << "Deployment: " << i64(d["count"]) << " x " << d["gpu"].get<std::string>() << " (TP "
     << i64(d["tensor_parallel"]) << ", PP " << i64(d["pipeline_parallel"]) << ", " << i64(d["replicas"])
     << " replica(s)), " << d["engine"].get<std::string>() << ", " << d["weights"].get<std::string>() << "\n";
  os << "Load: " << w["mode"].get<std::string>() << ", " << fmt_num(w["prompt_tokens"].get<double>(), 0) << " prompt + "
     << fmt_num(w["output_tokens"].get<double>(), 0) << " output tokens per request\n\n";
  os << pad_right("", 10) << pad_left("mean", 11) << pad_left("P50", 11) << pad_left("P99", 11) << "\n";
  for (const char* k : {"ttft_ms", "tpot_ms", "e2e_ms"}) {
    const auto& s = p[k];
    os << pad_right(std::string(k).substr(0, 4) + " ms", 10) << pad_left(fmt_num(s["mean"].get<double>(), 1), 11)
       << pad_left(fmt_num(s["p50"].get<double>(), 1), 11) << pad_left(fmt_num(s["p99"].get<double>(), 1), 11) << "\n";
  }
  os << "\nOutput tokens/s " << fmt_num(p["output_tokens_per_s"].get<double>(), 0) << ", requests/s "
     << fmt_num(p["requests_per_s"].get<double>(), 2) << "; running "
     << fmt_num(p["running_sequences"].get<double>(), 1) << ", queued "
     << fmt_num(p["queued_requests"].get<double>(), 1) << ", KV pool holds "
     << fmt_num(p["kv_capacity_sequences"].get<double>(), 0)
     << " sequences per replica; bound: " << p["bound"].get<std::string>() << "\n";
  for (const auto& wn : p["warnings"]) os << "warning: " << text(wn) << "\n";
  return os.str();
}

std::string plan_table(const json& p) {
  std::ostringstream os;
  const auto& w = p["workload"];
  os << "Workload: "
     << (w["qps"].get<double>() > 0 ? fmt_num(w["qps"].get<double>(), 1) + " requests/s"
                                    : fmt_int(i64(w["concurrency"])) + " concurrent")
     << ", " << fmt_int(i64(w["prompt_tokens"])) << " prompt + " << fmt_int(i64(w["output_tokens"]))
     << " output tokens; engine " << p["engine"].get<std::string>() << "; about "
     << fmt_num(p["concurrency"].get<double>(), 0) << " requests in flight\n\n";
  os << pad_right("plan", 40) << pad_left("GPUs", 6) << pad_left("TPxPP", 7) << pad_left("x rep", 6)
     << pad_left("fmt", 14) << pad_left("GB/GPU", 8) << pad_left("TTFT ms", 9) << pad_left("TPOT ms", 9)
     << pad_left("$/h", 9) << pad_left("$/Mtok", 8) << "  SLO\n";
  int shown = 0;
  for (const auto& pl : p["plans"]) {
    if (++shown > 15) break;
    os << pad_right(pl["gpu_name"].get<std::string>().substr(0, 38), 40) << pad_left(fmt_int(i64(pl["total_gpus"])), 6)
       << pad_left(std::to_string(i64(pl["tensor_parallel"])) + "x" + std::to_string(i64(pl["pipeline_parallel"])), 7)
       << pad_left(fmt_int(i64(pl["replicas"])), 6) << pad_left(pl["weights"].get<std::string>(), 14)
       << pad_left(gb(i64(pl["per_gpu_total"])), 8) << pad_left(fmt_num(pl["ttft_ms"].get<double>(), 0), 9)
       << pad_left(fmt_num(pl["tpot_ms"].get<double>(), 1), 9)
       << pad_left(pl["cost_per_hour"].is_number() ? fmt_num(pl["cost_per_hour"].get<double>(), 2) : "-", 9)
       << pad_left(pl["cost_per_million_output_tokens"].is_number()
                       ? fmt_num(pl["cost_per_million_output_tokens"].get<double>(), 2)
                       : "-",
                   8)
       << "  " << (pl["meets_slo"].get<bool>() ? "yes" : "no") << "\n";
  }
  if (p["plans"].size() > 15) os << "  ... " << p["plans"].size() - 15 << " more (--json lists all)\n";
  if (!p["plans"].empty())
    os << "\nBest plan: " << text(p["plans"][0]["why"]) << "\n  " << p["plans"][0]["launch_command"].get<std::string>()
       << "\n";
  if (!p["rejected"].empty()) {
    os << "\nRejected (" << p["rejected"].size() << " families), e.g.:\n";
    int n = 0;
    for (const auto& r : p["rejected"]) {
      if (++n > 6) break;
      os << "  " << r["gpu"].get<std::string>() << " x" << i64(r["gpus_per_replica"]) << " "
         << r["weights"].get<std::string>() << ": " << text(r["reason"]) << "\n";
    }
  }
  return os.str();
}

std::string catalog_table(const json& c) {
  std::ostringstream os;
  if (c.contains("models")) {
    os << pad_right("Model", 52) << pad_left("official params", 20) << "\n";
    for (const auto& m : c["models"])
      os << pad_right(m["id"].get<std::string>(), 52)
         << pad_left(m["official_params"].is_number() ? fmt_int(i64(m["official_params"])) : "-", 20) << "\n";
    os << "\n";
  }
  if (c.contains("gpus")) {
    os << pad_right("GPU id", 36) << pad_right("name", 44) << pad_left("memory GB", 11) << "\n";
    for (const auto& g : c["gpus"])
      os << pad_right(g["id"].get<std::string>(), 36) << pad_right(g["name"].get<std::string>().substr(0, 42), 44)
         << pad_left(gb(i64(g["memory_bytes"])), 11) << "\n";
    os << "\n";
  }
  if (c.contains("formats")) {
    os << "Weight formats:";
    for (const auto& f : c["formats"]) os << " " << f.get<std::string>();
    os << "\n";
  }
  if (c.contains("kv_cache_dtypes")) {
    os << "KV cache dtypes:";
    for (const auto& f : c["kv_cache_dtypes"]) os << " " << f.get<std::string>();
    os << "\n";
  }
  if (c.contains("engines")) {
    for (const auto& e : c["engines"]) {
      os << "\n"
         << e["id"].get<std::string>() << " (" << e["name"].get<std::string>() << ")  " << e["doc"].get<std::string>()
         << "\n";
      for (const auto& o : e["options"]) {
        std::string def = o["default"].is_null()     ? "-"
                          : o["default"].is_string() ? o["default"].get<std::string>()
                                                     : o["default"].dump();
        os << "  " << pad_right(o["name"].get<std::string>(), 32) << pad_right(o["type"].get<std::string>(), 12)
           << pad_right(def, 14) << (o.contains("flag") ? o["flag"].get<std::string>() + "  " : std::string())
           << o["doc"].get<std::string>() << "\n";
      }
    }
  }
  return os.str();
}

}  // namespace vramplan::cli
