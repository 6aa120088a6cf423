import type { Command } from 'commander';

// Placeholder while the command is being built.
export function registerSimulateCommand(program: Command): void {
  program.command('simulate').description('(being built)');
}
