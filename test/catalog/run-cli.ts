// Runs the real CLI entry (src/cli/main.ts) in a child process, so tests see its true exit code and stderr.
import { run } from '../../src/cli/main.js';

process.exitCode = await run(process.argv.slice(2));
