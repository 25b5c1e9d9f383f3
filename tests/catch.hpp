#pragma once
// One include for Catch2 v2 (Debian bookworm: catch2/catch.hpp) and v3 (catch2/catch_all.hpp).
#if defined(VRAMPLAN_CATCH3)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
