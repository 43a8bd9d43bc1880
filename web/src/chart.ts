// Loaded on demand by the Insights screen, so uPlot is not part of the initial JavaScript.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
  dash?: number[];
}

/** A line chart of daily series (x: ISO days) in ``element``; ``band`` fills between two series' indexes
 * (1-based, as uPlot counts them). Returns a function that removes it. */
export function drawChart(element: HTMLElement, days: string[], series: Series[], band?: [number, number]): () => void {
  const x = days.map((day) => Date.parse(`${day}T12:00:00Z`) / 1000);
  const width = Math.max(280, element.clientWidth);
  const plot = new uPlot(
    {
      width,
      height: 220,
      legend: { show: true },
      cursor: { show: true },
      scales: { x: { time: true } },
      axes: [{ stroke: "#4a5060" }, { stroke: "#4a5060" }],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, dash: s.dash }))],
      bands: band ? [{ series: band, fill: "rgba(58,63,196,0.15)" }] : undefined,
    },
    [x, ...series.map((s) => s.values)],
    element,
  );
  return () => plot.destroy();
}
