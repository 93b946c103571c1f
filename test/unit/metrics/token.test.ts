import { describe, expect, it } from 'vitest';
import { metricsAllowed } from '../../../src/http/metrics-route.js';

const TOKEN = 'a-metrics-token-of-32-characters';

describe('metricsAllowed: the bearer token check of GET /metrics', () => {
  it('lets every request in when no METRICS_TOKEN is set', () => {
    expect(metricsAllowed(undefined, undefined)).toBe(true);
    expect(metricsAllowed('Bearer anything', undefined)).toBe(true);
  });

  it('accepts exactly `Bearer <token>` (the scheme in any case, as RFC 6750 allows)', () => {
    expect(metricsAllowed(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(metricsAllowed(`bearer ${TOKEN}`, TOKEN)).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['the token without the scheme', TOKEN],
    ['another scheme', `Basic ${TOKEN}`],
    ['a wrong token', 'Bearer a-metrics-token-of-32-characterz'],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, -1)}`],
    ['the token with more after it', `Bearer ${TOKEN}x`],
    ['the token and another word', `Bearer ${TOKEN} extra`],
    ['the scheme alone', 'Bearer '],
  ])('refuses %s', (_what, header) => {
    expect(metricsAllowed(header, TOKEN)).toBe(false);
  });
});
