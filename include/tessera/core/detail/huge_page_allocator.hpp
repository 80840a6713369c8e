#pragma once
/// @file
/// An allocator for the large arrays of a neighbour list: blocks of 4 MiB or more are aligned to
/// 2 MiB and marked MADV_HUGEPAGE (Linux), so the kernel backs them with transparent huge pages
/// when its THP mode is "madvise" (Debian's default) or "always". Writing a fresh 150 MB list
/// otherwise takes ~37 000 page faults of 4 KiB each — measured as half of a ball query's time at
/// 43 bonds per atom (docs/performance.md, "Ball query (current)"). Smaller blocks, and other
/// systems, use the global operator new. Stateless: all instances compare equal.

#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace tessera::detail {

template <class T>
struct huge_page_allocator {
    using value_type = T;

    static constexpr std::size_t huge_page = std::size_t(2) << 20;  // 2 MiB
    static constexpr std::size_t threshold = std::size_t(4) << 20;  // use huge pages from 4 MiB

    huge_page_allocator() noexcept = default;
    template <class U>
    huge_page_allocator(const huge_page_allocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        if (n > std::size_t(-1) / sizeof(T)) throw std::bad_array_new_length();
        const std::size_t bytes = n * sizeof(T);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        if (bytes >= threshold) {
            const std::size_t rounded = (bytes + huge_page - 1) / huge_page * huge_page;
            void* p = std::aligned_alloc(huge_page, rounded);
            if (!p) throw std::bad_alloc();
            ::madvise(p, rounded, MADV_HUGEPAGE);  // advisory: failure only means small pages
            return static_cast<T*>(p);
        }
#endif
        return static_cast<T*>(::operator new(bytes, std::align_val_t(alignof(T) > 16 ? alignof(T) : 16)));
    }

    void deallocate(T* p, std::size_t n) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        if (n * sizeof(T) >= threshold) {
            std::free(p);
            return;
        }
#endif
        ::operator delete(p, std::align_val_t(alignof(T) > 16 ? alignof(T) : 16));
    }

    template <class U>
    friend bool operator==(const huge_page_allocator&, const huge_page_allocator<U>&) noexcept {
        return true;
    }
};

}  // namespace tessera::detail
