// ---------------------------------------------------------------------------
// External clients, the AWS CLI v1 and boto3, spawned against a running local cloud as one of its
// principals, with nothing of the host's AWS profile: one place for every suite that checks a
// behaviour through a client this project did not write.
// ---------------------------------------------------------------------------
import { spawn, spawnSync } from 'node:child_process';
import type { Credentials } from '../../scripts/lib/child-cloud';

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Whether `command --version`-style probing finds the program; the reason when it does not. */
export function missingProgram(command: string, args: readonly string[]): string | undefined {
  const probe = spawnSync(command, [...args], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error) return `${command} is not installed (${probe.error.message})`;
  if (probe.status !== 0) return `${command} ${args.join(' ')} exited ${probe.status}: ${(probe.stderr || probe.stdout).trim()}`;
  return undefined;
}

/** The environment an external AWS client needs to reach the local cloud as `credentials`, and nothing of the host's profile. */
export function clientEnv(credentials: Credentials): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_MAX_ATTEMPTS: '1',
    AWS_RETRY_MODE: 'standard',
  };
  if (credentials.sessionToken) env.AWS_SESSION_TOKEN = credentials.sessionToken;
  return env;
}

/** Run a program to completion (killed after `timeoutMs`), collecting its output. */
export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000, stdin?: string): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    child.stdin.end(stdin ?? '');
  });
}

