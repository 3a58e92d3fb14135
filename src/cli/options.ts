/** Parsing of numeric command-line options, with messages that name the option. */
import { InvalidArgumentError } from "commander";

export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got "${value}".`);
    return n;
  };
}

export function nonNegativeInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${value}".`);
    return n;
  };
}

export function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number, got "${value}".`);
    return n;
  };
}

export function fraction(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(n > 0 && n < 1)) throw new InvalidArgumentError(`${name} must be a fraction between 0 and 1, got "${value}".`);
    return n;
  };
}

export function oneOf<T extends string>(name: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`${name} must be one of ${choices.join(", ")}, got "${value}".`);
    return value as T;
  };
}
