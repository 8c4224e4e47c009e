#!/usr/bin/env node
import { runCli } from './cli-run';

// Let pending output flush instead of calling process.exit.
process.exitCode = await runCli(process.argv.slice(2));
