import type { ChatwootAdmin } from '../chatwoot-admin.js';
import { CliError } from '../command.js';
import { fail, ok, PROBLEMS, warn, type CheckResult } from './report.js';

/**
 * Every `handoffTeamId` the inboxes use names an existing team. Chatwoot cannot tell us at hand-off
 * time: assignments_controller answers an unknown team_id with 200 `null` and clears the team
 * (Team.find_by(id:) is nil), so only the administrator's teams listing shows the mistake.
 */
export async function checkHandoffTeams(admin: ChatwootAdmin, overrides: Map<number, Record<string, unknown>>): Promise<CheckResult | null> {
  const wanted = [...overrides].filter(([, s]) => s.enabled !== false && typeof s.handoffTeamId === 'number').map(([inbox, s]) => ({ inbox, team: s.handoffTeamId as number }));
  if (wanted.length === 0) return null;
  let teams: Array<{ id: number; name: string }>;
  try {
    teams = await admin.listTeams();
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return warn(`Hand-off teams not checked: ${error.message}`, 'Run doctor with an administrator token of this account to check them.');
  }
  const byId = new Map(teams.map((t) => [t.id, t.name]));
  const missing = wanted.filter((w) => !byId.has(w.team));
  if (missing.length > 0) {
    const known = teams.length ? teams.map((t) => `${t.id} (${t.name})`).join(', ') : 'none';
    return fail(PROBLEMS.teamUnknown, missing.map((m) => `inbox ${m.inbox} hands off to team ${m.team}`).join('; '), [`teams of account ${admin.accountId}: ${known}`]);
  }
  return ok(`Hand-off teams exist: ${wanted.map((w) => `inbox ${w.inbox} → ${w.team} (${byId.get(w.team)})`).join(', ')}`);
}
