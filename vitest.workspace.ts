/** The test projects: every package and example with a vitest config. Read by vitest.config.ts. */
export default ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts'];
