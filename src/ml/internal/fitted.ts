import { NotFittedError } from "../errors.js";

/** The fitted value, or a NotFittedError naming the estimator and method. */
export function fitted<T>(value: T | undefined, estimator: string, method: string): T {
  if (value === undefined) throw new NotFittedError(`${estimator}.${method}: the estimator is not fitted yet; call fit(X, y) first`);
  return value;
}
