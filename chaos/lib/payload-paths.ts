/**
 * Where a webhook body's fields are, and which of them the bot reads with which JSON types
 * (src/chatwoot/payload.ts's messageEventSchema, written out by hand so that a change there that
 * loosens or tightens a type shows up as a bad-input figure rather than going unnoticed).
 */
import { BODY_LIMIT } from '../../src/http/app.js';

export type Path = Array<string | number>;
export type Kind = 'int' | 'number' | 'string' | 'bool' | 'null' | 'array' | 'object';

/** koa-bodyparser's textLimit ('1mb' = 1 MiB). */
export const BODY_LIMIT_BYTES = BODY_LIMIT === '1mb' ? 1024 * 1024 : Number.NaN;

const INT: Kind[] = ['int'];
const STR: Kind[] = ['string'];
const STR_OR_NULL: Kind[] = ['string', 'null'];
const OBJ_OR_NULL: Kind[] = ['object', 'null'];
const NUM_OR_NULL: Kind[] = ['int', 'number', 'null'];

/** Every field the schema types, with the JSON types it takes ('*': any array index). */
const TYPED: Array<[string, Kind[]]> = [
  ['event', STR], ['id', INT], ['message_type', ['string', 'int', 'number']], ['private', ['bool', 'null']],
  ['content', STR_OR_NULL], ['content_type', STR_OR_NULL], ['content_attributes', OBJ_OR_NULL], ['additional_attributes', OBJ_OR_NULL],
  ['created_at', ['string', 'int', 'number', 'null']],
  ['sender', OBJ_OR_NULL], ['sender.id', INT], ['sender.type', STR], ['sender.name', STR_OR_NULL],
  ['account', ['object']], ['account.id', INT], ['inbox', OBJ_OR_NULL], ['inbox.id', INT],
  ['conversation', ['object']], ['conversation.id', INT], ['conversation.status', STR], ['conversation.inbox_id', INT],
  ['conversation.labels', ['array']], ['conversation.labels.*', STR], ['conversation.can_reply', ['bool']],
  ['conversation.contact_inbox', OBJ_OR_NULL], ['conversation.contact_inbox.contact_id', INT],
  ['conversation.meta', OBJ_OR_NULL], ['conversation.meta.sender', OBJ_OR_NULL], ['conversation.meta.sender.id', INT], ['conversation.meta.sender.name', STR_OR_NULL],
  ['conversation.meta.assignee', OBJ_OR_NULL], ['conversation.meta.assignee.id', INT], ['conversation.meta.assignee.type', STR], ['conversation.meta.assignee_type', STR_OR_NULL],
  ['attachments', ['array', 'null']], ['attachments.*', ['object']], ['attachments.*.id', INT], ['attachments.*.file_type', STR],
  ...['data_url', 'thumb_url', 'extension', 'content_type', 'transcribed_text', 'fallback_title'].map((f): [string, Kind[]] => [`attachments.*.${f}`, STR_OR_NULL]),
  ...['file_size', 'coordinates_lat', 'coordinates_long'].map((f): [string, Kind[]] => [`attachments.*.${f}`, NUM_OR_NULL]),
];

const split = (dotted: string): Path => dotted.split('.');
export const READ_FIELDS: Path[] = TYPED.map(([p]) => split(p));
/** Read, but with any value (Rails' present?): neither wrong-typed nor counted as unread. */
export const ANY_VALUE: Path[] = ['content_attributes.*', 'additional_attributes.*'].map(split);
export const REQUIRED_FIELDS: Path[] = ['event', 'id', 'message_type', 'account', 'account.id', 'conversation', 'conversation.id'].map(split);

const matches = (pattern: Path, path: Path) => pattern.length === path.length && pattern.every((s, i) => s === '*' || String(path[i]) === s);

/** The JSON types the schema takes at `path`, or null when the bot does not type it. */
export function readKinds(path: Path): Kind[] | null {
  return TYPED.find(([p]) => matches(split(p), path))?.[1] ?? null;
}

/** Not read, nor holding a read field, nor under a field read with any value. */
export function isUnread(path: Path): boolean {
  if (path.length === 0) return false;
  const holdsRead = READ_FIELDS.some((read) => read.length >= path.length && matches(read.slice(0, path.length), path));
  const underAny = ANY_VALUE.some((any) => path.length >= any.length && matches(any, path.slice(0, any.length)));
  return !holdsRead && !underAny;
}

export function kindOf(value: unknown): Kind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'int' : 'number';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'string' ? 'string' : 'object';
}

/** Every path in `value`, the root ([]) included, depth first. */
export function pathsOf(value: unknown, path: Path = []): Array<{ path: Path; value: unknown }> {
  const out = [{ path, value }];
  if (typeof value !== 'object' || value === null) return out;
  for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...path, Array.isArray(value) ? Number(k) : k]));
  return out;
}

export function setAt(root: object, path: Path, value: unknown): void {
  const parent = path.slice(0, -1).reduce((o: any, k) => o[k], root);
  Object.defineProperty(parent, path.at(-1)!, { value, enumerable: true, writable: true, configurable: true });
}

export function deleteAt(root: object, path: Path): void {
  const parent = path.slice(0, -1).reduce((o: any, k) => o?.[k], root);
  if (parent && typeof parent === 'object') delete parent[path.at(-1)!];
}
