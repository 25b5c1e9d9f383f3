#include "vramplan/common/units.hpp"

#include <cstdio>

namespace vramplan {

std::string fmt_int(std::int64_t n) {
  const bool neg = n < 0;
  std::uint64_t u = neg ? static_cast<std::uint64_t>(-(n + 1)) + 1 : static_cast<std::uint64_t>(n);
  std::string digits = std::to_string(u);
  std::string out;
  int count = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (count && count % 3 == 0) out.insert(out.begin(), ',');
    out.insert(out.begin(), *it);
    ++count;
  }
  return neg ? "-" + out : out;
}

std::string fmt_num(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

std::string fmt_gb(std::int64_t bytes) { return fmt_num(static_cast<double>(bytes) / 1e9, 2) + " GB"; }
std::string fmt_gib(std::int64_t bytes) { return fmt_gib(static_cast<double>(bytes)); }
std::string fmt_gib(double bytes) { return fmt_num(bytes / kGiB, 2) + " GiB"; }
std::string fmt_mib(std::int64_t bytes) { return fmt_num(static_cast<double>(bytes) / 1048576.0, 2) + " MiB"; }
std::string fmt_bytes_both(std::int64_t bytes) { return fmt_gb(bytes) + " (" + fmt_gib(bytes) + ")"; }

}  // namespace vramplan
