#pragma once
/// @file
/// tessera::error — the one exception type the library throws.
///
/// Every message names *what* is wrong and *where* (file, line, frame, atom id, parameter), so a
/// user reading it can find the offending input without a debugger. Validation happens at API
/// boundaries (readers, query construction, descriptor set-up), never inside per-neighbour loops.

#include <stdexcept>
#include <string>

namespace tessera {

class error : public std::runtime_error {
public:
    explicit error(const std::string& message) : std::runtime_error(message) {}
    explicit error(const char* message) : std::runtime_error(message) {}
};

}  // namespace tessera
