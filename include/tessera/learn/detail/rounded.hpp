#pragma once
/// @file
/// A product that is rounded to double before it is used: never contracted with a following
/// addition into one fused multiply-add. GCC contracts `s += a * b` into an FMA under
/// -march=native even in ISO C++ mode (-ffp-contract=fast is its default); numpy and
/// scikit-learn round every product, so learn/ uses this wherever a result must equal theirs to
/// the bit (scaler parameters and transforms, weighted sums, distances shared by two searches).
/// The empty asm statement only hides the value from the optimizer: no instruction is emitted.

namespace tessera::detail {

[[nodiscard]] inline double rounded_product(double a, double b) noexcept {
    double p = a * b;
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
    __asm__("" : "+x"(p));
#elif defined(__GNUC__)
    __asm__("" : "+m"(p));
#else
    volatile double v = p;
    p = v;
#endif
    return p;
}

}  // namespace tessera::detail
