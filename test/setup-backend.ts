/**
 * Runs any test file on a chosen backend: `FLUXION_BACKEND=wasm npx vitest run`.
 * The package root already reads FLUXION_BACKEND (so child processes spawned by
 * tests follow it too); this makes the choice explicit and fails fast on a typo.
 */
import * as fx from "../src/index.js";

const name = process.env.FLUXION_BACKEND;
if (name) fx.setBackend(name);
