import type { Command } from 'commander';

// Placeholder while the command is being built.
export function registerCatalogCommand(program: Command): void {
  program.command('catalog').description('(being built)');
}
