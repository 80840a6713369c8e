#pragma once
/// @file
/// Small fixed-size linear algebra: vec3<T>, mat3<T>, a 3x3 linear solve and the symmetric
/// eigen-decomposition (cyclic Jacobi).
///
/// These are value types for per-particle geometry (bond vectors, box matrices, local affine
/// maps). Dense eigenproblems larger than 3x3 belong to Eigen, not here. mat3 is row-major:
/// `m(r, c)`. A box matrix stores the cell vectors a, b, c as *columns* (LAMMPS's h matrix).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>

namespace tessera {

template <class T>
struct vec3 {
    T x{}, y{}, z{};

    constexpr vec3() = default;
    constexpr vec3(T x_, T y_, T z_) noexcept : x(x_), y(y_), z(z_) {}
    /// Between precisions (e.g. a double box used by a float computation): explicit.
    template <class U>
    constexpr explicit vec3(const vec3<U>& o) noexcept : x(T(o.x)), y(T(o.y)), z(T(o.z)) {}

    constexpr T& operator[](std::size_t d) noexcept { return d == 0 ? x : (d == 1 ? y : z); }
    constexpr const T& operator[](std::size_t d) const noexcept { return d == 0 ? x : (d == 1 ? y : z); }

    constexpr vec3& operator+=(const vec3& o) noexcept { x += o.x; y += o.y; z += o.z; return *this; }
    constexpr vec3& operator-=(const vec3& o) noexcept { x -= o.x; y -= o.y; z -= o.z; return *this; }
    constexpr vec3& operator*=(T s) noexcept { x *= s; y *= s; z *= s; return *this; }
    constexpr vec3& operator/=(T s) noexcept { x /= s; y /= s; z /= s; return *this; }

