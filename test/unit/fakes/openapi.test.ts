import { describe, expect, it } from 'vitest';
import { createContractValidator, KNOWN_MISMATCHES } from '../../helpers/openapi.js';

const v = createContractValidator();
const messages = '/api/v1/accounts/1/conversations/1042/messages';

describe('contract validator (Chatwoot OpenAPI 3.1)', () => {
  it('accepts the messages POST the bot sends', () => {
    expect(v.validateRequest('POST', messages, { content: 'Olá!', message_type: 'outgoing', private: false })).toEqual([]);
    expect(v.validateRequest('post', `${messages}?x=1`, { content: 'nota', private: true, content_attributes: { in_reply_to: 58231 } })).toEqual([]);
  });

  it('rejects a wrong body with readable reasons', () => {
    const problems = v.validateRequest('POST', messages, { content: 42, message_type: 'template', private: 'no' });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/body\/content must be string/);
    expect(problems.join('\n')).toMatch(/body\/message_type must be one of \["outgoing","incoming"\]/);
    expect(v.validateRequest('POST', messages, null)).toEqual([expect.stringMatching(/request body is required/)]);
    expect(v.validateRequest('POST', '/api/v1/accounts/1/conversations/1042/toggle_status', { status: 'closed' })).toHaveLength(1);
  });

  it('rejects unknown paths and methods', () => {
    expect(v.validateRequest('POST', '/api/v1/accounts/1/conversations/1042/reply', { content: 'x' })).toEqual([
      expect.stringMatching(/^unknown path: POST/),
    ]);
    expect(v.validateRequest('PUT', messages, {})).toEqual([expect.stringMatching(/method PUT not in the spec .*allowed: GET, POST/)]);
    expect(v.matchOperation('PUT', messages)).toBeNull();
  });

  it('matches concrete paths to templates, literal segments first', () => {
    expect(v.matchOperation('GET', '/api/v1/accounts/1/contacts/search?q=ana')?.pathTemplate).toBe('/api/v1/accounts/{account_id}/contacts/search');
    expect(v.matchOperation('GET', '/api/v1/accounts/1/contacts/77')?.pathTemplate).toBe('/api/v1/accounts/{account_id}/contacts/{id}');
    expect(v.matchOperation('POST', messages)?.operation.operationId).toBe('create-a-new-message-in-a-conversation');
  });

  it('encodes the known mismatches of contracts/README.md', () => {
    // set_agent_bot: null detaches (spec: number), and 200 with an empty body (spec: 204).
    expect(v.validateRequest('POST', '/api/v1/accounts/1/inboxes/7/set_agent_bot', { agent_bot: null })).toEqual([]);
    expect(v.validateRequest('POST', '/api/v1/accounts/1/inboxes/7/set_agent_bot', { agent_bot: 'x' })).toHaveLength(1);
    expect(v.validateResponse('POST', '/api/v1/accounts/1/inboxes/7/set_agent_bot', 200, null)).toEqual([]);
    // reset_secret / reset_access_token exist although the spec omits them.
    for (const action of ['reset_secret', 'reset_access_token']) {
      expect(v.validateRequest('POST', `/api/v1/accounts/1/agent_bots/4/${action}`, null)).toEqual([]);
      expect(v.matchOperation('POST', `/api/v1/accounts/1/agent_bots/4/${action}`)?.operation['x-not-in-spec']).toBe(true);
    }
    // bot_type "webhook" (the UI's value) is accepted; other strings are not.
    expect(v.validateRequest('POST', '/api/v1/accounts/1/agent_bots', { name: 'b', bot_type: 'webhook' })).toEqual([]);
    expect(v.validateRequest('POST', '/api/v1/accounts/1/agent_bots', { name: 'b', bot_type: 'rasa' })).toHaveLength(1);
    // assignee_id / team_id null unassign.
    expect(v.validateRequest('POST', '/api/v1/accounts/1/conversations/1042/assignments', { assignee_id: null })).toEqual([]);
    expect(v.validateRequest('POST', '/api/v1/accounts/1/conversations/1042/assignments', { team_id: 'x' })).toHaveLength(1);
    expect(KNOWN_MISMATCHES.botAllowedBeyondSpec).toContain('POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/labels');
  });

  it('validates response bodies against the documented schema', () => {
    expect(v.validateResponse('POST', messages, 200, { id: 1, message_type: 1, content: 'x' })).toEqual([]);
    expect(v.validateResponse('POST', messages, 200, { id: 1, message_type: 'outgoing' }).length).toBeGreaterThan(0);
  });

  it('is cached and fast enough for benchmarks', () => {
    expect(createContractValidator()).toBe(v);
    const started = performance.now();
    for (let i = 0; i < 5000; i++) v.validateRequest('POST', `/api/v1/accounts/1/conversations/${i}/messages`, { content: `m${i}` });
    expect(performance.now() - started).toBeLessThan(500);
  });
});
