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

}  // namespace vramplan
