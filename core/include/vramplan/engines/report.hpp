#pragma once
// What an engine itself would report at startup, as a typed value: its own figures under the names it
// prints them (vLLM's num_gpu_blocks, SGLang's max_total_num_tokens ...), the log lines it would print,
// llama.cpp's per-device buffers, and the one figure the planner reads (how many sequences the engine's
// preallocated KV pool holds).
#include <cstdint>
#include <string>
#include <vector>

#include "vramplan/common/text.hpp"

namespace vramplan {

struct ReportValue {
  enum class Kind : std::uint8_t { integer, number, boolean, string, note };
  Kind kind = Kind::integer;
  std::int64_t i = 0;
  double x = 0;
  bool b = false;
  std::string s;
  Text note;  // prose about the figures
};

struct ReportField {
  std::string key;
  ReportValue value;
};

// One device's buffers (llama.cpp: CUDA0, ROCm0, Metal ...).
struct DeviceBuffers {
  std::string name;
  std::string layers;  // "layers 0-39", "none"
  bool output_layer = false;
  std::int64_t model = 0, kv = 0, recurrent = 0, compute = 0, context = 0, total = 0;
};

// One KV cache a context allocates (llama.cpp: one, or non-SWA + SWA).
struct KvCacheBuffer {
  std::string name;  // "kv", "non-SWA", "SWA"
  std::int64_t cells = 0, streams = 0, layers = 0, k_bytes = 0, v_bytes = 0;
};

struct EngineReport {
  std::string engine;
  std::vector<ReportField> fields;
  std::vector<std::string> log_lines;  // the engine's own words, as it prints them (never translated)
  std::vector<DeviceBuffers> devices;
  std::vector<KvCacheBuffer> kv_caches;
  // Sequences of the workload's context the preallocated KV pool holds per replica; -1 when the engine
  // allocates as it goes (its memory then grows with the sequences).
  std::int64_t pool_sequences = -1;

  EngineReport& integer(const std::string& key, std::int64_t v);
  EngineReport& number(const std::string& key, double v);
  EngineReport& boolean(const std::string& key, bool v);
  EngineReport& str(const std::string& key, std::string v);
  EngineReport& note(const std::string& key, Text v);
  const ReportValue* get(const std::string& key) const;
};

}  // namespace vramplan
