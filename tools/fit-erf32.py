"""Coefficients of src/backend/math/erf32.ts: erf in float32 arithmetic.

    /usr/bin/python3 tools/fit-erf32.py      (needs numpy and mpmath)

Two pieces, each a near-minimax fit (weighted least squares with Lawson's
reweighting and, for the rational one, Sanathanan-Koerner iteration):

  |x| < 0.8:        erf(x) = x * P(x^2), P of degree 5, relative error;
  0.8 <= |x|:       erf(x) = 1 - N(t) / D(t), t = min(|x|, 4) - 1.5, N and D
                    of degree 6 fitted to erfc, absolute error (erfc(4) plus the fit error is
                    below half an ulp of 1, so larger |x| give exactly 1).

The coefficients are rounded to float32, the whole function is evaluated in
float32 arithmetic (numpy.float32, round after every operation, as the
TypeScript and Wasm kernels do), and the worst error in ulps against mpmath
over a dense grid is printed.
"""
import json
import numpy as np
import mpmath as mp

mp.mp.dps = 30
SPLIT, CLAMP, CENTER = 0.8, 4.0, 1.5
F = np.float32


def lawson_fit(xs, f, p, q, weight, iters=60):
    """P/Q in powers of xs (Q's constant term 1) minimizing max weight*|P/Q - f|."""
    q_prev, w, best = np.ones_like(xs), np.ones_like(xs), None
    for _ in range(iters):
        A = np.column_stack([xs**k for k in range(p + 1)] + [-f * xs**k for k in range(1, q + 1)])
        W = np.sqrt(w) * weight / q_prev
        sol, *_ = np.linalg.lstsq(A * W[:, None], f * W, rcond=None)
        a, b = sol[:p + 1], np.concatenate([[1.0], sol[p + 1:]])
        P, Q = np.polyval(a[::-1], xs), np.polyval(b[::-1], xs)
        err = np.abs(P / Q - f) * weight
        if best is None or err.max() < best[2]:
            best = (a, b, err.max())
        q_prev = Q
        w = w * err / err.max()
        w /= w.sum()
    return best


def horner(cs, t):
    r = cs[-1]
    for c in cs[-2::-1]:
        r = F(F(r * t) + c)
    return r


def erf32(x, small, num, den):
    a = F(abs(x))
    if a < F(SPLIT):
        r = F(a * horner(small, F(a * a)))
    else:
        t = F(F(min(a, F(CLAMP))) - F(CENTER))
        r = F(F(1) - F(horner(num, t) / horner(den, t)))
    return -r if x < 0 else r


xs = np.linspace(1e-6, SPLIT, 4000)
f = np.array([float(mp.erf(mp.mpf(x)) / mp.mpf(x)) for x in xs])
small, _, e_small = lawson_fit(xs * xs, f, 5, 0, 1 / f)
xl = np.linspace(SPLIT, CLAMP, 4000)
fl = np.array([float(mp.erfc(mp.mpf(x))) for x in xl])
num, den, e_large = lawson_fit(xl - CENTER, fl, 6, 6, np.ones_like(xl))
small, num, den = [F(c) for c in small], [F(c) for c in num], [F(c) for c in den]

grid = np.unique(np.concatenate([np.linspace(0, 4.2, 40001), np.logspace(-9, 0, 4001), np.linspace(3.8, 4.0, 2001)]).astype(F))
worst, at = 0.0, 0.0
for x in grid:
    exact = float(mp.erf(mp.mpf(float(x))))
    err = abs(float(erf32(x, small, num, den)) - exact) / float(np.spacing(F(abs(exact)))) if exact else 0.0
    if err > worst:
        worst, at = err, float(x)
print(f"fit: small piece relative {e_small:.2e}, large piece absolute {e_large:.2e}")
print(f"float32 evaluation: worst {worst:.2f} ulp at x = {at}")
print(json.dumps({"ERF32_SMALL": [float(c) for c in small], "ERFC32_NUM": [float(c) for c in num], "ERFC32_DEN": [float(c) for c in den]}, indent=1))
