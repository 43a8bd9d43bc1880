import { useEffect, useRef, useState } from "preact/hooks";
import type { components } from "../api/schema";
import type { Series } from "../chart";
import { useServices } from "../context";
import { problemText } from "../session";

type Summary = components["schemas"]["Summary"];
type TimeSeries = components["schemas"]["TimeSeries"];
type Forecast = components["schemas"]["Forecast"];
type Heatmap = components["schemas"]["Heatmap"];
type Insights = components["schemas"]["Insights"];

const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** How the caller works: totals, completions per day, the next week's forecast with its band, the
 * hour-of-week heatmap and the insights with their figures. */
export function InsightsScreen() {
  const { api } = useServices();
  const [summary, setSummary] = useState<Summary | null>(null);
  const [series, setSeries] = useState<TimeSeries | null>(null);
  const [forecast, setForecast] = useState<Forecast | null>(null);
  const [heatmap, setHeatmap] = useState<Heatmap | null>(null);
  const [insights, setInsights] = useState<Insights | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    // One after another: the five reads share one function, and a burst of them queues on a busy stack.
    const failed = (what: string, problem: unknown) =>
      setError(problemText(problem, `Your ${what} could not be loaded`));
    void (async () => {
      const summary = await api.GET("/api/analytics/me/summary");
      if (summary.data) setSummary(summary.data);
      else failed("summary", summary.error);
      const daily = await api.GET("/api/analytics/me/timeseries", { params: { query: { metric: "completed", bucket: "day" } } });
      if (daily.data) setSeries(daily.data);
      else failed("completions per day", daily.error);
      const ahead = await api.GET("/api/analytics/me/forecast", { params: { query: { metric: "completed", days: 7 } } });
      if (ahead.data) setForecast(ahead.data);
      else failed("forecast", ahead.error);
      const hours = await api.GET("/api/analytics/me/heatmap");
      if (hours.data) setHeatmap(hours.data);
      else failed("heatmap", hours.error);
      const findings = await api.GET("/api/analytics/me/insights");
      if (findings.data) setInsights(findings.data);
      else failed("findings", findings.error);
    })();
  }, [api]);

  return (
    <section aria-labelledby="insights-title">
      <h1 id="insights-title">Insights</h1>
      {error && <p role="alert" class="error">{error}</p>}
      {!summary ? !error && <p>Loading…</p> : (
        <div class="grid">
          <Kpi label="Completed" value={String(summary.completed)} />
          <Kpi label="On time" value={summary.onTimeRate === null || summary.onTimeRate === undefined ? "–" : `${Math.round(summary.onTimeRate * 100)} %`} />
          <Kpi label="Focus" value={`${summary.focusMinutes} min`} />
          <Kpi label="XP" value={String(summary.xp)} />
          <Kpi label="Active days" value={String(summary.activeDays)} />
        </div>
      )}
      {series && (
        <Chart title="Tasks completed per day"
          summary={`${series.points.reduce((sum, p) => sum + p.value, 0)} completions over ${series.points.length} days`}
          days={series.points.map((p) => p.start)}
          series={[{ label: "completed", values: series.points.map((p) => p.value), color: "#3a3fc4" }]} />
      )}
      {forecast && forecast.points.length > 0 && (
        <Chart title="Forecast: completions in the next 7 days"
          summary={`${forecast.method}: ${forecast.points.map((p) => p.value.toFixed(1)).join(", ")} (80 % band)`}
          days={forecast.points.map((p) => p.day)}
          series={[
            { label: "lower", values: forecast.points.map((p) => p.lower), color: "#8a90a0", dash: [4, 4] },
            { label: "upper", values: forecast.points.map((p) => p.upper), color: "#8a90a0", dash: [4, 4] },
            { label: "forecast", values: forecast.points.map((p) => p.value), color: "#3a3fc4" },
          ]}
          band={[2, 1]} />
      )}
      {heatmap && <HeatGrid rows={heatmap.completions} />}
      {insights && (
        <>
          <h2>Findings</h2>
          {insights.items.length === 0 ? <p class="muted">Not enough activity yet for findings.</p> : (
            <ul class="findings">
              {insights.items.map((item) => (
                <li class="card" key={item.kind}>
                  <p>{item.message}</p>
                  <p class="muted">confidence {Math.round(item.confidence * 100)} % ·{" "}
                    {Object.entries(item.figures).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(2)}`).join(", ")}</p>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

function Kpi({ label, value }: { label: string; value: string }) {
  return <div class="card stat"><h2>{label}</h2><p>{value}</p></div>;
}

interface ChartProps {
  title: string;
  summary: string;
  days: string[];
  series: Series[];
  band?: [number, number];
}

function Chart({ title, summary, days, series, band }: ChartProps) {
  const element = useRef<HTMLDivElement>(null);
  const data = JSON.stringify([days, series, band]); // redraw when the figures change, not on every render
  useEffect(() => {
    let remove: (() => void) | undefined;
    let cancelled = false;
    void import("../chart").then(({ drawChart }) => {
      if (!cancelled && element.current) remove = drawChart(element.current, days, series, band);
    });
    return () => {
      cancelled = true;
      remove?.();
    };
  }, [data]);
  return (
    <figure class="card chart">
      <figcaption><h2>{title}</h2></figcaption>
      <div ref={element} role="img" aria-label={`${title}: ${summary}`} />
    </figure>
  );
}

function HeatGrid({ rows }: { rows: number[][] }) {
  const top = Math.max(1, ...rows.flat());
  return (
    <figure class="card">
      <figcaption><h2>When you complete tasks (hour of the week, your time)</h2></figcaption>
      <div class="heat-scroll" tabIndex={0} role="region" aria-label="Completions by weekday and hour">
        <table class="heat">
          <thead><tr><td />{Array.from({ length: 24 }, (_, h) => <th scope="col">{h}</th>)}</tr></thead>
          <tbody>
            {rows.map((row, day) => (
              <tr>
                <th scope="row">{DAYS[day]}</th>
                {row.map((count, hour) => (
                  <td class={`heat-${Math.ceil((count / top) * 4)}`} title={`${DAYS[day]} ${hour}:00 — ${count}`}>
                    <span class="visually-hidden">{count}</span>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
