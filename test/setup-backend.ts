/**
 * Runs any test file on a chosen backend: `FLUXION_BACKEND=wasm npx vitest run`.
 * Tests that name a backend themselves still set it explicitly.
 */
import * as fx from "../src/index.js";

const name = process.env.FLUXION_BACKEND;
if (name) fx.setBackend(name);
