/**
 * The docker command line, as scripts/test-docker.ts drives it: one call = one `docker …` process,
 * its stdout returned, a non-zero exit thrown with its stderr (so a failed step says why).
 */
import { execFile, type ExecFileException } from 'node:child_process';

export class DockerCommandError extends Error {
  override name = 'DockerCommandError';
}

export function docker(args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error: ExecFileException | null, stdout, stderr) => {
      if (error) reject(new DockerCommandError(`docker ${args.join(' ')} failed (${error.code ?? error.signal}): ${stderr.trim() || error.message}`));
      else resolve(stdout.trim());
    });
  });
}

/** `docker run -d` with these env variables (passed by name from our own environment: never on a command line). */
export async function runDetached(o: { name: string; image: string; env: Record<string, string>; args: string[] }): Promise<string> {
  const envArgs = Object.keys(o.env).flatMap((key) => ['--env', key]);
  return new Promise((resolve, reject) => {
    execFile(
      'docker',
      ['run', '--detach', '--name', o.name, ...envArgs, ...o.args, o.image],
      { env: { ...process.env, ...o.env }, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new DockerCommandError(`docker run ${o.name} failed: ${stderr.trim() || error.message}`)) : resolve(stdout.trim())),
    );
  });
}

/** One field of `docker inspect`, through a Go template. */
export function inspect(target: string, template: string): Promise<string> {
  return docker(['inspect', '--format', template, target]);
}

/** The container's log lines that are JSON (the bot logs JSON lines on stdout). */
export async function jsonLogs(name: string): Promise<Array<Record<string, unknown>>> {
  const text = await docker(['logs', name]);
  const entries: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    try {
      entries.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      /* not a log line */
    }
  }
  return entries;
}

/** Removes containers and volumes by name, ignoring those already gone. */
export async function removeQuietly(kind: 'container' | 'volume', names: string[]): Promise<void> {
  for (const name of names) {
    await docker(kind === 'container' ? ['rm', '--force', '--volumes', name] : ['volume', 'rm', '--force', name]).catch(() => undefined);
  }
}
