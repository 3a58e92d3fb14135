/** Which backend eager operations run on. */
import { ValueError } from "../core/errors.js";
import { envVar } from "../core/platform.js";
import type { Backend } from "./spec.js";
import { referenceBackend } from "./reference/index.js";

let current: Backend = referenceBackend;
const known = new Map<string, Backend>([["reference", referenceBackend]]);

export function registerBackend(b: Backend): void {
  known.set(b.name, b);
}

export function getBackend(): Backend {
  return current;
}

export function setBackend(name: string): void {
  const b = known.get(name);
  if (!b) throw new ValueError(`setBackend: unknown backend "${name}" (known: ${[...known.keys()].join(", ")})`);
  current = b;
}

export function backendNames(): string[] {
  return [...known.keys()];
}

/**
 * `FLUXION_BACKEND=<name>` in the environment picks the default backend, so a
 * whole run (tests, and any child process they spawn) can use one backend;
 * otherwise `preferred` (the package root prefers "wasm", which falls back to
 * the reference kernels for whatever it does not accelerate).
 * Called once by the package root after every backend has registered.
 */
export function backendFromEnv(preferred?: string): void {
  const name = envVar("FLUXION_BACKEND");
  if (name) setBackend(name);
  else if (preferred && known.has(preferred)) setBackend(preferred);
}
