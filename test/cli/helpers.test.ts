import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { ChatwootAdmin } from '../../src/cli/chatwoot-admin.js';
import { explainAdminFailure } from '../../src/cli/chatwoot-errors.js';
import { upsertEnvFile } from '../../src/cli/env-file.js';
import { isPrivateIp, judgeHost } from '../../src/cli/private-address.js';
import { printableUrl } from '../../src/cli/webhook-url.js';

describe('private addresses (Chatwoot 4.14+ SSRF guard)', () => {
  it('knows the private and local ranges', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.5', '169.254.1.1', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1']) {
      expect({ ip, private: isPrivateIp(ip) }).toEqual({ ip, private: true });
    }
    for (const ip of ['8.8.8.8', '172.32.0.1', '203.0.113.10', '2001:db8::1', '::ffff:8.8.8.8']) expect({ ip, private: isPrivateIp(ip) }).toEqual({ ip, private: false });
  });

  it('judges host names without and with DNS', async () => {
    const dns = (table: Record<string, string[]>) => async (host: string) => {
      if (!(host in table)) throw new Error('ENOTFOUND');
      return table[host]!;
    };
    const resolve = dns({ 'bot.example.com': ['93.184.216.34'], 'bot.intra.example.com': ['10.0.0.7'], 'mixed.example.com': ['10.0.0.7', '93.184.216.34'] });
    expect(await judgeHost('localhost', resolve)).toMatchObject({ private: true });
    expect(await judgeHost('chatwoot-bot', resolve)).toMatchObject({ private: true, why: 'chatwoot-bot is an internal host name (no domain)' });
    expect(await judgeHost('bot.internal', resolve)).toMatchObject({ private: true });
    expect(await judgeHost('[::1]', resolve)).toMatchObject({ private: true });
    expect(await judgeHost('bot.example.com', resolve)).toEqual({ private: false });
    expect(await judgeHost('mixed.example.com', resolve)).toEqual({ private: false });
    expect(await judgeHost('bot.intra.example.com', resolve)).toEqual({ private: true, why: 'bot.intra.example.com resolves only to private addresses (10.0.0.7)' });
    expect(await judgeHost('nowhere.example.com', resolve)).toMatchObject({ private: true, why: 'nowhere.example.com does not resolve from here' });
  });
});

describe('upsertEnvFile', () => {
  it('replaces, uncomments or appends keys, keeps the rest, and does not rewrite an unchanged file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cwhb-envfile-'));
    try {
      const file = join(dir, '.env');
      expect(upsertEnvFile(file, { A: '1', B: '2' })).toEqual(['A', 'B']);
      expect(readFileSync(file, 'utf8')).toBe('A=1\nB=2\n');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(upsertEnvFile(file, { A: '1' })).toEqual([]);
      expect(upsertEnvFile(file, { B: '3', C: '4' })).toEqual(['B', 'C']);
      expect(readFileSync(file, 'utf8')).toBe('A=1\nB=3\nC=4\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Chatwoot refusals as sentences', () => {
  const ctx = { chatwootUrl: 'https://chat.example.com', accountId: 1 };
  it.each([
    [{ status: 401, body: { error: 'Invalid Access Token' } }, 'This token is not a valid Chatwoot access token'],
    [{ status: 401, body: { error: 'You are not authorized to do this action' } }, 'This token is not an administrator of account 1'],
    [{ status: 403, body: '' }, 'This token is not an administrator of account 1'],
    [{ status: 401, body: { error: 'You are not authorized to access this account' } }, 'This token has no access to account 1'],
    [{ status: 401, body: { error: 'Access to this endpoint is not authorized for bots' } }, "This token is an agent bot's token"],
    [{ status: 404, body: { error: 'Resource could not be found' } }, 'answered "not found": check CHATWOOT_URL'],
    [{ status: 422, body: { message: 'Outgoing url is too long' } }, 'Chatwoot refused the change: Outgoing url is too long.'],
    [{ status: 502, body: '' }, 'Chatwoot failed (502)'],
    [{ status: null, body: null, networkReason: 'ENOTFOUND' }, 'Cannot reach Chatwoot at https://chat.example.com (ENOTFOUND)'],
  ])('%j', (call, sentence) => {
    expect(explainAdminFailure(call, ctx)).toContain(sentence);
  });
  it('uses the caller\'s meaning of 404', () => {
    expect(explainAdminFailure({ status: 404, body: {} }, { ...ctx, notFound: 'Account 1 has no inbox 9.' })).toBe('Account 1 has no inbox 9.');
  });
});

describe('ChatwootAdmin', () => {
  it('does not follow a redirect with the admin token (http → https, another host): it names the address to use', async () => {
    nock.disableNetConnect();
    try {
      nock('http://chat.example.com').get('/api/v1/accounts/1/agent_bots').reply(301, '', { location: 'https://chat.example.com/api/v1/accounts/1/agent_bots' });
      const error = await new ChatwootAdmin('http://chat.example.com', 'admin-token', 1).listBots().catch((e: unknown) => e);
      expect(String(error)).toContain('a redirect to https://chat.example.com/api/v1/accounts/1/agent_bots');
      expect(String(error)).toContain('set CHATWOOT_URL');
      expect(String(error)).not.toContain('admin-token');
      expect(nock.isDone()).toBe(true);
    } finally {
      nock.cleanAll();
      nock.enableNetConnect();
    }
  });
});

describe('printableUrl', () => {
  it('hides a token in the query', () => {
    expect(printableUrl('https://bot.example.com/chatwoot/webhook?token=s3cret&x=1')).toBe('https://bot.example.com/chatwoot/webhook?token=…&x=1');
    expect(printableUrl(null)).toBe('(none)');
  });
});
