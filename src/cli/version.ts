/** The package's root and version, found from the package.json above this file (works from src/ and dist/). */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findPackage(): { root: string; version: string } | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, "package.json");
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "fluxion") return { root: dir, version: pkg.version ?? "unknown" };
    }
    dir = dirname(dir);
  }
  return null;
}

export function packageVersion(): string {
  return findPackage()?.version ?? "unknown";
}

/** The directory holding Fluxion's package.json (null if it cannot be found). */
export function packageRoot(): string | null {
  return findPackage()?.root ?? null;
}
