import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * Would Chatwoot's SSRF guard (SafeFetch, v4.14+) refuse this host? It refuses hosts without a public
 * IP address ("Hostname 'x' has no public ip addresses") unless SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true.
 * We resolve from here, Chatwoot from its own network: a split-horizon DNS can disagree, so this warns.
 */
export type HostVerdict = { private: false } | { private: true; why: string };

export async function judgeHost(hostname: string, resolve: (host: string) => Promise<string[]> = resolveAll): Promise<HostVerdict> {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(host)) return isPrivateIp(host) ? { private: true, why: `${host} is a private or local address` } : { private: false };
  if (host === 'localhost' || host.endsWith('.localhost')) return { private: true, why: `${host} is this machine` };
  if (!host.includes('.')) return { private: true, why: `${host} is an internal host name (no domain)` };
  if (/\.(local|internal|lan|home\.arpa|intranet|corp)$/.test(host)) return { private: true, why: `${host} is an internal host name` };
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return { private: true, why: `${host} does not resolve from here` };
  }
  if (addresses.length > 0 && addresses.every(isPrivateIp)) return { private: true, why: `${host} resolves only to private addresses (${addresses.join(', ')})` };
  return { private: false };
}

async function resolveAll(host: string): Promise<string[]> {
  return (await lookup(host, { all: true })).map((a) => a.address);
}

/** Loopback, RFC 1918, link-local, CGNAT, unspecified, unique-local IPv6, and IPv4-mapped forms of those. */
export function isPrivateIp(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return isPrivateIp(mapped[1]!);
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (isIP(ip) === 6) {
    const v = ip.toLowerCase();
    return v === '::' || v === '::1' || /^f[cd]/.test(v) || /^fe[89ab]/.test(v);
  }
  return false;
}
