import { describe, expect, it } from 'vitest';
import { DEFAULT_HANDOFF_KEYWORDS, wantsHuman } from '../../../src/safety/customer-keywords.js';

describe('wantsHuman', () => {
  it.each([
    ['pt', 'Quero falar com um ATENDENTE, por favor!'],
    ['pt, no accents', 'tem como falar com alguem?'],
    ['pt, accented phrase', 'Posso falar com alguém da loja?'],
    ['pt', 'Me passa pra um humano'],
    ['pt', 'quero falar com uma pessoa de verdade'],
    ['pt', 'tem algum agente disponível?'],
    ['pt, annoyed', 'Não quero falar com robô!!'],
    ['es', 'Necesito hablar con un asesor'],
    ['es', 'Quiero hablar con una persona'],
    ['es', '¿Puedo hablar con alguien?'],
    ['en', 'Can I talk to a human?'],
    ['en', 'I want a REAL person'],
    ['en', 'Connect me to a representative'],
    ['en', 'operator please'],
    ['en', 'agent'],
  ])('%s: %j → true', (_lang, text) => {
    expect(wantsHuman(text)).toBe(true);
  });

  it.each([
    ['pt, plural in a travel question', 'Vocês trabalham com agentes de viagem?'],
    ['pt, singular travel agent (exclusion)', 'Sou agente de viagens e quero uma parceria'],
    ['pt, booking for one person', 'Quero uma mesa para uma pessoa às 20h'],
    ['pt, plural people', 'Mesa para duas pessoas, por favor'],
    ['pt, human resources', 'Vocês têm vaga no setor de recursos humanos?'],
    ['pt, word inside another word', 'Qual o horário de atendimento?'],
    ['es, executive lunch menu', '¿Cuánto cuesta el menú ejecutivo?'],
    ['en, per person', 'How much is it per person?'],
    ['en, travel agent', 'My travel agent booked it'],
    ['en, humanity', 'Thanks for being so humane and helpful'],
    ['empty', ''],
  ])('%s: %j → false', (_lang, text) => {
    expect(wantsHuman(text)).toBe(false);
  });

  it('still hands off when a real request sits next to an excluded phrase', () => {
    expect(wantsHuman('Não sou agente de viagens, quero falar com um atendente')).toBe(true);
  });

  it('uses custom keywords instead of the defaults', () => {
    expect(wantsHuman('Quero o gerente', ['gerente'])).toBe(true);
    expect(wantsHuman('Quero um atendente', ['gerente'])).toBe(false);
  });

  it('extends the defaults when spread', () => {
    expect(wantsHuman('chama o dono', [...DEFAULT_HANDOFF_KEYWORDS, 'chama o dono'])).toBe(true);
  });

  it('custom exclusions replace the defaults', () => {
    expect(wantsHuman('Sou agente de viagens', DEFAULT_HANDOFF_KEYWORDS, [])).toBe(true);
  });
});
