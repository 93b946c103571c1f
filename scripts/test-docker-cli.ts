/**
 * The docker command line, as scripts/test-docker.ts drives it: one call = one `docker …` process,
 * its stdout returned, a non-zero exit thrown with its stderr (so a failed step says why).
 */
import { execFile, type ExecFileException } from 'node:child_process';

export class DockerCommandError extends Error {
  override name = 'DockerCommandError';
}

export function docker(args: string[], timeoutMs = 120_000): Promise<string> {
  return dockerWithEnv(args, {}, timeoutMs);
}

/** `docker …` with extra variables in its environment, for `--env NAME` to pass on by name (a URL with a password stays off the command line). */
export function dockerWithEnv(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const options = { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...env } };
    execFile('docker', args, options, (error: ExecFileException | null, stdout, stderr) => {
      if (error) reject(new DockerCommandError(`docker ${args.join(' ')} failed (${error.code ?? error.signal}): ${stderr.trim() || error.message}`));
      else resolve(stdout.trim());
    });
  });
}

/** `docker run -d` with these env variables (passed by name from our own environment: never on a command line). */
export function runDetached(o: { name: string; image: string; env: Record<string, string>; args: string[] }): Promise<string> {
  const envArgs = Object.keys(o.env).flatMap((key) => ['--env', key]);
  return dockerWithEnv(['run', '--detach', '--name', o.name, ...envArgs, ...o.args, o.image], o.env, 60_000);
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
