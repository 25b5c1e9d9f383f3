#pragma once
// Private to the engines layer: the profile each engine file defines (registry.cpp lists them).
#include "vramplan/engines/engine.hpp"

namespace vramplan {

extern const EngineProfile kGenericProfile;        // generic.cpp
extern const EngineProfile kVllmProfile;           // vllm.cpp
extern const EngineProfile kSglangProfile;         // sglang.cpp
extern const EngineProfile kLlamaCppProfile;       // llamacpp.cpp
extern const EngineProfile kOllamaProfile;         // llamacpp.cpp
extern const EngineProfile kTransformersProfile;   // transformers.cpp
extern const EngineProfile kTensorRtLlmProfile;    // pool.cpp
extern const EngineProfile kTgiProfile;            // tgi.cpp
extern const EngineProfile kLmdeployProfile;       // pool.cpp
extern const EngineProfile kKTransformersProfile;  // ktransformers.cpp

}  // namespace vramplan
