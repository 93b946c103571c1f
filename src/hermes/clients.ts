import type { Logger } from '../logger.js';
import type { BotMetrics } from '../metrics/metrics.js';
import { HermesClient } from './client.js';

/** One HermesClient (and its keep-alive connections) per Hermes server and key in use. */
export class HermesClients {
  private readonly clients = new Map<string, HermesClient>();

  constructor(private readonly options: { baseDelayMs?: number; log?: Logger; metrics?: Pick<BotMetrics, 'hermesRequest'> } = {}) {}

  for(baseUrl: string, apiKey: string): HermesClient {
    const id = `${baseUrl}\u0000${apiKey}`;
    let client = this.clients.get(id);
    if (!client) {
      client = new HermesClient({
        baseUrl,
        apiKey,
        ...(this.options.baseDelayMs !== undefined ? { baseDelayMs: this.options.baseDelayMs } : {}),
        ...(this.options.log ? { log: this.options.log } : {}),
        ...(this.options.metrics ? { metrics: this.options.metrics } : {}),
      });
      this.clients.set(id, client);
    }
    return client;
  }
}