    friend constexpr vec3 operator+(vec3 a, const vec3& b) noexcept { return a += b; }
    friend constexpr vec3 operator-(vec3 a, const vec3& b) noexcept { return a -= b; }
    friend constexpr vec3 operator-(const vec3& a) noexcept { return {-a.x, -a.y, -a.z}; }
    friend constexpr vec3 operator*(vec3 a, T s) noexcept { return a *= s; }
    friend constexpr vec3 operator*(T s, vec3 a) noexcept { return a *= s; }
    friend constexpr vec3 operator/(vec3 a, T s) noexcept { return a /= s; }
    friend constexpr bool operator==(const vec3&, const vec3&) = default;
};

template <class T>
constexpr T dot(const vec3<T>& a, const vec3<T>& b) noexcept {
    return a.x * b.x + a.y * b.y + a.z * b.z;
}
template <class T>
constexpr vec3<T> cross(const vec3<T>& a, const vec3<T>& b) noexcept {
    return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
template <class T>
constexpr T norm2(const vec3<T>& a) noexcept { return dot(a, a); }
template <class T>
T norm(const vec3<T>& a) noexcept { return std::sqrt(norm2(a)); }

template <class T>
bool is_finite(const vec3<T>& a) noexcept {
    return std::isfinite(a.x) && std::isfinite(a.y) && std::isfinite(a.z);
}

/// 3x3 matrix, row-major.
template <class T>
struct mat3 {
    std::array<T, 9> a{};

    constexpr mat3() = default;
    /// Row-major entries.
    constexpr mat3(const std::array<T, 9>& entries) noexcept : a(entries) {}
    template <class U>
    constexpr explicit mat3(const mat3<U>& o) noexcept {
        for (std::size_t k = 0; k < 9; ++k) a[k] = T(o.a[k]);
    }

    static constexpr mat3 identity() noexcept { return {{T(1), 0, 0, 0, T(1), 0, 0, 0, T(1)}}; }
    static constexpr mat3 diagonal(T d0, T d1, T d2) noexcept { return {{d0, 0, 0, 0, d1, 0, 0, 0, d2}}; }
    /// Matrix whose columns are c0, c1, c2.
    static constexpr mat3 from_columns(const vec3<T>& c0, const vec3<T>& c1, const vec3<T>& c2) noexcept {
        return {{c0.x, c1.x, c2.x, c0.y, c1.y, c2.y, c0.z, c1.z, c2.z}};
    }

    constexpr T& operator()(std::size_t r, std::size_t c) noexcept { return a[3 * r + c]; }
    constexpr const T& operator()(std::size_t r, std::size_t c) const noexcept { return a[3 * r + c]; }
    constexpr vec3<T> column(std::size_t c) const noexcept { return {a[c], a[3 + c], a[6 + c]}; }
    constexpr vec3<T> row(std::size_t r) const noexcept { return {a[3 * r], a[3 * r + 1], a[3 * r + 2]}; }

    friend constexpr vec3<T> operator*(const mat3& m, const vec3<T>& v) noexcept {
        return {m.a[0] * v.x + m.a[1] * v.y + m.a[2] * v.z, m.a[3] * v.x + m.a[4] * v.y + m.a[5] * v.z,
                m.a[6] * v.x + m.a[7] * v.y + m.a[8] * v.z};
    }
    friend constexpr mat3 operator*(const mat3& m, const mat3& n) noexcept {
        mat3 r;
        for (std::size_t i = 0; i < 3; ++i)
            for (std::size_t j = 0; j < 3; ++j)
                r(i, j) = m(i, 0) * n(0, j) + m(i, 1) * n(1, j) + m(i, 2) * n(2, j);
        return r;
    }
    friend constexpr mat3 operator+(mat3 m, const mat3& n) noexcept {
        for (std::size_t k = 0; k < 9; ++k) m.a[k] += n.a[k];
        return m;
    }
    friend constexpr mat3 operator-(mat3 m, const mat3& n) noexcept {
        for (std::size_t k = 0; k < 9; ++k) m.a[k] -= n.a[k];
        return m;
    }
    friend constexpr mat3 operator*(mat3 m, T s) noexcept {
        for (auto& v : m.a) v *= s;
        return m;
    }
    friend constexpr bool operator==(const mat3&, const mat3&) = default;
};

template <class T>
constexpr mat3<T> transpose(const mat3<T>& m) noexcept {
    return {{m(0, 0), m(1, 0), m(2, 0), m(0, 1), m(1, 1), m(2, 1), m(0, 2), m(1, 2), m(2, 2)}};
}

template <class T>
constexpr T determinant(const mat3<T>& m) noexcept {
    return m(0, 0) * (m(1, 1) * m(2, 2) - m(1, 2) * m(2, 1)) - m(0, 1) * (m(1, 0) * m(2, 2) - m(1, 2) * m(2, 0)) +
           m(0, 2) * (m(1, 0) * m(2, 1) - m(1, 1) * m(2, 0));
}

/// Inverse by the adjugate. The caller checks the determinant when singularity is possible.
template <class T>
constexpr mat3<T> inverse(const mat3<T>& m) noexcept {
    const T inv_det = T(1) / determinant(m);
    mat3<T> r;
    r(0, 0) = (m(1, 1) * m(2, 2) - m(1, 2) * m(2, 1)) * inv_det;
    r(0, 1) = (m(0, 2) * m(2, 1) - m(0, 1) * m(2, 2)) * inv_det;
    r(0, 2) = (m(0, 1) * m(1, 2) - m(0, 2) * m(1, 1)) * inv_det;
    r(1, 0) = (m(1, 2) * m(2, 0) - m(1, 0) * m(2, 2)) * inv_det;
    r(1, 1) = (m(0, 0) * m(2, 2) - m(0, 2) * m(2, 0)) * inv_det;
    r(1, 2) = (m(0, 2) * m(1, 0) - m(0, 0) * m(1, 2)) * inv_det;
    r(2, 0) = (m(1, 0) * m(2, 1) - m(1, 1) * m(2, 0)) * inv_det;
    r(2, 1) = (m(0, 1) * m(2, 0) - m(0, 0) * m(2, 1)) * inv_det;
    r(2, 2) = (m(0, 0) * m(1, 1) - m(0, 1) * m(1, 0)) * inv_det;
    return r;
}

/// Solves A x = b by Gaussian elimination with partial pivoting (works for any non-singular A,
/// symmetric or not). Returns false, leaving x untouched, when a pivot is below
/// `tolerance * max|A|` — i.e. A is singular to working precision.
template <class T>
bool solve(mat3<T> A, vec3<T> b, vec3<T>& x, T tolerance = T(1e3) * std::numeric_limits<T>::epsilon()) noexcept {
    T scale = 0;
    for (T v : A.a) scale = std::max(scale, std::abs(v));
    if (!(scale > 0)) return false;
    for (std::size_t c = 0; c < 3; ++c) {
        std::size_t p = c;
        for (std::size_t r = c + 1; r < 3; ++r)
            if (std::abs(A(r, c)) > std::abs(A(p, c))) p = r;
        if (!(std::abs(A(p, c)) > tolerance * scale)) return false;
        if (p != c) {
            for (std::size_t k = 0; k < 3; ++k) std::swap(A(p, k), A(c, k));
            std::swap(b[p], b[c]);
        }
        for (std::size_t r = c + 1; r < 3; ++r) {
            const T f = A(r, c) / A(c, c);
            for (std::size_t k = c; k < 3; ++k) A(r, k) -= f * A(c, k);
            b[r] -= f * b[c];
        }
    }
    vec3<T> out;
    for (std::size_t r = 3; r-- > 0;) {
        T s = b[r];
        for (std::size_t k = r + 1; k < 3; ++k) s -= A(r, k) * out[k];
        out[r] = s / A(r, r);
    }
    x = out;
    return true;
}

/// Eigen-decomposition of a symmetric 3x3 matrix: A = V diag(values) V^T.
template <class T>
struct symmetric_eigen {
    vec3<T> values;   ///< ascending
    mat3<T> vectors;  ///< column k is the unit eigenvector of values[k]
};

/// Cyclic Jacobi rotations: unconditionally stable and accurate to a few ulps for the small,
/// often nearly degenerate matrices met per particle (strain tensors, gyration tensors), where
/// closed-form cubic roots lose digits. Only the upper triangle of A is read.
template <class T>
symmetric_eigen<T> eigen_symmetric(const mat3<T>& A) noexcept {
    mat3<T> a = A;
    a(1, 0) = a(0, 1);
    a(2, 0) = a(0, 2);
    a(2, 1) = a(1, 2);
    mat3<T> v = mat3<T>::identity();
    for (int sweep = 0; sweep < 50; ++sweep) {
        const T off = a(0, 1) * a(0, 1) + a(0, 2) * a(0, 2) + a(1, 2) * a(1, 2);
        const T diag = a(0, 0) * a(0, 0) + a(1, 1) * a(1, 1) + a(2, 2) * a(2, 2);
        if (off <= std::numeric_limits<T>::min() || off <= diag * std::numeric_limits<T>::epsilon() *
                                                                 std::numeric_limits<T>::epsilon())
            break;
        for (std::size_t p = 0; p < 2; ++p) {
            for (std::size_t q = p + 1; q < 3; ++q) {
                if (a(p, q) == T(0)) continue;
                const T theta = (a(q, q) - a(p, p)) / (T(2) * a(p, q));
                const T t = (theta >= 0 ? T(1) : T(-1)) / (std::abs(theta) + std::sqrt(theta * theta + T(1)));
                const T c = T(1) / std::sqrt(t * t + T(1));
                const T s = t * c;
                for (std::size_t k = 0; k < 3; ++k) {  // columns p, q of a
                    const T akp = a(k, p), akq = a(k, q);
                    a(k, p) = c * akp - s * akq;
                    a(k, q) = s * akp + c * akq;
                }
                for (std::size_t k = 0; k < 3; ++k) {  // rows p, q of a
                    const T apk = a(p, k), aqk = a(q, k);
                    a(p, k) = c * apk - s * aqk;
                    a(q, k) = s * apk + c * aqk;
                }
                for (std::size_t k = 0; k < 3; ++k) {
                    const T vkp = v(k, p), vkq = v(k, q);
                    v(k, p) = c * vkp - s * vkq;
                    v(k, q) = s * vkp + c * vkq;
                }
            }
        }
    }
    std::array<std::size_t, 3> order{0, 1, 2};
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = i + 1; j < 3; ++j)
            if (a(order[j], order[j]) < a(order[i], order[i])) std::swap(order[i], order[j]);
    symmetric_eigen<T> out;
    for (std::size_t k = 0; k < 3; ++k) {
        out.values[k] = a(order[k], order[k]);
        for (std::size_t r = 0; r < 3; ++r) out.vectors(r, k) = v(r, order[k]);
    }
    return out;
}

}  // namespace tessera
