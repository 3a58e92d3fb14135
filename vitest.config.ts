import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    pool: "forks",
    // FLUXION_BACKEND=wasm runs the suite on that backend.
    setupFiles: ["test/setup-backend.ts"],
  },
});
