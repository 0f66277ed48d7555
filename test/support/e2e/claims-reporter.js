// A jest reporter: at the end of a run with e2e test files, the table of what the run proved
// (./claims.ts: claims, their tests, passed / FAILED / skipped with reasons). Plain JavaScript,
// because jest loads reporters without its transform; the logic is TypeScript, loaded with tsx.
// Skip reasons come from test/support/e2e/skip.ts through SIDECAR_E2E_SKIP_LOG: set here to a
// file of this run's own unless the caller set one.
const { existsSync, mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { register } = require('tsx/cjs/api');

class ClaimsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    if (!process.env.SIDECAR_E2E_SKIP_LOG) {
      this.ownDir = mkdtempSync(join(tmpdir(), 'sidecar-claims-'));
      process.env.SIDECAR_E2E_SKIP_LOG = join(this.ownDir, 'skipped.jsonl');
    }
    this.skipLog = process.env.SIDECAR_E2E_SKIP_LOG;
  }

  onRunComplete(_contexts, results) {
    const unregister = register();
    let claims;
    try {
      claims = require('./claims.ts');
    } finally {
      unregister();
    }
    const skips = existsSync(this.skipLog)
      ? readFileSync(this.skipLog, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
      : [];
    const rows = claims.summarizeClaims(results, skips, this.rootDir);
    if (this.ownDir) rmSync(this.ownDir, { recursive: true, force: true });
    if (rows.length > 0) process.stderr.write(`\n${claims.formatClaims(rows)}\n`);
  }
}

module.exports = ClaimsReporter;
