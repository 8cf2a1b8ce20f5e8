import { html, nothing, svg } from 'lit';

/** One point of a coverage trend: its date and rate (null when nobody was berörd). */
export interface TrendPoint {
  asOf: string;
  rate: number | null;
}

/** The chart's frame: width, height, left and bottom margins, right padding, and the dots' radius. */
export interface TrendFrame {
  width: number;
  height: number;
  left: number;
  bottom: number;
  right: number;
  dot: number;
}

/**
 * The trend line chart shared by <kk-unit-coverage> and <kk-reports>: grid at 0/50/100 %, the
 * target as a dashed line, the rate as a line with dots, three dates along the foot, and the
 * legend. The chart is an image labelled by `labelledBy` (the caller's text alternative).
 */
export function trendChart(points: TrendPoint[], target: number, f: TrendFrame, labelledBy: string, labels: { rate: string; target: string }) {
  const { width: W, height: H, left: L, bottom: B, right: R } = f;
  const x = (i: number) => L + (points.length === 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (points.length - 1));
  const y = (rate: number) => 8 + (1 - rate) * (H - B - 8);
  const line = points.map((p, i) => `${x(i).toFixed(1)},${y(p.rate ?? 0).toFixed(1)}`).join(' ');
  const labelled = new Set([0, Math.floor((points.length - 1) / 2), points.length - 1]);
  const anchor = (i: number) => (points.length > 1 && i === 0 ? 'start' : points.length > 1 && i === points.length - 1 ? 'end' : 'middle');
  return html`<svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby=${labelledBy}>
      ${[0, 0.5, 1].map((v) => svg`<line x1=${L} x2=${W - R} y1=${y(v)} y2=${y(v)} stroke="#d5d9df"/><text x=${L - 4} y=${y(v) + 4} text-anchor="end">${v * 100} %</text>`)}
      <line part="target" x1=${L} x2=${W - R} y1=${y(target)} y2=${y(target)} stroke="var(--kk-color-target, #1b1b1b)" stroke-width="1.5" stroke-dasharray="5 3"/>
      <polyline points=${line} fill="none" stroke="var(--_primary)" stroke-width="2.5"/>
      ${points.map((p, i) => svg`<circle cx=${x(i)} cy=${y(p.rate ?? 0)} r=${f.dot} fill="var(--_primary)"/>`)}
      ${points.map((p, i) => (labelled.has(i) ? svg`<text x=${x(i)} y=${H - 6} text-anchor=${anchor(i)}>${p.asOf}</text>` : nothing))}
    </svg>
    <p class="legend" aria-hidden="true">
      <span><svg width="24" height="8"><line x1="0" x2="24" y1="4" y2="4" stroke="var(--_primary)" stroke-width="2.5"/></svg>${labels.rate}</span>
      <span><svg width="24" height="8"><line x1="0" x2="24" y1="4" y2="4" stroke="var(--kk-color-target, #1b1b1b)" stroke-width="1.5" stroke-dasharray="5 3"/></svg>${labels.target}</span>
    </p>`;
}
