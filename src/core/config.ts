/**
 * Global switches. `debugNans` makes every primitive check its outputs and
 * throw a NanError at the first NaN or Infinity, naming the primitive and the
 * user code that called it (forward or backward pass).
 */
export const config = {
  debugNans: false,
};
