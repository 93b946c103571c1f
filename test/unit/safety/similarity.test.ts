import { describe, expect, it } from 'vitest';
import { foldText, jaccard, lastQuestion, splitSentences, textSimilarity, tokenize } from '../../../src/safety/similarity.js';

describe('foldText / tokenize', () => {
  it('lower-cases and strips accents but keeps punctuation in foldText', () => {
    expect(foldText('Não É Possível!')).toBe('nao e possivel!');
  });

  it.each([
    ['Olá, tudo bem?', ['ola', 'tudo', 'bem']],
    ['¿Cuánto cuesta el envío?', ['cuanto', 'cuesta', 'el', 'envio']],
    ["I'll CHECK it.", ['i', 'll', 'check', 'it']],
    ['Pedido #4521 — R$ 45,90', ['pedido', '4521', 'r', '45', '90']],
    ['Ok 👍🏽!', ['ok', '👍']],
    ['... ?!', []],
  ])('%j → %j', (text, tokens) => {
    expect(tokenize(text)).toEqual(tokens);
  });
});

describe('jaccard / textSimilarity', () => {
  it.each([
    [['a', 'b', 'c'], ['a', 'b', 'c'], 1],
    [['a', 'b'], ['c', 'd'], 0],
    [['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'e'], 3 / 5],
    [['a', 'a', 'b'], ['a', 'b', 'b'], 1],
    [[], [], 0],
    [['a'], [], 0],
  ])('%j vs %j = %d', (a, b, expected) => {
    expect(jaccard(a, b)).toBeCloseTo(expected, 10);
  });

  it('ignores case, accents and punctuation', () => {
    expect(textSimilarity('Horário: 9h às 18h!', 'horario 9H as 18h')).toBe(1);
  });
});

describe('splitSentences / lastQuestion', () => {
  it('splits at sentence ends and line breaks', () => {
    expect(splitSentences('Oi! Tudo bem? Abrimos às 9h.\nAté logo…  Tchau')).toEqual([
      'Oi!',
      'Tudo bem?',
      'Abrimos às 9h.',
      'Até logo…',
      'Tchau',
    ]);
  });

  it.each([
    ['Qual o seu CEP? Assim calculo o frete.', 'Qual o seu CEP?'],
    ['Anotado. ¿Prefieres entrega o retirada?', '¿Prefieres entrega o retirada?'],
    ['Quer agendar? Ou prefere outro dia? 😊', 'Ou prefere outro dia?'],
    ['*Qual é o sabor?*', '*Qual é o sabor?*'],
    ['Quer confirmar?🙂', 'Quer confirmar?🙂'],
    ['Sem perguntas aqui. Obrigado!', null],
    ['O site www.loja.com?ref=1 tem tudo.', null],
  ])('%j → %j', (text, expected) => {
    expect(lastQuestion(text)).toBe(expected);
  });
});
