// Bad input gets the error object of API.md with the right code and field, never a crash or a NaN,
// and the API keeps working afterwards.
#include <string>

#include "catch.hpp"
#include "support.hpp"

using vt::json;

namespace {

struct BadRow {
  const char* name;
  const char* request;  // JSON text
  const char* code;
  const char* field;
};

const char* kValidTail = R"("workload": {"context_tokens": 4096, "concurrency": 1})";

}  // namespace

TEST_CASE("api: bad requests give the right error code and field", "[api][errors]") {
  const BadRow rows[] = {
      {"truncated JSON", R"({"model": "Qwen/QwQ-32B")", "invalid_json", ""},
      {"not JSON at all", "hello", "invalid_json", ""},
      {"an array", "[1, 2]", "invalid_json", ""},
      {"no model", "{}", "invalid_field", "model"},
      {"model is a number", R"({"model": 5})", "invalid_field", "model"},
      {"unknown model", R"({"model": "nope/not-a-model"})", "unknown_model", "model"},
      {"unknown weights", R"({"model": "Qwen/QwQ-32B", "weights": "int3"})", "unknown_format", "weights"},
      {"weights wrong type", R"({"model": "Qwen/QwQ-32B", "weights": 4})", "invalid_field", "weights"},
      {"unknown kv dtype", R"({"model": "Qwen/QwQ-32B", "kv_cache_dtype": "fp7"})", "unknown_format", "kv_cache_dtype"},
      {"negative context", R"({"model": "Qwen/QwQ-32B", "workload": {"context_tokens": -5}})", "invalid_field",
       "workload.context_tokens"},
      {"zero context", R"({"model": "Qwen/QwQ-32B", "workload": {"context_tokens": 0}})", "invalid_field",
       "workload.context_tokens"},
      {"context as string", R"({"model": "Qwen/QwQ-32B", "workload": {"context_tokens": "4096"}})", "invalid_field",
       "workload.context_tokens"},
      {"absurd context", R"({"model": "Qwen/QwQ-32B", "workload": {"context_tokens": 1e12}})", "invalid_field",
       "workload.context_tokens"},
      {"fractional context", R"({"model": "Qwen/QwQ-32B", "workload": {"context_tokens": 4096.5}})", "invalid_field",
       "workload.context_tokens"},
      {"null-ish bool context", R"({"model": "Qwen/QwQ-32B", "workload": {"context_tokens": true}})", "invalid_field",
       "workload.context_tokens"},
      {"zero concurrency", R"({"model": "Qwen/QwQ-32B", "workload": {"concurrency": 0}})", "invalid_field",
       "workload.concurrency"},
      {"absurd concurrency", R"({"model": "Qwen/QwQ-32B", "workload": {"concurrency": 1000000000}})", "invalid_field",
       "workload.concurrency"},
      {"workload not an object", R"({"model": "Qwen/QwQ-32B", "workload": "big"})", "invalid_field", "workload"},
      {"unknown gpu", R"({"model": "Qwen/QwQ-32B", "hardware": {"gpu": "nvidia-h1000"}})", "unknown_gpu",
       "hardware.gpu"},
      {"zero gpus", R"({"model": "Qwen/QwQ-32B", "hardware": {"gpu": "h100", "count": 0}})", "invalid_field",
       "hardware.count"},
      {"TP not dividing heads", R"({"model": "Qwen/QwQ-32B", "hardware": {"gpu": "h100", "count": 3}})",
       "invalid_field", "hardware.tensor_parallel"},
      {"count not a multiple of TP x PP",
       R"({"model": "Qwen/QwQ-32B", "hardware": {"gpu": "h100", "count": 3, "tensor_parallel": 2}})", "invalid_field",
       "hardware.count"},
      {"PP beyond layers",
       R"({"model": "meta-llama/Llama-3.2-1B", "hardware": {"gpu": "h100", "count": 32, "tensor_parallel": 1, "pipeline_parallel": 32}})",
       "invalid_field", "hardware.pipeline_parallel"},
      {"inline gpu without memory", R"({"model": "Qwen/QwQ-32B", "hardware": {"gpu": {"name": "x"}}})", "invalid_field",
       "hardware.gpu.memory_bytes"},
      {"inline gpu negative memory",
       R"({"model": "Qwen/QwQ-32B", "hardware": {"gpu": {"name": "x", "memory_bytes": -1}}})", "invalid_field",
       "hardware.gpu.memory_bytes"},
      {"inline gpu NaN-like memory",
       R"({"model": "Qwen/QwQ-32B", "hardware": {"gpu": {"name": "x", "memory_bytes": 1e400}}})", "invalid_json", ""},
      {"engine without a profile", R"({"model": "Qwen/QwQ-32B", "engine": "tensorrt"})", "unsupported", "engine"},
      {"engine option out of range",
       R"({"model": "Qwen/QwQ-32B", "engine_options": {"allocator_reserve_fraction": 2}})", "invalid_field",
       "engine_options.allocator_reserve_fraction"},
      {"config without layers",
       R"({"model": {"config": {"hidden_size": 64, "num_attention_heads": 4, "vocab_size": 10, "intermediate_size": 128}}})",
       "invalid_field", "model.config.num_hidden_layers"},
      {"hostile string in config",
       R"({"model": {"config": {"hidden_size": "<script>alert(1)</script>", "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 10, "intermediate_size": 128}}})",
       "invalid_field", "model.config.hidden_size"},
      {"negative hidden size",
       R"({"model": {"config": {"hidden_size": -4096, "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 10, "intermediate_size": 128}}})",
       "invalid_field", "model.config.hidden_size"},
      {"KV heads not dividing heads",
       R"({"model": {"config": {"hidden_size": 4096, "num_hidden_layers": 2, "num_attention_heads": 32, "num_key_value_heads": 3, "vocab_size": 10, "intermediate_size": 128}}})",
       "invalid_field", "model.config.num_key_value_heads"},
      {"absurd model",
       R"({"model": {"config": {"hidden_size": 1000000, "num_hidden_layers": 4096, "num_attention_heads": 1000, "vocab_size": 10, "intermediate_size": 1000000}}})",
       "invalid_field", "model.config"},
      {"config is a string", R"({"model": {"config": "config.json"}})", "invalid_field", "model.config"},
      {"bad layer_types",
       R"({"model": {"config": {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 10, "intermediate_size": 128, "layer_types": ["full_attention"]}}})",
       "invalid_field", "model.config.layer_types"},
      {"huge KV product",
       R"({"model": "meta-llama/Llama-3.1-405B", "workload": {"context_tokens": 16777216, "concurrency": 1000000}})",
       "invalid_field", "workload"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name, row.request);
    json out = json::parse(vramplan::estimate_text(row.request), nullptr, false);
    REQUIRE_FALSE(out.is_discarded());
    REQUIRE(out.contains("error"));
    CHECK(out["error"]["code"] == row.code);
    CHECK(out["error"]["field"] == row.field);
    CHECK_FALSE(out["error"]["message"].get<std::string>().empty());
    // The API keeps working after an error.
    json ok = json::parse(vramplan::estimate_text(std::string(R"({"model": "Qwen/QwQ-32B", )") + kValidTail + "}"));
    CHECK_FALSE(ok.contains("error"));
  }
}

