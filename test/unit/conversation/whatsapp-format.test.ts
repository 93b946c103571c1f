import { describe, expect, it } from 'vitest';
import { toLegacyWhatsApp } from '../../../src/conversation/whatsapp-format.js';

describe('toLegacyWhatsApp', () => {
  it.each([
    ['bold with stars', 'O *bolo* custa **R$ 45**.', 'O _bolo_ custa *R$ 45*.'],
    ['bold with underscores', 'Entrega __grátis__ hoje', 'Entrega *grátis* hoje'],
    ['italic with stars', 'Sabor *cenoura*', 'Sabor _cenoura_'],
    ['italic with underscores stays', 'Sabor _cenoura_', 'Sabor _cenoura_'],
    ['bold italic', '***Promoção***', '*_Promoção_*'],
    ['strikethrough', 'De ~~R$ 60~~ por R$ 45', 'De ~R$ 60~ por R$ 45'],
    ['link', 'Veja o [cardápio](https://padaria.com/menu).', 'Veja o cardápio (https://padaria.com/menu).'],
    ['link whose text is the url', '[https://padaria.com](https://padaria.com/)', 'https://padaria.com/'],
    ['autolink', 'Site: <https://padaria.com>', 'Site: https://padaria.com'],
    ['image with alt', '![Bolo](https://cdn.padaria.com/bolo.jpg)', 'Bolo (https://cdn.padaria.com/bolo.jpg)'],
    ['url with underscores untouched', 'https://padaria.com/bolo_de_cenoura_grande', 'https://padaria.com/bolo_de_cenoura_grande'],
    ['link url with stars untouched', '[oferta](https://x.com/a*b*c)', 'oferta (https://x.com/a*b*c)'],
    ['heading', '## Horários\nSeg–Sex 9h–18h', '*Horários*\nSeg–Sex 9h–18h'],
    ['bullets', '* Bolo\n+ Torta\n- Pão', '- Bolo\n- Torta\n- Pão'],
    ['numbered list untouched', '1. Bolo\n2. Torta', '1. Bolo\n2. Torta'],
    ['code span untouched', 'Use o cupom `**BOLO10**` no site', 'Use o cupom `**BOLO10**` no site'],
    ['fenced code untouched', '```\n**não mexer**\n```', '```\n**não mexer**\n```'],
    ['escaped star', 'Nota 5\\* no app', 'Nota 5* no app'],
    ['multiplication spacing kept', '2 * 3 * 4 = 24', '2 * 3 * 4 = 24'],
    ['snake_case kept', 'campo pedido_numero_1', 'campo pedido_numero_1'],
    ['link text with bold', '[**Peça aqui**](https://padaria.com/pedido)', '*Peça aqui* (https://padaria.com/pedido)'],
    ['plain text untouched', 'Olá! Tudo bem? 😊', 'Olá! Tudo bem? 😊'],
  ])('%s', (_name, input, expected) => {
    expect(toLegacyWhatsApp(input)).toBe(expected);
  });

  it('is NOT idempotent: converting twice turns bold into italic (call it once, and only before Chatwoot 4.9)', () => {
    const once = toLegacyWhatsApp('**Importante**');
    expect(once).toBe('*Importante*');
    expect(toLegacyWhatsApp(once)).toBe('_Importante_');
  });
});
