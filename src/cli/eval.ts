/** `fluxion eval`: a saved model's loss, accuracy and confusion matrix on a data set's test part. */
import type { Command } from "commander";
import { confusionMatrix } from "../metrics/index.js";
import { tensor } from "../ops/creation.js";
import { evaluate } from "../train/evaluate.js";
import { applyBackend, BACKEND_HELP } from "./backend.js";
import { loadData } from "./datasets.js";
import { layoutOf } from "./models.js";
import { loadModelDir } from "./model-dir.js";
import type { Output } from "./output.js";
import { positiveInt } from "./options.js";

export interface EvalArgs {
  modelDir: string;
  dataset?: string;
  json?: boolean;
  backend?: string;
  limit?: number;
}

export interface EvalResult {
  dataset: string;
  loss: number;
  accuracy: number;
  examples: number;
  confusion: number[][];
}

export function runEval(args: EvalArgs, out: Output): EvalResult {
  applyBackend(args);
  const { model, config } = loadModelDir(args.modelDir);
  const dataset = args.dataset ?? config.dataset;
  const data = loadData(dataset, { layout: layoutOf(config.model), validationSplit: config.training.validationSplit, normalization: config.normalization, limit: args.limit });
  const ev = evaluate(model, data.test);
  const labels = tensor(Int32Array.from(data.test[1].data()), { dtype: "int32" });
  const confusion = confusionMatrix(tensor(ev.predictions, { dtype: "int32" }), labels, config.classes.length);
  const result = { dataset, loss: ev.loss, accuracy: ev.accuracy, examples: ev.count, confusion };
  if (args.json) {
    out.log(JSON.stringify(result));
    return result;
  }
  out.log(`${config.model} from ${args.modelDir} on the ${dataset} test set (${ev.count} examples)`);
  out.log(`accuracy ${(ev.accuracy * 100).toFixed(2)}%  loss ${ev.loss.toFixed(4)}`);
  out.log("confusion matrix (rows: true class, columns: predicted):");
  const width = Math.max(5, ...confusion.flat().map((v) => String(v).length + 1));
  const names = config.classes.map((c) => c.slice(0, 12));
  const labelWidth = Math.max(...names.map((n) => n.length)) + 1;
  out.log(`${"".padStart(labelWidth)}${names.map((_, j) => String(j).padStart(width)).join("")}`);
  confusion.forEach((row, i) => out.log(`${names[i]!.padStart(labelWidth)}${row.map((v) => String(v).padStart(width)).join("")}`));
  return result;
}

export function registerEval(program: Command, out: Output): void {
  program
    .command("eval")
    .description("evaluate a trained model on a data set's test part")
    .requiredOption("--model-dir <dir>", "a directory written by `fluxion train`")
    .option("--dataset <name>", "mnist, fashion-mnist or a directory of IDX files (default: the one it was trained on)")
    .option("--backend <name>", BACKEND_HELP)
    .option("--json", "print the result as JSON")
    .option("--limit <n>", "evaluate at most N test examples", positiveInt("--limit"))
    .action((opts: EvalArgs) => {
      runEval(opts, out);
    });
}
