/**
 * Global switches. `debugNans` makes every primitive check its outputs and
 * throw a NanError at the first NaN or Infinity, naming the primitive and the
 * user code that called it (forward or backward pass).
 *
 * `convPrecision` trades speed for rounding in float convolutions on the Wasm
 * backend (see docs/conv.md): "fast" (the default) lets 3×3 stride-1 float32
 * convolutions use Winograd F(4×4, 3×3) (~2e-6 of the output's scale),
 * "high" keeps F(2×2, 3×3) (a few ulps of the largest terms), "highest"
 * sums every product directly (im2col or implicit GEMM), as the reference does.
 *
 *   fx.config.convPrecision = "highest"; // e.g. before comparing with another framework at 1e-6
 */
export const config: { debugNans: boolean; convPrecision: "fast" | "high" | "highest" } = {
  debugNans: false,
  convPrecision: "fast",
};
