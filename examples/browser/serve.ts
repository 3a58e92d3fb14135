/**
 * Serves a browser page that runs a TypeScript entry bundled with esbuild,
 * with the two headers that make the page cross-origin isolated (so the
 * wasm backend gets its threads) unless asked not to.
 *
 *   npx tsx examples/browser/serve.ts        # the spiral demo on http://127.0.0.1:8080/
 *
 * test/browser-threads.test.ts serves its own page with it.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { isMain } from "../is-main.js";

const ISOLATION = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

export interface ServedPage {
  /** The page with the isolation headers; `${origin}/?plain` serves it without them. */
  origin: string;
  close(): Promise<void>;
}

/** Bundles `entry` for the browser and serves it as /page.js under a page titled `title`, on `port` (0: any free one). */
export async function servePage(entry: string, title: string, port = 0): Promise<ServedPage> {
  const bundle = await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "browser", target: "es2022", write: false, logLevel: "silent" });
  const script = bundle.outputFiles[0]!.contents;
  const page = `<!doctype html><meta charset="utf-8"><title>${title}</title><link rel="icon" href="data:,"><pre id="log"></pre><script type="module" src="/page.js"></script>`;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    // A worker started from the page asks for /page.js?plain too when the page was plain.
    const headers = url.searchParams.has("plain") ? {} : ISOLATION;
    if (url.pathname === "/page.js") res.writeHead(200, { "Content-Type": "text/javascript", ...headers }).end(script);
    else if (url.pathname === "/") res.writeHead(200, { "Content-Type": "text/html", ...headers }).end(page);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (isMain(import.meta.url)) {
  const { origin } = await servePage(fileURLToPath(new URL("./spirals.ts", import.meta.url)), "Fluxion: spirals in the browser", 8080);
  console.log(`Open ${origin}/ (threads: cross-origin isolated) or ${origin}/?plain (one thread). Ctrl-C stops.`);
}
