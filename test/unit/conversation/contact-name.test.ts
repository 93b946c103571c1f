import { describe, expect, it } from 'vitest';
import { cleanContactName } from '../../../src/conversation/contact-name.js';

describe('cleanContactName', () => {
  it.each([
    ['Maria da Silva', 'Maria'],
    ['MARIA DA SILVA', 'Maria'],
    ['joão pedro', 'João'],
    ['  ~Ana   Paula  ', 'Ana'],
    ['Dra. Fernanda Lima', 'Fernanda'],
    ['ana-luísa', 'Ana-Luísa'],
    ["d'ávila", "D'Ávila"],
    ['José María Gutiérrez', 'José'],
    ['McKenzie Brown', 'McKenzie'],
    ['(Carlos)', 'Carlos'],
  ])('%j → %j', (name, expected) => {
    expect(cleanContactName(name)).toBe(expected);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['unknown', 'Unknown'],
    ['contato', 'Contato'],
    ['cliente whatsapp', 'Cliente WhatsApp'],
    ['whatsapp user', 'WhatsApp User'],
    ['usuário', 'Usuário'],
    ['usuario sem acento', 'usuario'],
    ['contacto (es)', 'Contacto'],
    ['phone number', '+55 11 98765-4321'],
    ['digits in name', 'Maria2024'],
    ['emoji', 'Ana 🌸'],
    ['flag', 'João 🇧🇷'],
    ['symbol', 'Carla ♡'],
    ['single initial', 'J.'],
    ['only punctuation', '...'],
  ])('%s → null', (_name, name) => {
    expect(cleanContactName(name)).toBeNull();
  });

  it.each([
    ['same as the business', 'Padaria Pão Quente', 'Padaria Pão Quente'],
    ['business name in other case and without accents', 'PADARIA PAO QUENTE', 'Padaria Pão Quente'],
    ['business name with a suffix', 'Padaria Pão Quente Oficial', 'Padaria Pão Quente'],
    ['two words of the business name', 'Pão Quente', 'Padaria Pão Quente'],
  ])('drops the business own name: %s', (_name, name, business) => {
    expect(cleanContactName(name, business)).toBeNull();
  });

  it('keeps a customer who shares one word with the business name', () => {
    expect(cleanContactName('João', 'Barbearia do João')).toBe('João');
  });

  it('keeps a name unrelated to the business', () => {
    expect(cleanContactName('Beatriz Souza', 'Padaria Pão Quente')).toBe('Beatriz');
  });
});
