import { describe, expect, it } from 'vitest';
import { WebhookFactory } from '../../../bench/lib/webhooks.js';

describe("the bench's WebhookFactory", () => {
  it("inserts text holding replacement patterns ($&, $', $`, $$) as it is", () => {
    const factory = new WebhookFactory(0, 'secret');
    const text = "price $& and $' and $` and $$ and $1";
    const body = JSON.parse(factory.body({ conversationId: 7, messageId: 701, text }));
    expect(body.content).toBe(text);
    expect(body.conversation.messages[0].content).toBe(text);
    expect(body.conversation.id).toBe(7);
  });

  it('keeps quotes, backslashes and unicode in the text valid JSON', () => {
    const text = 'a "quoted" \\ back\u0000slash \u202e rtl 👩‍👩‍👧';
    const body = JSON.parse(new WebhookFactory(0, 'secret').body({ conversationId: 8, messageId: 801, text }));
    expect(body.content).toBe(text);
  });
});
