export { Chart, line, scatter, histogram, heatmap, imageGrid, type ChartOptions, type Spec } from "./charts.js";
export { renderSvg } from "./render.js";
export { Report, escapeHtml } from "./report.js";
export { encodePng, pngDataUri } from "./png.js";
