// The engine registry: one line per engine profile. The profiles live in their own files.
#include "profiles.hpp"
#include "vramplan/common/strings.hpp"

namespace vramplan {
namespace {

const EngineProfile* const kEngines[] = {
    &kGenericProfile,      &kVllmProfile,        &kSglangProfile, &kLlamaCppProfile, &kOllamaProfile,
    &kTransformersProfile, &kTensorRtLlmProfile, &kTgiProfile,    &kLmdeployProfile, &kKTransformersProfile,
};

std::vector<std::string> split(const char* list) {
  std::vector<std::string> out;
  std::string item;
  for (const char* p = list; *p; ++p) {
    if (*p == '|') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else {
      item += *p;
    }
  }
  if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

Span<const EngineProfile*> engines() { return span_of(kEngines); }

const EngineProfile* find_engine(const std::string& id_or_alias) {
  const std::string id = lower(id_or_alias);
  for (const EngineProfile* e : kEngines) {
    if (id == e->id) return e;
    for (const auto& alias : split(e->aliases))
      if (id == alias) return e;
  }
  return nullptr;
}

const EngineProfile& generic_engine() { return kGenericProfile; }

std::string engine_ids_text() {
  std::vector<std::string> ids;
  for (const EngineProfile* e : kEngines) ids.push_back(e->id);
  return join(ids);
}

std::vector<std::string> EngineProfile::kv_dtype_list() const { return split(kv_dtypes); }
std::vector<std::string> EngineProfile::format_list() const { return split(format_ladder); }

bool EngineProfile::accepts_kv(const std::string& kv_id) const {
  for (const auto& k : kv_dtype_list())
    if (k == kv_id) return true;
  return false;
}

bool tp_valid(const Architecture& a, std::int64_t tp) {
  if (tp < 1 || a.num_heads % tp != 0) return false;
  if (a.is_mla()) return true;
  return a.num_kv_heads >= tp ? a.num_kv_heads % tp == 0 : tp % a.num_kv_heads == 0;
}

std::int64_t largest_valid_tp(const Architecture& a, std::int64_t limit, std::int64_t count) {
  std::int64_t tp = 1;
  while (tp * 2 <= limit) tp *= 2;
  while (tp > 1 && (count % tp != 0 || !tp_valid(a, tp))) tp /= 2;
  return tp;
}

}  // namespace vramplan
