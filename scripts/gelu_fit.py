#!/usr/bin/env python3
"""Prints the float32 coefficients of the vectorised normal CDF behind GELU
(crates/kindling-core/src/simd/normal_cdf.rs), two least-squares Chebyshev fits converted to the
power basis, with their worst relative error in double precision:

- `ERF_SMALL`: erf(a)/a as a degree-5 polynomial in s = a² on a < 0.5;
- `ERFC_LARGE`: erfc(a)·exp(a²)/t as a degree-10 polynomial in t = 1/(1 + a/2) on 0.5 ≤ a ≤ 10.5
  (weighted for relative error), so erfc(a) = t·Q(t)·exp(−a²) with no cancellation.

Run: `python3 scripts/gelu_fit.py` (numpy).
"""
import math

import numpy as np
from numpy.polynomial import chebyshev as C
from numpy.polynomial import polynomial as P


def fit(u, y, deg, relative):
    lo, hi = u.min(), u.max()
    scaled = (2 * u - (lo + hi)) / (hi - lo)
    c = C.chebfit(scaled, y, deg, w=1 / np.abs(y) if relative else None)
    power = C.cheb2poly(c)
    coef = np.zeros(1)
    for k, ck in enumerate(power):
        coef = P.polyadd(coef, ck * P.polypow([-(lo + hi) / (hi - lo), 2 / (hi - lo)], k))
    return coef


def show(name, coef, u, y):
    print(f"{name}: max relative error {np.max(np.abs(P.polyval(u, coef) / y - 1)):.3g}")
    for v in coef:
        print(f"    {float(np.float32(v))!r},")


a = np.linspace(1e-9, 0.5, 20001)
s = a * a
small = np.array([math.erf(v) / v for v in a])
show("ERF_SMALL", fit(s, small, 5, False), s, small)

a = np.linspace(0.5, 10.5, 200001)
t = 1 / (1 + 0.5 * a)
large = np.array([math.erfc(v) * math.exp(v * v) for v in a]) / t
show("ERFC_LARGE", fit(t, large, 10, True), t, large)
