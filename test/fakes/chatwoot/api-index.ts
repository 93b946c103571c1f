/**
 * `GET /api` (config/routes.rb → api_controller.rb#index): public, no token, and the one place a
 * Chatwoot says its version: `{version, timestamp, queue_services, data_services}`. `version` is
 * config/app.yml's (e.g. '4.14.1'); the services are 'ok' or 'failing' (Redis ping, Postgres connection).
 */
import type { ChatwootVersion } from './auth.js';

export const API_INDEX_PATH = '/api';

export interface ApiIndexHealth {
  queueServices: 'ok' | 'failing';
  dataServices: 'ok' | 'failing';
}

export function apiIndexJson(version: ChatwootVersion, health: ApiIndexHealth): Record<string, unknown> {
  // Time.now.utc.to_fs(:db): "2026-07-01 12:00:00"
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
  return { version, timestamp, queue_services: health.queueServices, data_services: health.dataServices };
}
