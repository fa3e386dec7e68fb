#!/usr/bin/env python3
"""Prints the coefficients of `ERF_OVER_X` in crates/kindling-core/src/elementwise/erf.rs:
erf(x)/x as a degree-11 polynomial in t = x² on |x| < 1.5 (a Chebyshev least-squares fit on
40,001 points of t, converted to the power basis), with its worst relative error and how many
of 300,000 points round to a different float32 than the exact erf.

Run: `python3 scripts/erf_fit.py` (numpy).
"""
import math

import numpy as np
from numpy.polynomial import chebyshev as C

ts = np.linspace(0, 2.25, 40001)
x = np.sqrt(ts)
y = np.where(x > 0, np.array([math.erf(v) for v in x]) / np.where(x > 0, x, 1), 2 / math.sqrt(math.pi))
c = C.chebfit(ts * 2 / 2.25 - 1, y, 11)
coef = np.polynomial.Polynomial(C.cheb2poly(c))(np.polynomial.Polynomial([-1.0, 2 / 2.25])).coef
xs = np.linspace(0, 1.5, 300001)[1:]
approx = xs * np.polyval(coef[::-1], xs * xs)
exact = np.array([math.erf(v) for v in xs])
print("max relative error", np.max(np.abs(approx - exact) / np.abs(exact)))
print("float32 mismatches", int(np.sum(approx.astype(np.float32) != exact.astype(np.float32))), "of", len(xs))
for v in coef:
    print(f"    {float(v)!r},")
