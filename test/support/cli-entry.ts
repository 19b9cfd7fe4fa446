// Runs the CLI from source in a child process (tests that need a real process: SIGKILL, SIGTERM).
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
