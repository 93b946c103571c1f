import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/chatwoot/events.js';
import type { Classified } from '../../../src/domain/events.js';
import { actOn, type IntakePolicyDeps } from '../../../src/intake/act.js';
import { ignoreReasonKind } from '../../../src/metrics/labels.js';
import { decideAccept } from '../../../src/rules/accept.js';
import { loadFixture } from '../../helpers/shared.js';

/**
 * The ignore reasons are free text (they name inboxes, labels, statuses), so the metrics label them
 * by kind. Each case runs the real producer — classify, intake's policy, the accept rule — and checks
 * that its reason lands in its own kind, not in `other`: a reworded reason fails here.
 */

const incoming = 'message_created-incoming-text';

function reasonOf(fixture: string, mutate: (body: any) => void = () => undefined): string {
  const body = loadFixture(fixture);
  mutate(body);
  const event = classify(body);
  if (event.kind !== 'ignore') throw new Error(`expected an ignored event, got ${event.kind}`);
  return event.reason;
}

describe('ignoreReasonKind: every reason intake gives maps to a bounded kind', () => {
  const cases: Array<[string, () => string, string]> = [
    ['a private note', () => reasonOf('message_created-private-note'), 'private_note'],
    ['an activity message', () => reasonOf(incoming, (b) => (b.message_type = 'activity')), 'activity_message'],
    ['a template message', () => reasonOf(incoming, (b) => (b.message_type = 'template')), 'template_message'],
    ['an unknown message type', () => reasonOf(incoming, (b) => (b.message_type = 7)), 'message_type_not_handled'],
    ['an event the bot does not handle', () => reasonOf(incoming, (b) => (b.event = 'webwidget_triggered')), 'event_not_handled'],
    ['a payload without account', () => reasonOf(incoming, (b) => delete b.account), 'malformed'],
    ['an incoming message from a user', () => reasonOf(incoming, (b) => (b.sender.type = 'user')), 'not_from_contact'],
    ['an incoming message with nothing in it', () => reasonOf(incoming, (b) => (b.content = '  ')), 'empty_message'],
    ['an automation rule message', () => reasonOf('message_created-outgoing-agent', (b) => (b.content_attributes = { automation_rule_id: 3 })), 'automation_or_campaign'],
    ['a campaign message', () => reasonOf('message_created-outgoing-agent', (b) => (b.additional_attributes = { campaign_id: 3 })), 'automation_or_campaign'],
    ['an outgoing message without a sender', () => reasonOf('message_created-outgoing-agent', (b) => (b.sender = null)), 'not_a_human_reply'],
    ['a message_updated without transcript', () => reasonOf(incoming, (b) => (b.event = 'message_updated')), 'update_without_transcript'],
    ['a conversation_updated without status change', () => reasonOf('conversation_status_changed-open', (b) => (b.event = 'conversation_updated')), 'no_status_change'],
  ];
  it.each(cases)('%s', (_what, produce, kind) => {
    expect(ignoreReasonKind(produce())).toBe(kind);
  });

  it("intake's policy: inbox switched off, bot-off label", async () => {
    const event = classify(loadFixture(incoming)) as Exclude<Classified, { kind: 'ignore' }>;
    const policy = (settings: { enabled: boolean; botOffLabel: string }): IntakePolicyDeps =>
      ({ settings: { forInbox: async () => settings } }) as unknown as IntakePolicyDeps;
    const labelled = { ...event, labels: ['bot-off'] } as typeof event;
    const off = await actOn(policy({ enabled: false, botOffLabel: 'bot-off' }), event, { deliveryId: null, receivedAt: 0 });
    const silenced = await actOn(policy({ enabled: true, botOffLabel: 'bot-off' }), labelled, { deliveryId: null, receivedAt: 0 });
    expect(off.status === 'ignored' && ignoreReasonKind(off.reason)).toBe('inbox_disabled');
    expect(silenced.status === 'ignored' && ignoreReasonKind(silenced.reason)).toBe('bot_off_label');
  });

  it('the accept rule: a customer message in a conversation humans own', () => {
    const body = loadFixture(incoming);
    body.conversation.status = 'open';
    const event = classify(body);
    if (event.kind !== 'customer_message') throw new Error(`expected a customer message, got ${event.kind}`);
    const snapshot = { conversation: null, deliverySeen: false, message: null, waiting: [], echoCandidates: [], failedPart: null };
    const { result } = decideAccept(snapshot, { ...event, deliveryId: null }, { debounceMs: 0, debounceMaxMs: 0 }, 0);
    expect(result.outcome === 'ignored' && ignoreReasonKind(result.reason)).toBe('humans_own_it');
  });

  it('anything else is `other`, never the text itself', () => {
    expect(ignoreReasonKind('a reason nobody wrote yet, naming conversation 1042')).toBe('other');
  });
});
