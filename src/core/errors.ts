/**
 * Typed errors. Every error names the operation that failed and what was
 * wrong with its input, so callers can tell the kinds apart with `instanceof`.
 */
export class FluxionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit together (broadcasting, matmul, reshape, axes). */
export class ShapeError extends FluxionError {}

/** A dtype the operation cannot take, or two dtypes that do not combine. */
export class DTypeError extends FluxionError {}

/** An index or axis out of range, or not an integer. */
export class IndexError extends FluxionError {}

/** A value outside what the operation accepts (negative size, bad option). */
export class ValueError extends FluxionError {}

/** A transform used the wrong way: grad of a non-scalar, reading a traced value. */
export class TransformError extends FluxionError {}

/** Reading a concrete value from a tensor that only exists while tracing under `jit`. */
export class ConcretizationError extends TransformError {}

/** A tensor used after `dispose()`. */
export class DisposedError extends FluxionError {}

/** `config.debugNans` found a NaN or Infinity. */
export class NanError extends FluxionError {}

/** A malformed or hostile file. */
export class FileFormatError extends FluxionError {}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** A data set or file that should be on disk is not there; the message says how to get it. */
export class DataNotFoundError extends FluxionError {}

/** An operation this environment cannot do (reading files in a browser). */
export class PlatformError extends FluxionError {}
