import { describe, expect, it } from 'vitest';
import { prepared } from '../../../src/store/postgres/params.js';

describe('prepared (named Postgres statements)', () => {
  it('names one text the same way every time, with its values', () => {
    const a = prepared('SELECT $1::int', [1]);
    const b = prepared('SELECT $1::int', [2]);
    expect(a.name).toBe(b.name);
    expect(a).toMatchObject({ text: 'SELECT $1::int', values: [1] });
    expect(b.values).toEqual([2]);
  });

  it('never gives two texts one name (pg would refuse the second on a connection that prepared the first)', () => {
    const names = new Set(['SELECT 1', 'SELECT 2', 'SELECT 1 ', 'select 1'].map((t) => prepared(t, []).name));
    expect(names.size).toBe(4);
  });
});
