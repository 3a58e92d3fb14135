/** Which backend eager operations run on. */
import { ValueError } from "../core/errors.js";
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
