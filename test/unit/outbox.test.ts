import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatwootClient } from '../../src/chatwoot/client.js';
import { ChatwootError, ChatwootUnreachableError } from '../../src/chatwoot/errors.js';
import { freePort } from '../helpers/net.js';
import { AmbiguousPostError, Outbox } from '../../src/conversation/outbox.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Turn } from '../../src/store/store.js';

/**
 * The outbox's promise: no part is posted twice, even when the connection dies after Chatwoot
 * stored the message. Here a tiny Chatwoot stores each POST and then drops the connection (no answer);
 * the echo webhook Chatwoot sends for every message is simulated by feeding the store directly.
 */
const key = { accountId: 1, conversationId: 1042 };
let dir: string;
let store: SqliteStore;
let server: Server;
let stored: string[];
let onStored: (content: string) => Promise<void>;

async function startDroppingChatwoot(): Promise<string> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const content = JSON.parse(body).content as string;
      stored.push(content);
      await onStored(content);
      res.socket?.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

async function plannedTurn(): Promise<Turn> {
  await store.accept({ kind: 'customer_message', deliveryId: null, key, status: 'pending', message: { messageId: 1, inboxId: 7, contactId: 3, contactName: null, text: 'oi', attachments: [], createdAt: null } }, { debounceMs: 0, debounceMaxMs: 0 }, 0);
  const { turn } = (await store.takeTurn(key, 1)) as { turn: Turn };
  await store.planParts(turn.id, 'Olá!', [{ part: 0, content: 'Olá!', private: false }]);
  return turn;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cwhb-outbox-'));
  store = SqliteStore.open(dir);
  stored = [];
});
afterEach(async () => {
  await store.close();
  await new Promise((r) => server?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('Outbox', () => {
  it('does not post again when Chatwoot\'s echo shows the first attempt arrived', async () => {
    onStored = async (content) => {
      await store.accept({ kind: 'bot_echo', deliveryId: null, key, status: 'pending', messageId: 900, content, private: false }, { debounceMs: 0, debounceMaxMs: 0 }, 5);
    };
    const url = await startDroppingChatwoot();
    const outbox = new Outbox({ store, chatwoot: new ChatwootClient({ baseUrl: url, botToken: 't', retry: { baseDelayMs: 10, maxDelayMs: 20 } }) });
    const turn = await plannedTurn();
    const [part] = await store.getOutbox(turn.id);
    await outbox.post(key, part!);
    expect(stored).toEqual(['Olá!']);
    expect((await store.getOutbox(turn.id))[0]).toMatchObject({ state: 'posted', chatwootMessageId: 900 });
  });

  it('without a witness, an interrupted part is ambiguous: reported, never re-posted', async () => {
    onStored = async () => {};
    const url = await startDroppingChatwoot();
    const outbox = new Outbox({ store, chatwoot: new ChatwootClient({ baseUrl: url, botToken: 't', retry: { attempts: 1 } }) });
    const turn = await plannedTurn();
    const [part] = await store.getOutbox(turn.id);
    await expect(outbox.post(key, part!)).rejects.toThrow(/failed/);
    const [after] = await store.getOutbox(turn.id);
    expect(after?.state).toBe('posting');
    // A later attempt (e.g. after a restart) refuses to guess.
    await expect(outbox.post(key, after!)).rejects.toBeInstanceOf(AmbiguousPostError);
    expect(stored).toEqual(['Olá!']);
  });

  it('a Chatwoot that refused every connection stored nothing: the part can be posted again, once', async () => {
    const port = await freePort(); // nothing listens there: ECONNREFUSED
    const refusing = new Outbox({ store, chatwoot: new ChatwootClient({ baseUrl: `http://127.0.0.1:${port}`, botToken: 't', retry: { baseDelayMs: 5, maxDelayMs: 10 } }) });
    const turn = await plannedTurn();
    const [part] = await store.getOutbox(turn.id);
    await expect(refusing.post(key, part!)).rejects.toBeInstanceOf(ChatwootUnreachableError);
    const [after] = await store.getOutbox(turn.id);
    expect(after?.state).toBe('failed');
    // Chatwoot is back.
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        stored.push(JSON.parse(body).content as string);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 77 }));
      });
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    await refusing.post(key, after!);
    expect(stored).toEqual(['Olá!']);
    expect((await store.getOutbox(turn.id))[0]).toMatchObject({ state: 'posted', chatwootMessageId: 77 });
  });

  it('a connection cut mid-request is not a refusal, even if a later attempt is refused', async () => {
    onStored = async () => {
      // Chatwoot goes away right after storing the first attempt.
      server.close();
      server.closeAllConnections();
    };
    const url = await startDroppingChatwoot();
    const outbox = new Outbox({ store, chatwoot: new ChatwootClient({ baseUrl: url, botToken: 't', retry: { baseDelayMs: 5, maxDelayMs: 10 } }) });
    const turn = await plannedTurn();
    const [part] = await store.getOutbox(turn.id);
    const error = await outbox.post(key, part!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatwootError);
    expect(error).not.toBeInstanceOf(ChatwootUnreachableError);
    expect((await store.getOutbox(turn.id))[0]?.state).toBe('posting');
    expect(stored).toEqual(['Olá!']);
  });
});
