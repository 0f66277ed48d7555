// The local cloud's persisted state: journals survive a kill mid-append and stay cheap to write;
// role sessions survive a restart and long-expired ones are pruned at compaction.
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStateStore, wipeState } from '../../../localcloud/core/state';
import { SessionStore, type SessionRecord } from '../../../localcloud/sts/sessions';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'sidecar-state-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function session(accessKeyId: string, expiration: Date): SessionRecord {
  return {
    accessKeyId, secretAccessKey: `secret-${accessKeyId}`, sessionTokenSha256: 'ab'.repeat(32), accountId: '444455556666',
    roleArn: 'arn:aws:iam::444455556666:role/r', roleId: 'AROAEXAMPLE', roleName: 'r', sessionName: 's',
    issuedAt: new Date(expiration.getTime() - 900_000).toISOString(), expiration: expiration.toISOString(), chained: false,
  };
}

describe('journals', () => {
  test('records read back in the order appended', () => {
    const store = new FileStateStore(dir);
    store.appendRecord('things', { n: 1 });
    store.appendRecord('things', { n: 2 });
    expect(new FileStateStore(dir).readRecords('things')).toEqual([{ n: 1 }, { n: 2 }]);
  });

  test('a last line torn by a kill mid-append is skipped, not fatal', () => {
    const store = new FileStateStore(dir);
    store.appendRecord('things', { n: 1 });
    appendFileSync(join(dir, 'things.jsonl'), '{"n":2,"half');
    expect(new FileStateStore(dir).readRecords('things')).toEqual([{ n: 1 }]);
  });

  test('a corrupt complete line is an error that names the file', () => {
    appendFileSync(join(dir, 'things.jsonl'), 'not json\n');
    expect(() => new FileStateStore(dir).readRecords('things')).toThrow(/things\.jsonl is not valid JSON/);
  });

  test('rewrite replaces the whole journal', () => {
    const store = new FileStateStore(dir);
    store.appendRecord('things', { n: 1 });
    store.rewriteRecords('things', [{ n: 9 }]);
    expect(readFileSync(join(dir, 'things.jsonl'), 'utf8')).toBe('{"n":9}\n');
  });

  test('reset removes journals too', () => {
    new FileStateStore(dir).appendRecord('things', { n: 1 });
    expect(wipeState(dir)).toBe(1);
    expect(new FileStateStore(dir).readRecords('things')).toEqual([]);
  });
});

describe('role sessions', () => {
  const now = new Date('2026-11-23T12:00:00Z');

  test('a session written before a restart is found after it', () => {
    new SessionStore(new FileStateStore(dir), () => now).put(session('ASIA1', new Date(now.getTime() + 900_000)));
    expect(new SessionStore(new FileStateStore(dir), () => now).get('ASIA1')?.secretAccessKey).toBe('secret-ASIA1');
  });

  test('a session whose append was torn by a kill is not served, and the journal is whole again after restart', () => {
    const store = new FileStateStore(dir);
    new SessionStore(store, () => now).put(session('ASIA1', new Date(now.getTime() + 900_000)));
    appendFileSync(join(dir, 'sts-sessions.jsonl'), '{"accessKeyId":"ASIA2","secre');

    const restarted = new SessionStore(new FileStateStore(dir), () => now);

    expect(restarted.get('ASIA2')).toBeUndefined();
    expect(restarted.get('ASIA1')).toBeDefined();
    expect(readFileSync(join(dir, 'sts-sessions.jsonl'), 'utf8').endsWith('}\n')).toBe(true);
  });

  test('sessions expired more than a day ago are pruned at compaction; recently expired ones are kept (ExpiredToken, not unknown key)', () => {
    const sessions = new SessionStore(new FileStateStore(dir), () => now);
    sessions.put(session('ASIAOLD', new Date(now.getTime() - 25 * 3600_000)));
    sessions.put(session('ASIARECENT', new Date(now.getTime() - 3600_000)));

    const restarted = new SessionStore(new FileStateStore(dir), () => now);

    expect(restarted.get('ASIAOLD')).toBeUndefined();
    expect(restarted.get('ASIARECENT')).toBeDefined();
  });

  test('each session is one appended line, not a rewrite of every session', () => {
    // Prepare: a line the in-memory store never saw. A rewrite from memory would drop it.
    const sessions = new SessionStore(new FileStateStore(dir), () => now);
    appendFileSync(join(dir, 'sts-sessions.jsonl'), `${JSON.stringify(session('ASIAPLANTED', new Date(now.getTime() + 900_000)))}\n`);

    // Act
    for (let i = 0; i < 50; i++) sessions.put(session(`ASIA${i}`, new Date(now.getTime() + 900_000)));

    // Assess
    const lines = readFileSync(join(dir, 'sts-sessions.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(51);
    expect(JSON.parse(lines[0]).accessKeyId).toBe('ASIAPLANTED');
  });

  test('the journal is compacted once appends outnumber live sessions (and at least 1,000)', () => {
    const sessions = new SessionStore(new FileStateStore(dir), () => now);
    appendFileSync(join(dir, 'sts-sessions.jsonl'), `${JSON.stringify(session('ASIAPLANTED', new Date(now.getTime() + 900_000)))}\n`);

    for (let i = 0; i < 1000; i++) sessions.put(session(`ASIA${i}`, new Date(now.getTime() + 900_000)));

    const lines = readFileSync(join(dir, 'sts-sessions.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(1000);
    expect(lines.some((l) => l.includes('ASIAPLANTED'))).toBe(false);
  });
});
