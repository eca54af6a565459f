import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/**/*.test.ts',
      'collector/**/*.test.ts',
      'rules/**/*.test.ts',
      'dashboards/**/*.test.ts',
      'sdk/**/*.test.ts',
    ],
    exclude: ['node_modules', 'dist', 'sdk/dist'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    typecheck: { enabled: false },
  },
});
