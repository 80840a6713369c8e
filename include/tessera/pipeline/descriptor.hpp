#pragma once
/// @file
/// Moved: the descriptor contract lives in <tessera/descriptors/descriptor.hpp>. This header
/// stays so that code written against tessera 0.1 keeps compiling.
#include <tessera/descriptors/descriptor.hpp>
