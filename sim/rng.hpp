// rng.hpp: the simulator's small deterministic random number generator.
//
// Owns: a seedable 64-bit generator (splitmix64 seeding, wyrand-style steps) and
// the few distributions generation needs. Does not own: what is drawn.
#pragma once

#include <cmath>
#include <cstdint>

namespace orscript::sim {

// A strong 64-bit mixer (splitmix64 finaliser).
inline std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(mix64(seed)) {}
  std::uint64_t next() {
    s_ += 0xa0761d6478bd642fULL;
    const __uint128_t m = static_cast<__uint128_t>(s_) * (s_ ^ 0xe7037ed1a0b428dbULL);
    return static_cast<std::uint64_t>(m >> 64) ^ static_cast<std::uint64_t>(m);
  }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return uniform() < p; }
  std::uint64_t below(std::uint64_t n) { return n ? next() % n : 0; }
  // Standard normal by inverse CDF (Acklam's rational approximation; the central 95 %
  // needs no transcendental call).
  double normal() {
    double p = uniform();
    if (p < 1e-300) p = 1e-300;
    constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                            6.680131188771972e+01, -1.328068155288572e+01};
    constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                            3.754408661907416e+00};
    if (p < 0.02425 || p > 0.97575) {
      const double q = std::sqrt(-2 * std::log(p < 0.5 ? p : 1 - p));
      const double x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
                       ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
      return p < 0.5 ? x : -x;
    }
    const double q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  // Lognormal with the given mean and log-sigma.
  double lognormal(double mean, double sigma) { return mean * std::exp(sigma * normal() - 0.5 * sigma * sigma); }
  // Poisson; normal approximation above 60.
  std::uint64_t poisson(double lambda) {
    if (lambda <= 0) return 0;
    if (lambda > 60) {
      const double x = lambda + std::sqrt(lambda) * normal() + 0.5;
      return x < 0 ? 0 : static_cast<std::uint64_t>(x);
    }
    const double l = std::exp(-lambda);
    std::uint64_t k = 0;
    double p = uniform();
    while (p > l) {
      ++k;
      p *= uniform();
    }
    return k;
  }

 private:
  std::uint64_t s_;
};

}  // namespace orscript::sim
