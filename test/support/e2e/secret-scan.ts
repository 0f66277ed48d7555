// ---------------------------------------------------------------------------
// Scanning logs for secrets: external IDs, secret access keys and session tokens. A finding names
// the secret by its label, the file and the line, never the value, so a failing test does not
// print the secret it caught. `redactSecrets` is what the e2e setup applies to the deploy log:
// Terraform prints each trust policy in its plan, and a trust policy carries the external ID.
// ---------------------------------------------------------------------------
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { configSecrets, redactSecrets, usable, type Secret } from '../../../scripts/lib/redact';

export { configSecrets, redactSecrets, type Secret };

export interface Finding {
  readonly label: string;
  readonly file: string;
  readonly line: number;
}

/**
 * Session tokens by shape, so tokens the scan was never told about are caught too: the local
 * cloud's (`LCST` + base64) and AWS's (base64 of a serialized token, starting IQoJb3JpZ2lu or
 * FwoGZXIvYXdz).
 */
export const SESSION_TOKEN_PATTERNS: readonly { label: string; pattern: RegExp }[] = [
  { label: 'a local cloud session token', pattern: /LCST[A-Za-z0-9+/=]{16,}/ },
  { label: 'an AWS session token', pattern: /(IQoJb3JpZ2lu|FwoGZXIvYXdz)[A-Za-z0-9+/=]{16,}/ },
];


/** Secrets of credentials (a session's or a key's), labelled by where they came from. */
export function credentialSecrets(label: string, credentials: { secretAccessKey?: string; sessionToken?: string }): Secret[] {
  const out: Secret[] = [];
  if (credentials.secretAccessKey) out.push({ label: `secret access key of ${label}`, value: credentials.secretAccessKey });
  if (credentials.sessionToken) out.push({ label: `session token of ${label}`, value: credentials.sessionToken });
  return out;
}

/**
 * Secrets the local cloud holds in its state folder: every role session it issued (their secret
 * keys; tokens are stored only as hashes) and every IAM user's access key. Covers credentials
 * that other tests obtained and this one never saw.
 */
export function localCloudStateSecrets(stateDir: string): Secret[] {
  const out: Secret[] = [];
  // The session journal: one JSON record a line (a torn last line is an unacknowledged write).
  const sessionsFile = join(stateDir, 'sts-sessions.jsonl');
  if (existsSync(sessionsFile)) {
    const lines = readFileSync(sessionsFile, 'utf8').split('\n').filter((line) => line.endsWith('}'));
    for (const line of lines) {
      const s = JSON.parse(line) as { accessKeyId: string; secretAccessKey: string; roleArn: string; sessionName: string };
      out.push({ label: `secret access key of session ${s.sessionName} of ${s.roleArn} (${s.accessKeyId})`, value: s.secretAccessKey });
    }
  }
  const iamFile = join(stateDir, 'iam.json');
  if (existsSync(iamFile)) {
    const iam = JSON.parse(readFileSync(iamFile, 'utf8')) as { accessKeys?: Record<string, { secretAccessKey?: string; userName?: string }> | { secretAccessKey?: string; userName?: string }[] };
    for (const key of Object.values(iam.accessKeys ?? {})) {
      if (key.secretAccessKey) out.push({ label: `secret access key of IAM user ${key.userName ?? '?'}`, value: key.secretAccessKey });
    }
  }
  return out;
}

/** Every `*.log` file below `dir` (Terraform's provider caches are skipped: no logs there). */
export function logFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '.terraform' && entry.name !== 'node_modules') out.push(...logFilesUnder(path));
    } else if (entry.isFile() && entry.name.endsWith('.log')) {
      out.push(path);
    }
  }
  return out.sort();
}


/** Findings in one text: each known secret and each session-token shape, by line. */
export function scanText(text: string, file: string, secrets: readonly Secret[]): Finding[] {
  const checked = usable(secrets);
  const findings: Finding[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    for (const s of checked) if (line.includes(s.value)) findings.push({ label: s.label, file, line: i + 1 });
    for (const t of SESSION_TOKEN_PATTERNS) if (t.pattern.test(line)) findings.push({ label: t.label, file, line: i + 1 });
  }
  // A secret split across a line break (a wrapped log line) is still a leak.
  const joined = lines.join('');
  for (const s of checked) {
    if (joined.includes(s.value) && !findings.some((f) => f.label === s.label)) findings.push({ label: `${s.label} (across a line break)`, file, line: 0 });
  }
  return findings;
}

export function scanFiles(files: readonly string[], secrets: readonly Secret[]): Finding[] {
  return files.flatMap((file) => (statSync(file).isFile() ? scanText(readFileSync(file, 'utf8'), file, secrets) : []));
}

/** Findings as lines a failing assertion can show without the values. */
export function describeFindings(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.label} in ${f.file}${f.line > 0 ? `:${f.line}` : ''}`);
}
