#include "vramplan/catalog/catalog.hpp"

#include <algorithm>
#include <cctype>

#include "vramplan/common/strings.hpp"

namespace vramplan {
namespace {

// Normalises user spellings: case, spaces/underscores as hyphens.
std::string key(const std::string& s) {
  std::string out = lower(s);
  for (auto& c : out)
    if (c == ' ' || c == '_') c = '-';
  return out;
}

std::string tail(const std::string& id) {
  auto slash = id.rfind('/');
  return slash == std::string::npos ? id : id.substr(slash + 1);
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0u : 1u)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

template <class Entry>
const Entry* find_entry(const std::vector<Entry>& entries, const std::string& query, bool with_tail) {
  const std::string q = key(query);
  if (q.empty()) return nullptr;
  for (const auto& e : entries)
    if (key(e.id) == q) return &e;
  for (const auto& e : entries)
    for (const auto& a : e.aliases)
      if (key(a) == q) return &e;
  if (with_tail) {
    for (const auto& e : entries)
      if (key(tail(e.id)) == q) return &e;
  }
  for (const auto& e : entries)
    if (key(e.name) == q) return &e;
  return nullptr;
}

template <class Entry>
std::vector<std::string> closest(const std::vector<Entry>& entries, const std::string& query, std::size_t n) {
  const std::string q = key(query);
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& e : entries) {
    std::size_t best = edit_distance(q, key(tail(e.id)));
    for (const auto& a : e.aliases) best = std::min(best, edit_distance(q, key(a)));
    if (!q.empty() && key(e.id).find(q) != std::string::npos) best = 0;
    scored.emplace_back(best, e.id);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scored.size() && i < n; ++i) out.push_back(scored[i].second);
  return out;
}

const char* const kLinkNames[] = {"nvlink", "xgmi",     "hccs", "metaxlink", "mlulink",
                                  "mtlink", "ethernet", "pcie", "none"};
const char* const kBackendNames[] = {"cuda", "rocm", "metal", "cann", "synapse", "maca", "sycl", "bang", "musa"};
const char* const kFp8PathNames[] = {"native", "weight-only", "none", "unknown"};

template <class E, std::size_t N>
bool parse_enum(const std::string& text, const char* const (&names)[N], E* out) {
  for (std::size_t i = 0; i < N; ++i)
    if (text == names[i]) {
      *out = static_cast<E>(i);
      return true;
    }
  return false;
}

}  // namespace

const char* to_string(Link link) { return kLinkNames[static_cast<int>(link)]; }
const char* to_string(Backend backend) { return kBackendNames[static_cast<int>(backend)]; }
const char* to_string(Fp8Path path) { return kFp8PathNames[static_cast<int>(path)]; }
bool parse_fp8_path(const std::string& text, Fp8Path* out) { return parse_enum(text, kFp8PathNames, out); }
bool parse_link(const std::string& text, Link* out) { return parse_enum(text, kLinkNames, out); }
bool parse_backend(const std::string& text, Backend* out) { return parse_enum(text, kBackendNames, out); }

const ModelEntry* Catalog::find_model(const std::string& q) const { return find_entry(models, q, true); }
const GpuEntry* Catalog::find_gpu(const std::string& q) const { return find_entry(gpus, q, false); }
std::vector<std::string> Catalog::closest_models(const std::string& q, std::size_t n) const {
  return closest(models, q, n);
}
std::vector<std::string> Catalog::closest_gpus(const std::string& q, std::size_t n) const {
  return closest(gpus, q, n);
}

}  // namespace vramplan
