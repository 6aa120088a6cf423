import type { Command } from 'commander';

// Placeholder while the command is being built.
export function registerServeCommand(program: Command): void {
  program.command('serve').description('(being built)');
}
