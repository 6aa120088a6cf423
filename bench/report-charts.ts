/**
 * Inline SVG charts for the benchmark report, drawn by hand (no library, no CDN): horizontal bars
 * grouped by series, each bar labelled with its value. Text is escaped; the output is a string.
 */

export interface Bar {
  label: string;
  value: number;
  /** Shown instead of the number (e.g. "99.9 %"). */
  text?: string;
  color?: string;
}

export interface BarGroup {
  label: string;
  bars: Bar[];
}

export interface BarChart {
  title: string;
  /** What the axis measures, e.g. "success %". */
  unit: string;
  groups: BarGroup[];
  /** Axis maximum; the largest value by default. */
  max?: number;
}

export const PALETTE: Record<string, string> = { freeway: '#2f6fd6', naive: '#e08a12', portkey: '#8a63d2', baseline: '#8a94a3' };
const FALLBACK = ['#2f6fd6', '#e08a12', '#8a63d2', '#2b9a4a', '#d1372f', '#0f9aa8'];

export const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const format = (value: number): string => (Math.abs(value) >= 100 ? String(Math.round(value)) : String(Math.round(value * 100) / 100));

export function renderBarChart(chart: BarChart): string {
  const width = 720;
  const labelWidth = 190;
  const barHeight = 20;
  const gap = 6;
  const groupGap = 14;
  const top = 44;
  const plotWidth = width - labelWidth - 90;
  const max = chart.max ?? Math.max(1e-9, ...chart.groups.flatMap((g) => g.bars.map((b) => b.value)));
  const parts: string[] = [];
  let y = top;
  chart.groups.forEach((group) => {
    if (group.label) {
      parts.push(`<text x="12" y="${y + 12}" font-size="12" font-weight="600" fill="#17202b">${escapeXml(group.label)}</text>`);
      y += 18;
    }
    group.bars.forEach((bar, i) => {
      const color = bar.color ?? PALETTE[bar.label.split(' ')[0]!.toLowerCase()] ?? FALLBACK[i % FALLBACK.length]!;
      const length = Math.max(0, Math.min(1, bar.value / max)) * plotWidth;
      parts.push(
        `<text x="${labelWidth - 8}" y="${y + 14}" font-size="12" text-anchor="end" fill="#425063">${escapeXml(bar.label)}</text>`,
        `<rect x="${labelWidth}" y="${y}" width="${length.toFixed(1)}" height="${barHeight}" rx="3" fill="${color}"/>`,
        `<text x="${labelWidth + length + 6}" y="${y + 14}" font-size="12" fill="#17202b">${escapeXml(bar.text ?? format(bar.value))}</text>`,
      );
      y += barHeight + gap;
    });
    y += groupGap;
  });
  const height = y + 18;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" role="img" aria-label="${escapeXml(chart.title)}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="700" fill="#17202b">${escapeXml(chart.title)}</text>`,
    `<text x="${width - 12}" y="22" font-size="11" text-anchor="end" fill="#6b7785">${escapeXml(chart.unit)}</text>`,
    `<line x1="${labelWidth}" y1="${top - 6}" x2="${labelWidth}" y2="${height - 24}" stroke="#c5cdd8"/>`,
    ...parts,
    '</svg>',
  ].join('\n');
}
