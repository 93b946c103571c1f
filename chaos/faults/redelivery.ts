/**
 * Redelivery and disorder: Chatwoot's Sidekiq may run a webhook job more than once and in any order.
 * Every webhook is delivered 3 times (same X-Chatwoot-Delivery, same frozen payload), each copy after
 * its own random delay of up to 2 s: copies of one message race each other, and messages of different
 * conversations arrive shuffled.
 */
import type { Fault } from '../lib/harness.js';

export const redelivery: Fault = {
  name: 'redelivery ×3, shuffled',
  copies: 3,
  jitterMs: (random) => Math.floor(random() * 2000),
  during: async () => ({ copies: 3 }),
};
