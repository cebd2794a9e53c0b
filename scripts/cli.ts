/**
 * `npm run cli -- <command> ...`: the command line of Lingwei. Each command lives in its own file
 * under scripts/commands/ and exports `run(args)` returning the process exit code.
 */
import { runImportCommand, IMPORT_USAGE } from './commands/import.js';
import { runIngestCommand, INGEST_USAGE } from './commands/ingest.js';
import { runQuotaCommand, QUOTA_USAGE } from './commands/quota.js';
import { runUserCommand, USER_USAGE } from './commands/user.js';

const COMMANDS: Record<string, { usage: string; run: (args: string[]) => Promise<number> }> = {
  import: { usage: IMPORT_USAGE, run: runImportCommand },
  ingest: { usage: INGEST_USAGE, run: runIngestCommand },
  quota: { usage: QUOTA_USAGE, run: runQuotaCommand },
  user: { usage: USER_USAGE, run: runUserCommand },
};

function usage(): string {
  return ['usage: npm run cli -- <command> [options]', '', ...Object.values(COMMANDS).map((c) => `  ${c.usage}`)].join('\n');
}

const [name, ...args] = process.argv.slice(2);
const command = name ? COMMANDS[name] : undefined;
if (!command) {
  console.error(name ? `unknown command: ${name}\n\n${usage()}` : usage());
  process.exit(2);
}
process.exitCode = await command.run(args);
