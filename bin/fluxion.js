#!/usr/bin/env node
// The `fluxion` command. Runs the compiled CLI (dist/cli/main.js, made by
// `npm run build`); in a source checkout without a build (or with
// FLUXION_FROM_SOURCE=1) it runs src/cli/main.ts through tsx instead.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist", "cli", "main.js");
const source = join(root, "src", "cli", "main.ts");

async function load() {
  if (existsSync(dist) && process.env.FLUXION_FROM_SOURCE !== "1") return import(pathToFileURL(dist).href);
  if (existsSync(source)) {
    let register;
    try {
      ({ register } = await import("tsx/esm/api"));
    } catch {
      process.stderr.write("fluxion: there is no build (dist/cli/main.js) and tsx is not installed to run the sources.\n" +
        "Run `npm install && npm run build`, or `npm install` and try again.\n");
      process.exit(1);
    }
    register();
    return import(pathToFileURL(source).href);
  }
  process.stderr.write(`fluxion: cannot find ${dist}; run \`npm run build\` first.\n`);
  process.exit(1);
}

const { main } = await load();
process.exitCode = await main(process.argv.slice(2));
