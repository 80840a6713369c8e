#pragma once
/// @file
/// tessera::error — the one exception type the library throws.
///
/// Every message names *what* is wrong and *where* (file, line, frame, atom id, parameter), so a
/// user reading it can find the offending input without a debugger. Validation happens at API
/// boundaries (readers, query construction, descriptor set-up), never inside per-neighbour loops.

#include <sstream>
#include <stdexcept>
#include <string>

namespace tessera {

class error : public std::runtime_error {
public:
    explicit error(const std::string& message) : std::runtime_error(message) {}
    explicit error(const char* message) : std::runtime_error(message) {}
    /// The message from its parts, each written as `operator<<` writes it (numbers as an
    /// ostream prints them, with its default precision):
    ///
    ///     throw tessera::error("csp: N = ", n, " exceeds the limit of ", limit);
    template <class... Parts>
        requires(sizeof...(Parts) >= 2)
    explicit error(const Parts&... parts) : std::runtime_error(concat(parts...)) {}

private:
    template <class... Parts>
    static std::string concat(const Parts&... parts) {
        std::ostringstream os;
        (os << ... << parts);
        return os.str();
    }
};

}  // namespace tessera
