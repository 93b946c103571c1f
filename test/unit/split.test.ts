import { describe, expect, it } from 'vitest';
import { MAX_PART_LENGTH, splitReply } from '../../src/conversation/split.js';

describe('splitReply', () => {
  it('keeps a short reply whole', () => {
    expect(splitReply('Olá! Abrimos das 9h às 13h.')).toEqual(['Olá! Abrimos das 9h às 13h.']);
  });

  it('returns nothing for an empty or blank reply', () => {
    expect(splitReply('')).toEqual([]);
    expect(splitReply('  \n\n ')).toEqual([]);
  });

  it('splits at paragraph breaks first, in order, each part within the limit', () => {
    const paragraphs = Array.from({ length: 6 }, (_, i) => `Parágrafo ${i + 1}. ` + 'texto '.repeat(250).trim());
    const parts = splitReply(paragraphs.join('\n\n'));
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(MAX_PART_LENGTH);
    expect(parts.join('\n\n')).toBe(paragraphs.join('\n\n'));
    for (const p of parts) expect(p.startsWith('Parágrafo')).toBe(true);
  });

  it('falls back to sentence boundaries inside one long paragraph', () => {
    const sentences = Array.from({ length: 120 }, (_, i) => `Esta é a frase número ${i + 1} da resposta, com algum conteúdo.`);
    const parts = splitReply(sentences.join(' '));
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(MAX_PART_LENGTH);
      expect(p.endsWith('.')).toBe(true);
    }
    expect(parts.join(' ')).toBe(sentences.join(' '));
  });

  it('hard-cuts a single unbroken run only when nothing else is possible', () => {
    const run = 'x'.repeat(9000);
    const parts = splitReply(run);
    expect(parts.map((p) => p.length)).toEqual([4000, 4000, 1000]);
    expect(parts.join('')).toBe(run);
  });

  it('honours a custom limit', () => {
    expect(splitReply('one two three four', 9)).toEqual(['one two', 'three', 'four']);
  });
});
