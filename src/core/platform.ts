/**
 * Node's built-in modules, fetched when an operation needs them rather than
 * imported at the top of a file, so the package root loads in a browser
 * (through any bundler, without shims). In a browser only the operations
 * that touch files fail, with an error that says so.
 */
import { PlatformError } from "./errors.js";

interface NodeBuiltins {
  "node:crypto": typeof import("node:crypto");
  "node:fs": typeof import("node:fs");
  "node:module": typeof import("node:module");
  "node:path": typeof import("node:path");
  "node:zlib": typeof import("node:zlib");
}

type ProcessLike = { getBuiltinModule?: (name: string) => unknown; pid?: number; env?: Record<string, string | undefined> };

/** Node's `process`, or undefined outside Node. */
export function nodeProcess(): ProcessLike | undefined {
  return (globalThis as { process?: ProcessLike }).process;
}

/** The built-in module `name`; throws a PlatformError naming `op` outside Node. */
export function nodeModule<K extends keyof NodeBuiltins>(name: K, op: string): NodeBuiltins[K] {
  const found = nodeProcess()?.getBuiltinModule?.(name);
  if (found === undefined) throw new PlatformError(`${op}: needs Node.js (${name} is not available in this environment)`);
  return found as NodeBuiltins[K];
}
