/**
 * A self-contained HTML report: headings, text, key figures, tables and charts
 * (inlined as SVG, so the file opens anywhere, offline, with no scripts).
 *
 *   const r = new fx.viz.Report("Training run");
 *   r.heading("Loss").chart(fx.viz.line({ train: losses }));
 *   await r.save("runs/report.html");
 */
import { nodeModule } from "../core/platform.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import type { Chart } from "./charts.js";

type Block =
  | { kind: "heading"; text: string }
  | { kind: "text"; text: string }
  | { kind: "chart"; chart: Chart; caption?: string }
  | { kind: "table"; header: string[]; rows: (string | number)[][] }
  | { kind: "figures"; items: [string, string | number][] };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function fmt(v: string | number): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  return v;
}

export class Report {
  private blocks: Block[] = [];
  constructor(readonly title: string) {}

  heading(text: string): this {
    this.blocks.push({ kind: "heading", text });
    return this;
  }
  text(text: string): this {
    this.blocks.push({ kind: "text", text });
    return this;
  }
  chart(chart: Chart, caption?: string): this {
    this.blocks.push({ kind: "chart", chart, ...(caption ? { caption } : {}) });
    return this;
  }
  table(header: string[], rows: (string | number)[][]): this {
    this.blocks.push({ kind: "table", header, rows });
    return this;
  }
  /** Key numbers shown large (e.g. { "test accuracy": 0.98 }). */
  figures(items: Record<string, string | number>): this {
    this.blocks.push({ kind: "figures", items: Object.entries(items) });
    return this;
  }

  async toHTML(): Promise<string> {
    const parts: string[] = [];
    for (const b of this.blocks) {
      switch (b.kind) {
        case "heading": parts.push(`<h2>${escapeHtml(b.text)}</h2>`); break;
        case "text": parts.push(`<p>${escapeHtml(b.text)}</p>`); break;
        case "chart": {
          const svg = await b.chart.toSVG();
          parts.push(`<figure class="chart">${svg}${b.caption ? `<figcaption>${escapeHtml(b.caption)}</figcaption>` : ""}</figure>`);
          break;
        }
        case "table":
          parts.push(`<table><thead><tr>${b.header.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>${b.rows
            .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(fmt(c))}</td>`).join("")}</tr>`)
            .join("")}</tbody></table>`);
          break;
        case "figures":
          parts.push(`<div class="figures">${b.items.map(([k, v]) => `<div class="figure"><div class="value">${escapeHtml(fmt(v))}</div><div class="label">${escapeHtml(k)}</div></div>`).join("")}</div>`);
          break;
        default: b satisfies never;
      }
    }
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(this.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1000px;color:#222;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}
.figures{display:flex;gap:1.5rem;flex-wrap:wrap}.figure{background:#f4f6fa;padding:.8rem 1.2rem;border-radius:6px}
.figure .value{font-size:1.5rem;font-weight:600}.figure .label{color:#555}
figure.chart{margin:1rem 0}figcaption{color:#555;font-size:.9rem}
</style></head><body>
<h1>${escapeHtml(this.title)}</h1>
${parts.join("\n")}
</body></html>
`;
  }

  /** Writes the report atomically (temporary file, then rename). */
  async save(path: string): Promise<void> {
    const html = await this.toHTML();
    const { mkdirSync } = nodeModule("node:fs", "Report.save");
    mkdirSync(nodeModule("node:path", "Report.save").dirname(path), { recursive: true });
    writeFileAtomic(path, html, "Report.save");
  }
}
