/** Plain-text output helpers: aligned tables and the marks doctor and the other commands share. */

export const MARK = { ok: '✓', fail: '✗', warn: '!', skip: '–' } as const;

/** Left-aligned columns, two spaces apart; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => width(r[i] ?? ''))));
  return all
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat(widths[i]! - width(cell)))).join('  ').trimEnd())
    .join('\n');
}

/** Display width, counting each code point once (good enough for ✓, accents, "•"). */
function width(text: string): number {
  return [...text].length;
}

/** A secret value as the CLI shows it: that it is set, never any of its characters. */
export function hidden(value: string | undefined): string {
  return value ? '(set, hidden)' : '(not set)';
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
