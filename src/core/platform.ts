/**
 * What the host provides: Node's `process` and built-in modules, fetched
 * when an operation needs them rather than imported at the top of a file,
 * so the package root loads in a browser (through any bundler, without
 * shims). In a browser only the operations that touch files fail, with an
 * error that says so.
 */
import { PlatformError } from "./errors.js";

interface NodeBuiltins {
  "node:crypto": typeof import("node:crypto");
  "node:fs": typeof import("node:fs");
  "node:module": typeof import("node:module");
  "node:os": typeof import("node:os");
  "node:path": typeof import("node:path");
  "node:v8": typeof import("node:v8");
  "node:worker_threads": typeof import("node:worker_threads");
  "node:zlib": typeof import("node:zlib");
}

type ProcessLike = { getBuiltinModule?: (name: string) => unknown; pid?: number; env?: Record<string, string | undefined>; stderr?: unknown };

/** Node's `process`, or undefined outside Node. */
export function nodeProcess(): ProcessLike | undefined {
  return (globalThis as { process?: ProcessLike }).process;
}

/** An environment variable, or undefined (always, outside Node). */
export function envVar(name: string): string | undefined {
  return nodeProcess()?.env?.[name];
}

/** The built-in module `name`, or undefined outside Node. */
export function optionalNodeModule<K extends keyof NodeBuiltins>(name: K): NodeBuiltins[K] | undefined {
  return nodeProcess()?.getBuiltinModule?.(name) as NodeBuiltins[K] | undefined;
}

/** The built-in module `name`; throws a PlatformError naming `op` outside Node. */
export function nodeModule<K extends keyof NodeBuiltins>(name: K, op: string): NodeBuiltins[K] {
  const found = optionalNodeModule(name);
  if (found === undefined) throw new PlatformError(`${op}: needs Node.js (${name} is not available in this environment)`);
  return found;
}
