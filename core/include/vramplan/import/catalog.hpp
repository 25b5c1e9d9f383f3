#pragma once
// The catalogs' data files -> Catalog values, and a catalog entry -> its Architecture (JSON).
#include <nlohmann/json.hpp>
#include <string>

#include "vramplan/catalog/catalog.hpp"
#include "vramplan/common/error.hpp"
#include "vramplan/model/architecture.hpp"

namespace vramplan {

// The catalog texts embedded at build time (cmake/embed_catalog.cmake).
const char* embedded_models_json();
const char* embedded_gpus_json();

// Parses catalog texts; an Error names the entry at fault.
Expected<Catalog> parse_catalog(const std::string& models_json, const std::string& gpus_json);
// The catalog built into the binary (parsed once).
const Catalog& builtin_catalog();

// A GPU object (a catalog entry, or one given inline in a request); `field` names it in errors.
Expected<GpuEntry> parse_gpu_entry(const nlohmann::json& j, const std::string& field);

// The architecture of a catalog model: its config.json plus what the checkpoint holds beyond it.
Expected<Architecture> model_architecture(const ModelEntry& entry, const std::string& field);

}  // namespace vramplan
