// Three projects: `unit` (no servers), `localcloud` (the local cloud's own suite, through the
// real SDK and Terraform), `e2e` (deploys the stacks with cdktf and proves the guard).
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
const base = { preset: 'ts-jest', testEnvironment: 'node', transform: { '^.+\\.ts$': tsJest } };

module.exports = {
  // Reporters are global in jest; the claims table prints only when e2e files ran (test/support/e2e/claims.ts).
  reporters: ['default', '<rootDir>/test/support/e2e/claims-reporter.js'],
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'] },
    { ...base, displayName: 'localcloud', testMatch: ['<rootDir>/test/localcloud/**/*.test.ts'], setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'], globalSetup: '<rootDir>/test/support/e2e/global-setup.ts', globalTeardown: '<rootDir>/test/support/e2e/global-teardown.ts' },
  ],
};
