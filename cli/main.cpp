// The `vramplan` command: argument parsing and printing only; the core does the work.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "table.hpp"
#include "vramplan/api/accuracy.hpp"
#include "vramplan/api/api.hpp"
#include "vramplan/api/json_read.hpp"

namespace {

using nlohmann::json;
using vramplan::dump_json;

const char* kUsage =
    "usage:\n"
    "  vramplan estimate [FILE|-] [--json] [--explain] [--model ID] [--weights FMT] [--kv-cache-dtype T]\n"
    "                    [--context N] [--concurrency N] [--gpu ID] [--count N] [--tp N] [--pp N] [--ep N]\n"
    "  vramplan fit      [FILE|-] [--json] [same flags]   (max context/concurrency, fewest GPUs, what to change)\n"
    "  vramplan perf     [FILE|-] [--json] [same flags] [--prompt N] [--output N]\n"
    "                    [--concurrency N | --qps R | --batch N | --max-throughput 1]\n"
    "                                                     (TTFT, TPOT and tokens/s of one deployment under a load)\n"
    "  vramplan plan     FILE|- [--json]                  (ranked deployment plans for a workload)\n"
    "  vramplan catalog [models|gpus|formats|engines] [--json]\n"
    "  vramplan accuracy CASES.json... [--json]   (the published accuracy table, as Markdown)\n"
    "FILE (or - for stdin) holds a JSON request (see API.md); flags fill or override its fields.\n"
    "  --engine ID   -o NAME=VALUE   (an engine option, repeatable: -o gpu_memory_utilization=0.85;\n"
    "                                 `vramplan catalog engines` lists each engine's options)\n"
    "Exit status: 0 ok, 2 bad input, 1 internal error.\n";

int fail_input(const vramplan::Error& e, bool as_json) {
  if (as_json) std::cout << dump_json(vramplan::error_json(e), 2) << "\n";
  std::cerr << "vramplan: " << (e.field.empty() ? "" : e.field + ": ") << e.message << "\n";
  return 2;
}

// A flag's value as JSON: an integer when it reads as one, else the text (validation names the field).
json flag_value(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("-0123456789") == std::string::npos && text.size() < 19)
    return json(std::stoll(text));
  return json(text);
}

// An engine option's value as JSON: a number, true/false, a list of numbers ("3,1"), else the text. The core
// checks it against the option's type and names the field when it does not fit.
json option_value(const std::string& text) {
  if (text == "true" || text == "false") return json(text == "true");
  const json parsed = json::parse(text.find(',') != std::string::npos ? "[" + text + "]" : text, nullptr, false);
  if (!parsed.is_discarded() && (parsed.is_number() || (parsed.is_array() && !parsed.empty()))) return parsed;
  return json(text);
}

bool read_all(std::istream& in, std::string& out) {
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return !in.bad();
}

// The JSON request in FILE (or stdin for "-").
vramplan::Status read_request(const std::string& path, json& request) {
  std::string text;
  if (path == "-") {
    read_all(std::cin, text);
  } else {
    std::ifstream f(path, std::ios::binary);
    if (!f || !read_all(f, text))
      return vramplan::Error{vramplan::ErrorCode::invalid_field, "FILE", "cannot read '" + path.substr(0, 200) + "'"};
  }
  request = vramplan::parse_json(text);
  if (request.is_discarded())
    return vramplan::Error{vramplan::ErrorCode::invalid_json, "", "the request is not valid JSON"};
  if (!request.is_object())
    return vramplan::Error{vramplan::ErrorCode::invalid_json, "", "the request must be a JSON object"};
  return std::nullopt;
}

