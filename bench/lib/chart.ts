/**
 * The ack-latency chart, hand-written SVG (no dependency): p50 and p99 ack latency against the
 * offered rate, log-log, one colour per server (bare Koa, the bot on each store). Fixed rates are
 * joined by lines; the flat-out run is a diamond at the throughput it reached. The p99 target is a
 * horizontal rule.
 */

import type { AckResult } from '../scenarios/ack.js';
import { TARGETS, type BenchResults } from './results.js';

/** The chart of a run's ack scenario: bare Koa and the bot on each store. */
export function chartFromResults(r: BenchResults): string {
  const series: ChartSeries[] = [];
  const add = (name: string, a: AckResult | null | undefined) => {
    if (!a) return;
    series.push({ name, points: a.phases.map((p) => ({ x: p.offered ?? p.throughput, p50: p.latency.p50, p99: p.latency.p99, flat: p.offered === null })) });
  };
  add('bare Koa', r.bare);
  for (const s of r.stores) if (s.available) add(`bot (${s.store})`, s.ack);
  const m = r.machine;
  return ackLatencyChart(series, {
    title: 'Webhook ack latency vs offered rate: the bot and a bare Koa handler',
    subtitle:
      `The bot answers 200 only once the event is on disk. Signed message_created webhooks, ${r.profile.ack.phaseMs / 1000} s per rate,\n` +
      `latency from the scheduled send time (open loop); flat out: ${r.profile.ack.flatConnections} keep-alive connections. npm run bench, ${r.startedAt.slice(0, 10)}\n` +
      `${m.cpus} × ${m.cpuModel} · ${m.memoryGiB} GiB · Node ${m.node} · fsync p50 ${m.fsync.p50} ms`,
    targetP99Ms: TARGETS.ackP99At500Ms,
  });
}

export interface ChartPoint {
  /** Offered rate (fixed-rate phases) or achieved throughput (flat out), req/s. */
  x: number;
  p50: number;
  p99: number;
  flat: boolean;
}

export interface ChartSeries {
  name: string;
  points: ChartPoint[];
}

export interface ChartMeta {
  title: string;
  subtitle: string;
  targetP99Ms: number;
}

const COLORS = ['#6b7280', '#2563eb', '#d97706', '#059669', '#dc2626'];
const W = 820;
const M = { left: 70, right: 200, top: 94, bottom: 58 };
const H = 480;

