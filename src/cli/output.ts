/** Where a command writes: results to stdout, progress to stderr (a bar only on a terminal). */
import type { ProgressStream } from "../train/progress.js";

export interface Output {
  log(line: string): void;
  error(line: string): void;
  progress: ProgressStream | false;
}

export const processOutput: Output = {
  log: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
  progress: process.stderr,
};
