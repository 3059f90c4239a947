/** Tests run transpile-only through SWC; `npm run typecheck` is the type gate. */
module.exports = {
  testEnvironment: 'node',
  // Most wall time is spent waiting on terraform and RabbitMQ child processes,
  // so more workers than cores pays off.
  maxWorkers: 3,
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
  testSequencer: '<rootDir>/test/support/slow-first-sequencer.cjs',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
    // secretlint's rule preset is published as ES modules only: compiled to CommonJS here,
    // as Node 20 loads it natively everywhere else (require of ES modules).
    '/node_modules/@secretlint/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@secretlint/)'],
};
