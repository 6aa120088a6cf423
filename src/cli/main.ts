/**
 * The `freeway` command line: argument parsing only. Each command lives in its own file and calls
 * the library; a usage mistake prints one line on stderr and exits with code 2.
 */
import { Command, CommanderError } from 'commander';
import { registerBatchCommand } from './batch-command.js';
import { registerCatalogCommand } from './catalog-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerSimulateCommand } from './simulate-command.js';
import { registerStatusCommand, type StatusCommandIo } from './status-command.js';
import { UsageError } from './usage-error.js';
import { registerWorkerCommand } from './worker-command.js';

export const USAGE_EXIT_CODE = 2;

/** `status` io may be replaced (tests: a stdout to read, a signal to end --watch). */
export function buildProgram(io: { status?: StatusCommandIo } = {}): Command {
  const program = new Command('freeway')
    .description('One OpenAI-compatible endpoint in front of every free LLM API tier')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') });
  registerServeCommand(program);
  registerSimulateCommand(program);
  registerCatalogCommand(program);
  registerBatchCommand(program);
  registerWorkerCommand(program);
  registerStatusCommand(program, io.status);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI and resolves to the process exit code. */
export async function run(argv: string[], io: { status?: StatusCommandIo } = {}): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`freeway: ${error.message}\n`);
      return USAGE_EXIT_CODE;
    }
    process.stderr.write(`freeway: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
