/**
 * Hostile webhook bodies for the bad-input fault, generated with fast-check from the workload's own
 * `message_created` bodies (bench/lib/webhooks.ts, as the customers send them). Each body goes to a
 * conversation of its own, far outside the workload's, and falls in one of two families whose
 * expected answer is known by construction, so the fault can judge every answer:
 *
 * - `valid`: still a customer's message to a pending conversation: unicode edge cases in the text,
 *   extra fields, prototype-pollution keys, wrong types or missing fields where the bot reads
 *   nothing, nesting within the limit, a huge text within the body limit. Must be stored once and
 *   answered like any other message.
 * - `invalid`: wrong types on the fields the bot reads, required fields missing, nesting beyond the
 *   limit, random JSON, not JSON at all, bodies over the limit. Must get an "ignored" 2xx or a 4xx,
 *   and leave nothing behind.
 */
import fc from 'fast-check';
import { WebhookFactory } from '../../bench/lib/webhooks.js';
import { SECRET } from '../../bench/lib/fakes.js';
import { MAX_PAYLOAD_DEPTH } from '../../src/chatwoot/storable-json.js';
import { BODY_LIMIT_BYTES, REQUIRED_FIELDS, deleteAt, isUnread, kindOf, pathsOf, readKinds, setAt, type Path } from './payload-paths.js';

/** Hostile conversations start here: the workload's are FIRST_CONVERSATION (1000) onwards, a few hundred. */
export const HOSTILE_FIRST_CONVERSATION = 5_000_000;

export type Family = 'valid' | 'invalid';

export interface HostileBody {
  kind: string;
  family: Family;
  conversationId: number;
  /** The exact bytes to sign and send. */
  raw: Buffer;
}

/** A generated body before it has its conversation: the mutation of a base body, or raw bytes. */
type Draft = { kind: string; family: Family; build(base: Record<string, any>): string | Buffer };

const EDGE = ['\u0000', '\ud800', '\udfff', '\udc00\ud800', '\ufeff', '\u200f', '\u202e', '\u2066', '\u200d', '👩‍👩‍👧‍👦', '🏳️‍🌈', '\ufffe', '\uffff', '\ufdd0', '\u{10ffff}', 'e\u0301\u0301\u0301', '\u2028\u2029', '\r\n\t', '"\\', '$&$\'$`$$', '%s%n', '<script>'];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];

const edgeText = fc.array(fc.oneof(fc.constantFrom(...EDGE), fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 8 })), { minLength: 1, maxLength: 12 }).map((parts) => parts.join(''));
const smallValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);
const extraKey = fc.oneof(fc.constantFrom(...PROTO_KEYS), edgeText.map((k) => `x_${k}`));

/** Picks one of `list` with a fast-check index (so a seed replays the same choice). */
const pick = <T>(list: readonly T[], index: number): T => list[index % list.length]!;

/** An own key, even `__proto__` (plain assignment would set the prototype instead). */
function defineOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { n: value };
  return value;
}

/** Objects and arrays of `base` (by path), where an extra field can go. */
const containers = (base: object) => pathsOf(base).filter((p) => kindOf(p.value) === 'object').map((p) => p.path);

const VALID: Array<[number, fc.Arbitrary<Draft>]> = [
  [15, fc.tuple(edgeText, fc.nat()).map(([text, i]) => ({ kind: 'unicode text', family: 'valid', build: (b) => ((b.content = `hostil ${pick(['', text], i)}${text}`), (b.sender.name = text), JSON.stringify(b)) }) as Draft)],
  [10, fc.tuple(fc.nat(), extraKey, smallValue).map(([i, key, value]) => ({ kind: 'extra field', family: 'valid', build: (b) => (defineOwn(pick(containers(b), i).reduce((o: any, k) => o[k], b), key, value), JSON.stringify(b)) }) as Draft)],
  [10, fc.tuple(fc.nat(), fc.constantFrom(...PROTO_KEYS), fc.nat()).map(([i, key, j]) => ({ kind: 'prototype key', family: 'valid', build: (b) => (defineOwn(pick(containers(b), i).reduce((o: any, k) => o[k], b), key, pick([{ polluted: true }, { prototype: { polluted: true } }, 'polluted', [{ __proto__: 1 }]], j)), JSON.stringify(b)) }) as Draft)],
  [10, fc.tuple(fc.nat(), smallValue).map(([i, value]) => ({ kind: 'wrong type, unread field', family: 'valid', build: (b) => (setAt(b, pick(unread(b), i), value), JSON.stringify(b)) }) as Draft)],
  [5, fc.nat().map((i) => ({ kind: 'missing unread field', family: 'valid', build: (b) => (deleteAt(b, pick(unread(b), i)), JSON.stringify(b)) }) as Draft)],
  [3, fc.tuple(fc.integer({ min: 1, max: MAX_PAYLOAD_DEPTH - 8 }), fc.nat()).map(([depth, i]) => ({ kind: 'nesting within the limit', family: 'valid', build: (b) => (setAt(b, [...pick(containers(b), i), 'x_nested'], nested(depth, 'leaf')), JSON.stringify(b)) }) as Draft)],
  [1, fc.tuple(fc.integer({ min: 100_000, max: BODY_LIMIT_BYTES - 50_000 }), edgeText).map(([size, text]) => ({ kind: 'huge text within the limit', family: 'valid', build: (b) => ((b.content = `hostil ${text.repeat(Math.ceil(size / 4 / Math.max(1, text.length)))}`.slice(0, size / 4)), JSON.stringify(b)) }) as Draft)],
];

