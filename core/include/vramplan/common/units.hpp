#pragma once
// Number formatting shared by explanations, the CLI and (through the results) the page.
// Deterministic: the same text from native and wasm builds.
#include <cstdint>
#include <string>

namespace vramplan {

std::string fmt_int(std::int64_t n);             // 8,030,261,248
std::string fmt_gb(std::int64_t bytes);          // "16.06 GB" (10^9)
std::string fmt_gib(std::int64_t bytes);         // "14.96 GiB" (2^30)
std::string fmt_num(double x, int decimals);     // fixed decimals, no exponent
std::string fmt_bytes_both(std::int64_t bytes);  // "16.06 GB (14.96 GiB)"
std::string fmt_gib(double bytes);               // "14.96 GiB" for a non-integral byte count
std::string fmt_mib(std::int64_t bytes);         // "560.00 MiB" (2^20), as llama.cpp prints

constexpr double kGiB = 1073741824.0;
constexpr std::int64_t kMiB = std::int64_t{1} << 20;

}  // namespace vramplan
