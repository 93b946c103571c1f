import { ConfigError, loadConfig, type Config } from '../../config/index.js';
import type { CliIo } from '../command.js';
import { describeStore, inDirectory } from '../env.js';
import { manifestSetting } from '../manifest.js';
import { fail, ok, PROBLEMS, type CheckResult } from './report.js';

/** The bot's own configuration, parsed by the bot's own loader; each problem explained with the manifest's words. */
export function checkConfig(io: CliIo): { result: CheckResult; config: Config | null } {
  try {
    const config = loadConfig(io.env);
    config.store = inDirectory(config.store, io.cwd);
    // Retention is shown because erasing customers' data on time is the operator's duty (LGPD, GDPR).
    const retention = `stored texts are erased after ${config.retentionDays} day${config.retentionDays === 1 ? '' : 's'} (RETENTION_DAYS)`;
    return { result: ok(`Configuration valid (store: ${describeStore(config.store)}); ${retention}`), config };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const details = error.problems.map((problem) => {
      const name = /^([A-Z][A-Z0-9_]+) is required$/.exec(problem)?.[1];
      const description = name ? manifestSetting(name)?.description : undefined;
      return description ? `${problem}: ${description}` : problem;
    });
    return { result: fail(PROBLEMS.configInvalid, `${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}`, details), config: null };
  }
}