const INVALID: Array<[number, fc.Arbitrary<Draft>]> = [
  [15, fc.tuple(fc.nat(), fc.array(smallValue, { minLength: 8, maxLength: 8 })).map(([i, candidates]) => ({ kind: 'wrong type, read field', family: 'invalid', build: (b) => wrongType(b, i, candidates) }) as Draft)],
  [5, fc.nat().map((i) => ({ kind: 'missing required field', family: 'invalid', build: (b) => (deleteAt(b, pick(REQUIRED_FIELDS, i)), JSON.stringify(b)) }) as Draft)],
  [3, fc.tuple(fc.integer({ min: MAX_PAYLOAD_DEPTH + 1, max: 10_000 }), fc.nat()).map(([depth, i]) => ({ kind: 'nesting beyond the limit', family: 'invalid', build: (b) => deepText(b, pick(containers(b), i), depth) }) as Draft)],
  [10, fc.jsonValue({ maxDepth: 6 }).map((v) => ({ kind: 'random JSON', family: 'invalid', build: () => JSON.stringify(v) ?? 'null' }) as Draft)],
  [5, fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a))).map((v) => ({ kind: 'not JSON', family: 'invalid', build: () => v }) as Draft)],
  [1, fc.integer({ min: BODY_LIMIT_BYTES + 1, max: 4 * 1024 * 1024 }).map((size) => ({ kind: 'over the body limit', family: 'invalid', build: (b) => ((b.content = 'x'.repeat(size)), JSON.stringify(b)) }) as Draft)],
];

/** Fields present in `base` that the bot does not read (any value there leaves the event valid). */
const unread = (base: object): Path[] => pathsOf(base).map((p) => p.path).filter(isUnread);

/** A read field of `b` given a value of a type its schema refuses (null only where it is not nullish). */
function wrongType(b: Record<string, any>, index: number, candidates: unknown[]): string {
  const fields = pathsOf(b).filter((p) => readKinds(p.path) !== null);
  const field = pick(fields, index);
  const allowed = readKinds(field.path)!;
  const value = [...candidates, null, 'text', true, [], { a: 1 }, 0.5].find((v) => !allowed.includes(kindOf(v)));
  setAt(b, field.path, value);
  return JSON.stringify(b);
}

/** `depth` levels at `path`, as text: JSON.stringify itself cannot write 10,000 levels. */
function deepText(b: Record<string, any>, path: Path, depth: number): string {
  setAt(b, [...path, 'x_deep'], '@@DEEP@@');
  return JSON.stringify(b).replace('"@@DEEP@@"', () => '[{"n":'.repeat(Math.ceil(depth / 2)) + '1' + '}]'.repeat(Math.ceil(depth / 2)));
}

/** `count` hostile bodies, reproducible from `seed`; body i goes to conversation HOSTILE_FIRST_CONVERSATION + i. */
export function hostileBodies(count: number, seed: number): HostileBody[] {
  const draft = fc.oneof(...[...VALID, ...INVALID].map(([weight, arbitrary]) => ({ weight, arbitrary })));
  const text = new WebhookFactory(0, SECRET);
  const image = new WebhookFactory(0, SECRET, 'message_created-incoming-image');
  return fc.sample(fc.tuple(draft, fc.boolean()), { numRuns: count, seed }).map(([d, media], i) => {
    const conversationId = HOSTILE_FIRST_CONVERSATION + i;
    const base = JSON.parse((media ? image : text).body({ conversationId, messageId: conversationId * 10, text: `hostil ${i}` })) as Record<string, any>;
    base.conversation.status = 'pending';
    const built = d.build(base);
    return { kind: d.kind, family: d.family, conversationId, raw: typeof built === 'string' ? Buffer.from(built, 'utf8') : built };
  });
}

/** A valid body of conversation `conversationId` (the slow clients send these). */
export function plainBody(conversationId: number): Buffer {
  const base = JSON.parse(new WebhookFactory(0, SECRET).body({ conversationId, messageId: conversationId * 10, text: `hostil lento ${conversationId}` })) as Record<string, any>;
  base.conversation.status = 'pending';
  return Buffer.from(JSON.stringify(base), 'utf8');
}