export function ackLatencyChart(series: ChartSeries[], meta: ChartMeta): string {
  const pts = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.p50) && Number.isFinite(p.p99) && p.x > 0);
  const xs = pts.map((p) => p.x);
  const ys = pts.flatMap((p) => [p.p50, p.p99]).filter((v) => v > 0);
  const xMin = niceFloor(Math.min(...xs, 100) * 0.8);
  const xMax = niceCeil(Math.max(...xs, 1000) * 1.25);
  const yMin = niceFloor(Math.min(...ys, 1) * 0.8);
  const yMax = niceCeil(Math.max(...ys, meta.targetP99Ms) * 1.25);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (v: number) => M.left + ((Math.log10(v) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * pw;
  const sy = (v: number) => M.top + ph - ((Math.log10(Math.max(v, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * ph;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${M.left}" y="24" font-size="16" font-weight="600" fill="#111827">${esc(meta.title)}</text>`);
  meta.subtitle.split('\n').forEach((line, i) => out.push(`<text x="${M.left}" y="${44 + i * 16}" fill="#4b5563">${esc(line)}</text>`));

  // Grid and axes.
  for (const t of ticks(xMin, xMax)) {
    const x = sx(t.value);
    out.push(`<line x1="${f(x)}" y1="${M.top}" x2="${f(x)}" y2="${M.top + ph}" stroke="${t.major ? '#e5e7eb' : '#f3f4f6'}"/>`);
    if (t.label) out.push(`<text x="${f(x)}" y="${M.top + ph + 18}" text-anchor="middle" fill="#374151">${esc(fmtRate(t.value))}</text>`);
  }
  for (const t of ticks(yMin, yMax)) {
    const y = sy(t.value);
    out.push(`<line x1="${M.left}" y1="${f(y)}" x2="${M.left + pw}" y2="${f(y)}" stroke="${t.major ? '#e5e7eb' : '#f3f4f6'}"/>`);
    if (t.label) out.push(`<text x="${M.left - 8}" y="${f(y + 4)}" text-anchor="end" fill="#374151">${esc(fmtMs(t.value))}</text>`);
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#9ca3af"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 14}" text-anchor="middle" fill="#111827">offered rate (req/s, log) — ◆ = flat out, at the throughput reached</text>`);
  out.push(`<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#111827">ack latency (ms, log)</text>`);

  // Target.
  const ty = sy(meta.targetP99Ms);
  out.push(`<line x1="${M.left}" y1="${f(ty)}" x2="${M.left + pw}" y2="${f(ty)}" stroke="#dc2626" stroke-dasharray="6 4"/>`);
  out.push(`<text x="${M.left + pw - 4}" y="${f(ty - 5)}" text-anchor="end" fill="#dc2626">p99 target ${fmtMs(meta.targetP99Ms)} ms</text>`);

  // Series.
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    for (const which of ['p99', 'p50'] as const) {
      const fixed = s.points.filter((p) => !p.flat && Number.isFinite(p[which])).sort((a, b) => a.x - b.x);
      const flat = s.points.find((p) => p.flat && Number.isFinite(p[which]));
      const dash = which === 'p50' ? ' stroke-dasharray="5 3"' : '';
      if (fixed.length > 1) {
        out.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${fixed.map((p) => `${f(sx(p.x))},${f(sy(p[which]))}`).join(' ')}"/>`);
      }
      for (const p of fixed) {
        out.push(
          which === 'p99'
            ? `<circle cx="${f(sx(p.x))}" cy="${f(sy(p[which]))}" r="3.5" fill="${color}"><title>${esc(`${s.name} ${which} at ${p.x}/s: ${p[which]} ms`)}</title></circle>`
            : `<circle cx="${f(sx(p.x))}" cy="${f(sy(p[which]))}" r="3" fill="#ffffff" stroke="${color}" stroke-width="1.5"><title>${esc(`${s.name} ${which} at ${p.x}/s: ${p[which]} ms`)}</title></circle>`,
        );
      }
      if (flat) {
        const last = fixed.at(-1);
        if (last) out.push(`<line x1="${f(sx(last.x))}" y1="${f(sy(last[which]))}" x2="${f(sx(flat.x))}" y2="${f(sy(flat[which]))}" stroke="${color}" stroke-width="1" stroke-dasharray="1 3"/>`);
        const cx = sx(flat.x);
        const cy = sy(flat[which]);
        const r = 5.5;
        out.push(
          `<path d="M ${f(cx)} ${f(cy - r)} L ${f(cx + r)} ${f(cy)} L ${f(cx)} ${f(cy + r)} L ${f(cx - r)} ${f(cy)} Z" fill="${which === 'p99' ? color : '#ffffff'}" stroke="${color}" stroke-width="1.5"><title>${esc(`${s.name} flat out: ${Math.round(flat.x)}/s, ${which} ${flat[which]} ms`)}</title></path>`,
        );
      }
    }
  });

  // Legend.
  const lx = M.left + pw + 18;
  let ly = M.top + 6;
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const flat = s.points.find((p) => p.flat);
    out.push(`<text x="${lx}" y="${ly + 4}" font-weight="600" fill="#111827">${esc(s.name)}</text>`);
    ly += 18;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 26}" y2="${ly}" stroke="${color}" stroke-width="2"/><text x="${lx + 32}" y="${ly + 4}" fill="#374151">p99</text>`);
    out.push(`<line x1="${lx + 62}" y1="${ly}" x2="${lx + 88}" y2="${ly}" stroke="${color}" stroke-width="2" stroke-dasharray="5 3"/><text x="${lx + 94}" y="${ly + 4}" fill="#374151">p50</text>`);
    ly += 16;
    if (flat) {
      out.push(`<text x="${lx}" y="${ly + 4}" fill="#374151">flat out ${esc(fmtRate(flat.x))}/s</text>`);
      ly += 16;
    }
    ly += 10;
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** The 1-2-5 value at or below v. */
function niceFloor(v: number): number {
  const d = 10 ** Math.floor(Math.log10(v));
  return [5, 2, 1].map((m) => m * d).find((c) => c <= v) ?? d;
}

/** The 1-2-5 value at or above v. */
function niceCeil(v: number): number {
  const d = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * d).find((c) => c >= v) ?? 10 * d;
}

/** 1-2-5 ticks per decade; majors (powers of ten) always labelled, 2 and 5 labelled too. */
function ticks(min: number, max: number): Array<{ value: number; label: boolean; major: boolean }> {
  const out: Array<{ value: number; label: boolean; major: boolean }> = [];
  for (let d = Math.floor(Math.log10(min)); d <= Math.ceil(Math.log10(max)); d++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** d;
      if (v >= min * 0.999 && v <= max * 1.001) out.push({ value: v, label: true, major: m === 1 });
    }
  }
  return out;
}

function fmtRate(v: number): string {
  if (v >= 1000) return `${Math.round(v / 100) / 10}k`.replace('.0k', 'k');
  return String(Math.round(v));
}

function fmtMs(v: number): string {
  return v >= 1 ? String(Math.round(v * 10) / 10) : String(Math.round(v * 100) / 100);
}

function f(v: number): string {
  return v.toFixed(1);
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
