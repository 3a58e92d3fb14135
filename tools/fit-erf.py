"""Coefficients of src/backend/math/erf.ts and exp.ts, in 50-digit arithmetic.

    /usr/bin/python3 tools/fit-erf.py      (needs mpmath: apt-get install python3-mpmath)

Prints the Taylor coefficients of erf(x)/x on [0, 1), the Chebyshev
coefficients (degree 17) of h(x) = exp(x^2) erfc(x) on [1,2], [2,3], [3,4],
[4,6], the split ln 2 = LN2_HI + LN2_LO used by exp, and the worst relative
error of each piece evaluated in float64 against mpmath.
"""
import struct
import mpmath as mp

mp.mp.dps = 50
DEGREE = 17
PIECES = [(1, 2), (2, 3), (3, 4), (4, 6)]


def h(a):
    return mp.exp(a * a) * mp.erfc(a)


def chebyshev(f, lo, hi, degree):
    """Interpolation at the Chebyshev nodes of [lo, hi], as coefficients of T_0 ... T_degree."""
    n = degree + 1
    nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / n) for k in range(n)]
    values = [f((hi - lo) / 2 * x + (hi + lo) / 2) for x in nodes]
    coeffs = [2 * sum(values[k] * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / n) for k in range(n)) / n for j in range(n)]
    coeffs[0] /= 2
    return coeffs


def clenshaw(coeffs, t):
    b1 = b2 = 0.0
    for c in reversed(coeffs[1:]):
        b1, b2 = 2 * t * b1 - b2 + c, b1
    return t * b1 - b2 + coeffs[0]


taylor = [float(2 / mp.sqrt(mp.pi) * (-1) ** n / (mp.factorial(n) * (2 * n + 1))) for n in range(19)]
worst = 0.0
for i in range(1, 2000):
    x = i / 2000
    s, p = x * x, 0.0
    for c in reversed(taylor):
        p = p * s + c
    worst = max(worst, abs(float((x * p - mp.erf(x)) / mp.erf(x))))
print("ERF_TAYLOR", [repr(c) for c in taylor], "worst relative error", worst)

for lo, hi in PIECES:
    coeffs = [float(c) for c in chebyshev(h, mp.mpf(lo), mp.mpf(hi), DEGREE)]
    worst = 0.0
    for i in range(400):
        a = lo + (hi - lo) * i / 399
        exact = h(mp.mpf(a))
        worst = max(worst, abs(float((clenshaw(coeffs, (2 * a - (lo + hi)) / (hi - lo)) - exact) / exact)))
    print(f"{{ lo: {lo}, hi: {hi}, coeffs: [{', '.join(repr(c) for c in coeffs)}] }},  worst relative error {worst:.2e}")

ln2 = mp.log(2)
bits = struct.unpack("<Q", struct.pack("<d", float(ln2)))[0] & ~((1 << 32) - 1)
ln2_hi = struct.unpack("<d", struct.pack("<Q", bits))[0]
print("LN2_HI", repr(ln2_hi), "LN2_LO", repr(float(ln2 - mp.mpf(ln2_hi))), "INV_LN2", repr(float(1 / ln2)))
