import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_DEPTH, storableJson } from '../../../src/chatwoot/storable-json.js';

describe('storableJson', () => {
  it('replaces U+0000 and lone surrogates with U+FFFD in values and keys, keeps pairs', () => {
    const parsed = JSON.parse('{"a":"x\\u0000y","b":["\\ud800","\\udc00z","😀\\ud83d\\ude00"],"k\\u0000":{"c":"\\ufeff\\u200f👩‍💻"}}');
    expect(storableJson(parsed)).toEqual({ ok: true, value: { a: 'x\ufffdy', b: ['\ufffd', '\ufffdz', '😀😀'], 'k\ufffd': { c: '\ufeff\u200f👩‍💻' } } });
  });

  it('drops own __proto__ keys so that no copy can take them as a prototype', () => {
    const parsed = JSON.parse('{"__proto__":{"polluted":1},"x":[{"__proto__":{"polluted":2},"constructor":{"prototype":{"polluted":3}}}]}');
    const result = storableJson(parsed);
    expect(result.ok).toBe(true);
    const value = (result as { value: any }).value;
    expect(Object.hasOwn(value, '__proto__')).toBe(false);
    expect(Object.hasOwn(value.x[0], '__proto__')).toBe(false);
    expect({ ...value.x[0] }.polluted).toBeUndefined();
    expect(({} as any).polluted).toBeUndefined();
  });

  it('refuses nesting deeper than the limit, in objects and arrays', () => {
    const depth = (n: number, open: string, close: string) => JSON.parse(open.repeat(n) + '1' + close.repeat(n));
    expect(storableJson(depth(MAX_PAYLOAD_DEPTH, '{"a":', '}')).ok).toBe(true);
    expect(storableJson(depth(MAX_PAYLOAD_DEPTH + 1, '{"a":', '}')).ok).toBe(false);
    expect(storableJson(depth(10_000, '[', ']')).ok).toBe(false);
  });

  it('returns a plain string as is', () => {
    expect(storableJson('plain')).toEqual({ ok: true, value: 'plain' });
  });
});
