/** Vega-Lite spec → SVG string, rendered headless by Vega in Node. */
import * as vega from "vega";
import * as vegaLite from "vega-lite";

export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const compiled = vegaLite.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
