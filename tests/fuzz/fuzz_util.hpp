#pragma once
// Helpers for the libFuzzer targets of tests/fuzz/ (see docs/reliability.md).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <unistd.h>

namespace tessera_fuzz {

/// The input as a temporary file in /dev/shm or /tmp (mkstemps), removed on destruction: for the readers
/// that only take a path (gzip input through zlib's gzopen, EAM potential files).
class temp_file {
public:
    temp_file(const void* data, std::size_t size, const char* suffix = "") {
        // /dev/shm (memory) where the machine has it: a file per input, millions of inputs.
        std::string tmpl = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm/tessera_fuzz_XXXXXX" : "/tmp/tessera_fuzz_XXXXXX";
        tmpl += suffix;
        const int fd = mkstemps(tmpl.data(), static_cast<int>(std::string_view(suffix).size()));
        if (fd < 0) std::abort();  // not the code under test: the machine
        const auto* p = static_cast<const char*>(data);
        while (size > 0) {
            const ssize_t k = ::write(fd, p, size);
            if (k <= 0) std::abort();
            p += k;
            size -= static_cast<std::size_t>(k);
        }
        ::close(fd);
        path_ = tmpl;
    }
    ~temp_file() { ::unlink(path_.c_str()); }
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

/// The input as text.
inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace tessera_fuzz
