/**
 * The `fluxion` command (classic-ML subcommands: eda, fit). Run it with
 * `npx tsx src/cli/main.ts ...`.
 */
import { pathToFileURL } from "node:url";
import { Command } from "commander";
import { FluxionError } from "../core/errors.js";
import "../index.js";
import { register as registerEda } from "./eda.js";
import { register as registerFit } from "./fit.js";

export function buildProgram(): Command {
  const program = new Command().name("fluxion").description("Fluxion: classic machine learning and data exploration from the command line");
  registerEda(program);
  registerFit(program);
  return program;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  buildProgram().parseAsync(process.argv).catch((e: unknown) => {
    if (e instanceof FluxionError) {
      console.error(`fluxion: ${e.message}`);
      process.exitCode = 1;
    } else throw e;
  });
}
