#!/usr/bin/env node
// The `freeway` binary: runs the compiled CLI (npm ci builds it through the `prepare` script).
import { run } from '../dist/cli/main.js';

// A reader that stops early (`freeway catalog | head`) closes the pipe: end quietly, as Unix tools do.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await run(process.argv.slice(2));
