import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/unit/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // tfjs keeps a global engine; files run in separate forks so backends and memory
    // counters of one file never leak into another.
    pool: 'forks',
    fileParallelism: true,
  },
});
