#pragma once
/// @file
/// The single place the tessera version lives. CMakeLists.txt and conanfile.py parse these lines.

#define TESSERA_VERSION_MAJOR 0
#define TESSERA_VERSION_MINOR 1
#define TESSERA_VERSION_PATCH 0

namespace tessera {
inline constexpr int version_major = TESSERA_VERSION_MAJOR;
inline constexpr int version_minor = TESSERA_VERSION_MINOR;
inline constexpr int version_patch = TESSERA_VERSION_PATCH;
}  // namespace tessera
