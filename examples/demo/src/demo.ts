import { runDemo } from './demo-run';

// `pnpm demo`: exit 0 when both databases end equal, 1 when they do not, 2 on an error.
try {
  const ok = await runDemo();
  process.exit(ok ? 0 : 1);
} catch (error) {
  console.error(`\nThe demo stopped: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
