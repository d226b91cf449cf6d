/** A line per series over a shared time axis, as a self-contained SVG (no fonts or scripts to fetch). */
export interface ChartSeries {
  label: string;
  points: [number, number][];
}

export interface LineChart {
  title: string;
  unit: string;
  series: ChartSeries[];
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
const WIDTH = 720;
const HEIGHT = 300;
const MARGIN = { left: 60, right: 120, top: 36, bottom: 36 };

export function renderLineChart({ title, unit, series }: LineChart): string {
  const all = series.flatMap((s) => s.points);
  const [t0, t1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const yMax = niceCeiling(Math.max(...all.map((p) => p[1]), 0));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (t: number) => MARGIN.left + ((t - t0) / Math.max(1, t1 - t0)) * plotW;
  const y = (v: number) => MARGIN.top + plotH - (v / yMax) * plotH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * yMax);
  const lines = series.map((s, i) => {
    const path = s.points.map(([t, v], j) => `${j === 0 ? 'M' : 'L'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const color = COLORS[i % COLORS.length];
    const legendY = MARGIN.top + 14 + i * 18;
    return [
      `<path d="${path}" fill="none" stroke="${color}" stroke-width="1.8"/>`,
      `<rect x="${WIDTH - MARGIN.right + 12}" y="${legendY - 9}" width="12" height="3" fill="${color}"/>`,
      `<text x="${WIDTH - MARGIN.right + 30}" y="${legendY - 4}">${escapeXml(s.label)}</text>`,
    ].join('\n');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="11">
<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>
<text x="${MARGIN.left}" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>
${ticks
  .map(
    (
      v,
    ) => `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e0e0e0"/>
<text x="${MARGIN.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${format(v)} ${escapeXml(unit)}</text>`,
  )
  .join('\n')}
<text x="${MARGIN.left}" y="${HEIGHT - 12}">${escapeXml(clock(t0))}</text>
<text x="${MARGIN.left + plotW}" y="${HEIGHT - 12}" text-anchor="end">${escapeXml(clock(t1))} UTC</text>
${lines.join('\n')}
</svg>
`;
}

function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= value) ?? 10 * magnitude;
}

function format(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value.toPrecision(2);
}

function clock(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(11, 19);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
