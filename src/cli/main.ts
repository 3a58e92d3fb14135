/**
 * The `fluxion` command: train, eval, predict, info, eda, fit, bench. Run it with
 * `npx fluxion ...` (after `npm run build`) or `npx tsx src/cli/main.ts ...`.
 */
import { pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { FluxionError } from "../core/errors.js";
import "../index.js";
import { registerEval } from "./eval.js";
import { registerInfo } from "./info.js";
import { processOutput, type Output } from "./output.js";
import { registerPredict } from "./predict.js";
import { registerTrain } from "./train.js";
import { register as registerEda } from "./eda.js";
import { register as registerFit } from "./fit.js";
import { registerBench } from "./bench.js";
import { packageVersion } from "./version.js";

export function buildProgram(out: Output = processOutput): Command {
  const program = new Command();
  program
    .name("fluxion")
    .description("Fluxion: train, evaluate and use models from the command line")
    .version(packageVersion())
    .showHelpAfterError("(run with --help for usage)");
  registerTrain(program, out);
  registerEval(program, out);
  registerPredict(program, out);
  registerInfo(program, out);
  registerEda(program);
  registerFit(program);
  registerBench(program);
  return program;
}

/** Runs the command line `argv` (without "node script"); returns the exit code. */
export async function main(argv: string[], out: Output = processOutput): Promise<number> {
  const program = buildProgram(out).exitOverride();
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    // Errors the library raises on purpose carry a message meant for the user.
    if (e instanceof FluxionError) {
      out.error(`fluxion: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
