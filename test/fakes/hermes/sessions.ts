/**
 * Session ids as the two families of Hermes builds treat them (hermes.md §5, §8):
 * - header-less turns get a derived id, "api-" + sha256(system + "\n" + first user message)[:16], so
 *   equal system prompt + first message collide into one session (issue #7484);
 * - permissive builds accept any path-safe id ≤ 256 chars and start unknown ones empty;
 * - strict builds accept only server-issued ids that exist, and may rotate a session into a
 *   compression child `YYYYMMDD_HHMMSS_xxxxxx` (#16938).
 */
import { createHash, randomBytes } from 'node:crypto';
import { apiError, type HermesReply } from './responses.js';
import type { HermesSession, SessionMode } from './types.js';

const STRICT_ID = /^(?:api-[0-9a-f]{16}|[0-9]{8}_[0-9]{6}_[0-9a-f]{6})$/;
const MAX_ID_LENGTH = 256;

export function derivedSessionId(system: string | null, firstUserText: string): string {
  return 'api-' + createHash('sha256').update(`${system ?? ''}\n${firstUserText}`).digest('hex').slice(0, 16);
}

/** A native Hermes id for the current time: YYYYMMDD_HHMMSS_<6 hex>. */
export function nativeSessionId(now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const date = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}`;
  const time = `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${date}_${time}_${randomBytes(3).toString('hex')}`;
}

/** Permissive-build checks on a client-chosen id; null = acceptable. */
export function permissiveIdError(id: string): HermesReply | null {
  if (/[\r\n\0]/.test(id) || id.includes('..') || id.includes('/') || id.includes('\\') || /^[A-Za-z]:/.test(id)) {
    return apiError(400, 'Invalid session ID', 'invalid_request_error', 'invalid_session_id');
  }
  if (id.length > MAX_ID_LENGTH) return apiError(400, 'Session ID too long', 'invalid_request_error', 'invalid_session_id');
  return null;
}

/** X-Hermes-Session-Key: ≤ 256 chars, no control characters. */
export function sessionKeyError(key: string): HermesReply | null {
  if (key.length > MAX_ID_LENGTH || /[\x00-\x1f\x7f]/.test(key)) {
    return apiError(400, 'Invalid session key', 'invalid_request_error', 'invalid_session_key');
  }
  return null;
}

export class SessionStore {
  readonly sessions = new Map<string, HermesSession>();

  constructor(
    private readonly mode: SessionMode,
    private readonly rotateOnTurn: number,
  ) {}

  /** Validate a header id before the run: 400 (permissive) or 404 (strict) as the build would. */
  checkHeaderId(id: string): HermesReply | null {
    if (this.mode === 'permissive') return permissiveIdError(id);
    const session = this.sessions.get(id);
    if (!STRICT_ID.test(id) || !session || session.source !== 'api_server') {
      return apiError(404, 'Unknown session ID', 'invalid_request_error', 'session_not_found');
    }
    return null;
  }

  getOrCreate(id: string, origin: HermesSession['origin']): HermesSession {
    let session = this.sessions.get(id);
    if (!session) {
      session = { history: [], turns: 0, parentId: null, rotatedTo: null, source: 'api_server', origin };
      this.sessions.set(id, session);
    }
    return session;
  }

  /** After a turn: in strict builds, every rotateOnTurn turns the session continues under a child id. */
  afterTurn(id: string, session: HermesSession): string {
    if (this.mode !== 'strict' || this.rotateOnTurn <= 0 || session.turns % this.rotateOnTurn !== 0) return id;
    let child = nativeSessionId();
    while (this.sessions.has(child)) child = nativeSessionId();
    this.sessions.set(child, {
      history: [...session.history],
      turns: session.turns,
      parentId: id,
      rotatedTo: null,
      source: 'api_server',
      origin: 'rotation',
    });
    session.rotatedTo = child;
    return child;
  }
}
