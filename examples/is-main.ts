/** True when this module is the script node/tsx was started with (not imported by run-all or a test). */
import { pathToFileURL } from "node:url";

export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && moduleUrl === pathToFileURL(script).href;
}
