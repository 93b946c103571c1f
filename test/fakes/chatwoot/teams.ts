/**
 * The account's teams, and `GET /api/v1/accounts/{id}/teams` (teams_controller#index, TeamPolicy#index?:
 * any member of the account; not in BOT_ACCESSIBLE_ENDPOINTS, so a bot token gets 401). Only the
 * listing: the bot never creates teams, and `doctor` lists them to catch a `handoffTeamId` that does not
 * exist (an assignment to an unknown team answers 200 null and clears the team, so nothing else tells).
 */
import { findRoute, type Route } from './routes.js';

export interface TeamRecord {
  id: number;
  accountId: number;
  name: string;
}

/** What a fake Chatwoot has unless a test says otherwise: teams 1–5 of the bot's account. */
export const DEFAULT_TEAMS: ReadonlyArray<{ id: number; name: string; accountId?: number }> = [1, 2, 3, 4, 5].map((id) => ({ id, name: `Team ${id}` }));

export class TeamDirectory {
  readonly teams = new Map<number, TeamRecord>();

  add(team: { id: number; name: string; accountId: number }): TeamRecord {
    const record = { ...team };
    this.teams.set(record.id, record);
    return record;
  }

  has(id: number, accountId: number): boolean {
    return this.teams.get(id)?.accountId === accountId;
  }

  inAccount(accountId: number): TeamRecord[] {
    return [...this.teams.values()].filter((t) => t.accountId === accountId).sort((a, b) => a.id - b.id);
  }
}

/** _team.json.jbuilder; `is_member` is whether the caller belongs to the team (the fake's admin never does). */
function teamListJson(team: TeamRecord): Record<string, unknown> {
  return { id: team.id, name: team.name, description: '', allow_auto_assign: true, account_id: team.accountId, is_member: false };
}

export function teamRoutes(directory: TeamDirectory): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/api\/v1\/accounts\/(?<account>\d+)\/teams\/?$/,
      bot: false,
      handle: (c) => ({ status: 200, json: directory.inAccount(c.params.account!).map(teamListJson) }),
    },
  ];
}

export function findTeamRoute(directory: TeamDirectory, method: string, path: string): ReturnType<typeof findRoute> {
  return findRoute(method, path, teamRoutes(directory));
}
