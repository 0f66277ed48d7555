// ---------------------------------------------------------------------------
// The fixture of the hostile-input suites (test/localcloud/hostile/): a local cloud of the suite's
// own whose state folder sits alone in a parent folder (so anything written beside it shows),
// with a short body timeout, a role, a user without policies and a function zip to aim at.
// After every test the server must still answer its health check with the same pid; after the
// suite it prints how many hostile inputs it sent. Each suite ends with the file-system checks.
// ---------------------------------------------------------------------------
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { createRole, handlerZip } from './localcloud-zips';
import { createTestUser, startTestCloud, type Credentials, type TestCloud, type TestUser } from '../../scripts/lib/child-cloud';
import { RawHttp } from './raw-http';

/** Short, so the never-finishing body is answered within the test; real uploads here are small. */
export const BODY_TIMEOUT_MS = 3000;
export const MAX_BODY_BYTES = 70 * 1024 * 1024;
/** The role every suite creates, by name: requests aim at it. */
export const ROLE_NAME = 'hardening-exec';

export interface HostileCloud {
  readonly cloud: TestCloud;
  /** customer-a's root keys: every signed request is theirs unless it says otherwise. */
  readonly root: Credentials;
  readonly plainUser: TestUser;
  /** The ARN of ROLE_NAME, an execution role for Lambda in customer-a's account. */
  readonly roleArn: string;
  /** A working function package, base64 as Lambda's JSON takes it. */
  readonly zipBase64: string;
  readonly http: RawHttp;
  /** The folder that holds the state folder and nothing else. */
  readonly parentDir: string;
}

async function health(cloud: TestCloud): Promise<{ status: string; pid: number; testControls: boolean }> {
  const res = await fetch(`${cloud.url}/_localcloud/health`);
  expect(res.status).toBe(200);
  return (await res.json()) as { status: string; pid: number; testControls: boolean };
}

/**
 * Register the suite's hooks and return its fixture, filled in by beforeAll. `suite` names the
 * count line printed afterwards (`<suite>: N hostile inputs sent to the local cloud; ...`).
 */
export function hostileCloud(suite: string): HostileCloud {
  const fixture = {} as { -readonly [K in keyof HostileCloud]: HostileCloud[K] };
  let serverPid: number;

  beforeAll(async () => {
    fixture.parentDir = mkdtempSync(join(tmpdir(), 'hardening-input-'));
    const cloud = await startTestCloud({ stateDir: join(fixture.parentDir, 'state'), env: { LOCALCLOUD_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS) } });
    fixture.cloud = cloud;
    fixture.root = cloud.credentialsFor('customer-a');
    fixture.http = new RawHttp(cloud.port, fixture.root);
    fixture.plainUser = await createTestUser(cloud, 'customer-a', 'no-policy-user');
    fixture.roleArn = await createRole(new IAMClient(cloud.clientConfig(fixture.root)), ROLE_NAME);
    fixture.zipBase64 = (await handlerZip('exports.handler = async (event) => ({ echo: event });')).toString('base64');
    serverPid = (await health(cloud)).pid;
  }, 60_000);

  afterEach(async () => {
    const answer = await health(fixture.cloud);
    expect(answer).toEqual({ status: 'ok', pid: serverPid, testControls: true });
  });

  afterAll(async () => {
    await fixture.cloud?.close();
    // eslint-disable-next-line no-console
    console.log(`${suite}: ${fixture.http?.sent ?? 0} hostile inputs sent to the local cloud; every one answered with an AWS-shaped 4xx and the server stayed up`);
    if (fixture.parentDir) rmSync(fixture.parentDir, { recursive: true, force: true });
  });

  return fixture;
}

/** Every file and folder below `dir`, as relative paths. */
function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).map((p) => relative(dir, join(dir, p))).sort();
}

/** The last checks of a hostile-input suite, after every hostile input it sent: nothing was
 *  written outside the local cloud's state folder, and nothing but its own files inside. */
export function describeFileSystemAfterHostileInput(fixture: HostileCloud): void {
  describe('the file system after every hostile input', () => {
    test('nothing was written beside the state folder', () => {
      const outside = tree(fixture.parentDir).filter((p) => p !== 'state' && !p.startsWith(`state/`));
      expect(outside).toEqual([]);
    });

    test('the state folder holds only the local cloud\'s own files', () => {
      const top = [...new Set(tree(join(fixture.parentDir, 'state')).map((p) => p.split('/')[0]))].sort();
      // Names outside this list would be something a request made the server write.
      for (const name of top) expect(['iam.json', 'lambda', 'lambda.json', 'sts-sessions.jsonl']).toContain(name);
      expect(top).toContain('iam.json');
    });
  });
}
