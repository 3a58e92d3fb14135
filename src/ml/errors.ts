/** Errors particular to estimators. */
import { FluxionError } from "../core/errors.js";

/** A method that needs a fitted estimator (predict, transform, ...) was called before `fit`. */
export class NotFittedError extends FluxionError {}