// A result that is an error: printed (as JSON too with --json); the exit status.
int fail_result(const json& result, bool as_json) {
  const auto& e = result["error"];
  if (as_json) std::cout << dump_json(result, 2) << "\n";
  const std::string field = e["field"].get<std::string>();
  std::cerr << "vramplan: " << (field.empty() ? "" : field + ": ") << e["message"].get<std::string>() << "\n";
  return e["code"] == "internal" ? 1 : 2;
}

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "vramplan 0.1.0\n";
    return 0;
  }
  const std::string command = args[0];
  bool as_json = false, explain = false;
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> flags, options;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-o") {
      if (i + 1 >= args.size())
        return fail_input({vramplan::ErrorCode::invalid_field, "-o", "-o needs NAME=VALUE"}, as_json);
      const std::string& kv = args[++i];
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0)
        return fail_input(
            {vramplan::ErrorCode::invalid_field, "-o", "-o takes NAME=VALUE, got '" + kv.substr(0, 60) + "'"}, as_json);
      options.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    } else if (a == "--json")
      as_json = true;
    else if (a == "--explain")
      explain = true;
    else if (a.rfind("--", 0) == 0) {
      std::string name = a.substr(2), value;
      auto eq = name.find('=');
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return fail_input({vramplan::ErrorCode::invalid_field, name, "--" + name + " needs a value"}, as_json);
      }
      flags.emplace_back(name, value);
    } else {
      positional.push_back(a);
    }
  }

  if (command == "catalog") {
    std::string which = positional.empty() ? "" : positional[0];
    if (!which.empty() && which != "models" && which != "gpus" && which != "formats" && which != "engines")
      return fail_input({vramplan::ErrorCode::invalid_field, "catalog",
                         "catalog takes models, gpus, formats or engines, got '" + which.substr(0, 40) + "'"},
                        as_json);
    json c = vramplan::catalog_json(which);
    std::cout << (as_json ? dump_json(c, 2) + "\n" : vramplan::cli::catalog_table(c));
    return 0;
  }
  if (command == "accuracy") {
    if (positional.empty())
      return fail_input(
          {vramplan::ErrorCode::invalid_field, "FILE", "accuracy needs the cases file (tests/reference/cases.json)"},
          as_json);
    json cases = {{"cases", json::array()}};
    for (const auto& path : positional) {  // every file's cases, in order
      std::ifstream f(path, std::ios::binary);
      std::string text;
      if (!f || !read_all(f, text))
        return fail_input({vramplan::ErrorCode::invalid_field, "FILE", "cannot read '" + path.substr(0, 200) + "'"},
                          as_json);
      json one = json::parse(text, nullptr, false);
      if (one.is_discarded() || !one.is_object() || !one.contains("cases") || !one["cases"].is_array())
        return fail_input({vramplan::ErrorCode::invalid_json, "FILE",
                           "'" + path.substr(0, 200) + "' is not a cases file ({\"cases\": [...]})"},
                          as_json);
      for (auto& c : one["cases"]) cases["cases"].push_back(std::move(c));
    }
    json report = vramplan::run_accuracy(cases);
    if (report.contains("error"))
      return fail_input({vramplan::ErrorCode::invalid_field, "FILE", report["error"].get<std::string>()}, as_json);
    std::cout << (as_json ? dump_json(report, 2) + "\n" : vramplan::accuracy_markdown(report));
    return report["failed"].get<int>() == 0 ? 0 : 1;
  }
  if (command == "plan") {
    if (positional.empty())
      return fail_input({vramplan::ErrorCode::invalid_field, "FILE", "plan needs a request FILE (or -)"}, as_json);
    json request;
    if (auto e = read_request(positional[0], request)) return fail_input(*e, as_json);
    json result = vramplan::plan_json(request);
    if (result.contains("error")) return fail_result(result, as_json);
    std::cout << (as_json ? dump_json(result, 2) + "\n" : vramplan::cli::plan_table(result));
    return 0;
  }
  if (command == "train")
    return fail_input({vramplan::ErrorCode::unsupported, command, "'" + command + "' is not implemented yet"}, as_json);
  if (command != "estimate" && command != "fit" && command != "perf") {
    std::cerr << kUsage;
    return fail_input(
        {vramplan::ErrorCode::invalid_field, "command", "unknown command '" + command.substr(0, 40) + "'"}, as_json);
  }

  json request = json::object();
  if (!positional.empty()) {
    if (auto e = read_request(positional[0], request)) return fail_input(*e, as_json);
  } else if (flags.empty() && options.empty()) {
    return fail_input({vramplan::ErrorCode::invalid_field, "FILE", "give a request FILE (or -) or at least --model"},
                      as_json);
  }
  for (const auto& [name, value] : flags) {
    if (name == "model")
      request["model"] = value;
    else if (name == "weights")
      request["weights"] = value;
    else if (name == "kv-cache-dtype" || name == "kv")
      request["kv_cache_dtype"] = value;
    else if (name == "engine")
      request["engine"] = value;
    else if (name == "context")
      request["workload"]["context_tokens"] = flag_value(value);
    else if (name == "concurrency")
      request["workload"]["concurrency"] = flag_value(value);
    else if (name == "gpu")
      request["hardware"]["gpu"] = value;
    else if (name == "count")
      request["hardware"]["count"] = flag_value(value);
    else if (name == "tp")
      request["hardware"]["tensor_parallel"] = flag_value(value);
    else if (name == "pp")
      request["hardware"]["pipeline_parallel"] = flag_value(value);
    else if (name == "ep")
      request["hardware"]["expert_parallel"] = flag_value(value);
    else if (command == "perf" && name == "prompt")
      request["workload"]["prompt_tokens"] = flag_value(value);
    else if (command == "perf" && name == "output")
      request["workload"]["output_tokens"] = flag_value(value);
    else if (command == "perf" && name == "qps")
      request["workload"]["qps"] = flag_value(value);
    else if (command == "perf" && name == "batch")
      request["workload"]["static_batch"] = flag_value(value);
    else if (command == "perf" && name == "max-throughput")
      request["workload"]["max_throughput"] = value != "0" && value != "false";
    else
      return fail_input({vramplan::ErrorCode::invalid_field, name, "unknown flag --" + name.substr(0, 40)}, as_json);
  }
  for (const auto& [name, value] : options) request["engine_options"][name] = option_value(value);
  json result = command == "fit"    ? vramplan::fit_json(request)
                : command == "perf" ? vramplan::perf_json(request)
                                    : vramplan::estimate_json(request);
  if (result.contains("error")) return fail_result(result, as_json);
  if (command == "perf") {
    std::cout << (as_json ? dump_json(result, 2) + "\n" : vramplan::cli::perf_table(result));
    return 0;
  }
  if (command == "fit") {
    std::cout << (as_json ? dump_json(result, 2) + "\n" : vramplan::cli::fit_table(result));
    return 0;
  }
  std::cout << (as_json ? dump_json(result, 2) + "\n" : vramplan::cli::estimate_table(result, explain));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {  // a bug, never bad input: report it as an internal error
    std::cerr << "vramplan: internal error: " << e.what() << "\n";
    return 1;
  }
}
