import { describe, expect, it } from 'vitest';
import { parseBotCommand } from '../../../src/chatwoot/bot-commands.js';

describe('parseBotCommand', () => {
  it.each([
    ['/bot pause', 'pause'],
    ['  /BOT Pause  ', 'pause'],
    ['/bot pausar', 'pause'],
    ['/bot resume', 'resume'],
    ['/bot retomar', 'resume'],
    ['/bot reset', 'reset'],
    ['/bot status', 'status'],
    ['\n/bot\tSTATUS\n', 'status'],
    ['/bot pause até segunda, cliente VIP', 'pause'],
    ['/bot reset\nmotivo: cliente pediu recomeçar', 'reset'],
  ])('%j → %s', (note, command) => {
    expect(parseBotCommand(note)).toEqual({ command });
  });

  it.each([
    ['/bot frobnicate now', 'frobnicate now'],
    ['/bot', ''],
    ['/bot   ', ''],
    ['/bot constructor', 'constructor'],
  ])('%j → unknown with raw %j', (note, raw) => {
    expect(parseBotCommand(note)).toEqual({ command: 'unknown', raw });
  });

  it.each([
    ['Cliente pediu desconto, ver com o gerente'],
    ['/botão azul'],
    ['bot pause'],
    ['por favor /bot pause'],
    ['/bots pause'],
    [''],
  ])('%j → null', (note) => {
    expect(parseBotCommand(note)).toBeNull();
  });
});
