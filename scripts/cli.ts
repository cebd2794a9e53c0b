/**
 * `npm run cli -- <command> ...`: the command line of Lingwei. Each command lives in its own file
 * under scripts/commands/ and exports `run(args)` returning the process exit code. `--help` (or
 * `-h`, `help [command]`) prints the usage and exits 0; a usage mistake exits 2 with the usage; a
 * failure prints one line (no stack trace, unless LINGWEI_DEBUG=1) and exits 1.
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

const HELP = ['--help', '-h', 'help'];

function usage(): string {
  return ['usage: npm run cli -- <command> [options]', '', ...Object.values(COMMANDS).map((c) => `  ${c.usage}`), '',
    'npm run cli -- <command> --help prints one command\'s usage.'].join('\n');
}

const commandUsage = (name: string) => `usage: npm run cli -- ${COMMANDS[name]!.usage}`;

/** Asks for help: --help or -h before a `--` that ends the options. */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    console.error(usage());
    return 2;
  }
  if (HELP.includes(name)) {
    console.log(args[0] && COMMANDS[args[0]] ? commandUsage(args[0]) : usage());
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(`unknown command: ${name}\n\n${usage()}`);
    return 2;
  }
  if (asksForHelp(args)) {
    console.log(commandUsage(name));
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    const failure = error as Error & { code?: string };
    if (process.env.LINGWEI_DEBUG === '1') console.error(failure);
    // node:util parseArgs: an option the command does not know, or one without its value.
    if (typeof failure.code === 'string' && failure.code.startsWith('ERR_PARSE_ARGS_')) {
      console.error(`${failure.message.split('. ')[0]}\n\n${commandUsage(name)}`);
      return 2;
    }
    console.error(`${name} failed: ${failure.message ?? String(error)}${process.env.LINGWEI_DEBUG === '1' ? '' : ' (LINGWEI_DEBUG=1 shows where)'}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
