import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Sets `KEY=value` lines in a dotenv file, keeping every other line (comments included) as it is.
 * A commented-out `# KEY=` line is replaced in place. Returns the keys whose value changed; an
 * unchanged file is not rewritten. New files are readable by their owner only: they hold secrets.
 */
export function upsertEnvFile(path: string, values: Record<string, string>): string[] {
  const exists = existsSync(path);
  const lines = exists ? readFileSync(path, 'utf8').split('\n') : [];
  const changed: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const line = `${key}=${value}`;
    const active = lines.findIndex((l) => new RegExp(`^\\s*(export\\s+)?${key}\\s*=`).test(l));
    if (active !== -1) {
      if (lines[active] !== line) {
        lines[active] = line;
        changed.push(key);
      }
      continue;
    }
    const commented = lines.findIndex((l) => new RegExp(`^\\s*#\\s*${key}\\s*=`).test(l));
    if (commented !== -1) lines[commented] = line;
    else {
      if (lines.length > 0 && lines.at(-1) === '') lines.splice(lines.length - 1, 0, line);
      else lines.push(line);
    }
    changed.push(key);
  }
  if (changed.length === 0) return changed;
  const text = lines.join('\n');
  writeFileSync(path, text.endsWith('\n') ? text : `${text}\n`, exists ? {} : { mode: 0o600 });
  if (!exists) chmodSync(path, 0o600);
  return changed;
}