TEST_CASE("api: messages name the field and the offending value", "[api][errors]") {
  json out = json::parse(vramplan::estimate_text(R"({"model": "Qwen/QwQ-32B", "workload": {"context_tokens": -5}})"));
  const std::string msg = out["error"]["message"];
  CHECK(msg.find("context_tokens") != std::string::npos);
  CHECK(msg.find("-5") != std::string::npos);
  json unknown = json::parse(vramplan::estimate_text(R"({"model": "llama-3-8"})"));
  CHECK(unknown["error"]["message"].get<std::string>().find("Llama-3") != std::string::npos);  // a suggestion
}

TEST_CASE("api: invalid UTF-8 and long strings never break the output", "[api][errors]") {
  std::string req = std::string("{\"model\": \"") + "\xff\xfe" + std::string(5000, 'x') + "\"}";
  std::string text = vramplan::estimate_text(req);
  json out = json::parse(text, nullptr, false);
  // Invalid UTF-8 inside a JSON string is itself malformed JSON.
  REQUIRE_FALSE(out.is_discarded());
  CHECK(out["error"]["code"] == "invalid_json");
  json long_id = json::parse(vramplan::estimate_text("{\"model\": \"" + std::string(5000, 'y') + "\"}"));
  CHECK(long_id["error"]["code"] == "unknown_model");
  CHECK(long_id["error"]["message"].get<std::string>().size() < 600);
}

TEST_CASE("api: unknown request fields are reported as warnings, not ignored silently", "[api]") {
  json out = json::parse(vramplan::estimate_text(R"({"model": "Qwen/QwQ-32B", "workload": {"context": 8000}})"));
  REQUIRE_FALSE(out.contains("error"));
  bool warned = false;
  for (const auto& w : out["warnings"])
    warned =
        warned || (w["code"] == "warn.unknown_field" && w["field"].get<std::string>().find("workload.context") == 0);
  CHECK(warned);
}
