// ---------------------------------------------------------------------------
// Finding a function's sandbox processes from the host, to prove they stop. An isolated
// sandbox sees itself as PID 1 of its own namespace, so its own process.pid says nothing to the
// host; it runs as its function's own user, though, so the host finds its processes by uid.
// An unisolated one is found by the pid it reports.
// ---------------------------------------------------------------------------
import { readFileSync, readdirSync } from 'node:fs';
import { functionUid } from '../../localcloud/lambda/isolation/launcher';

/** Host pids of processes running as the user of `functionArn` (its isolated sandboxes). */
export function processesOfFunction(functionArn: string): number[] {
  const uid = String(functionUid(functionArn));
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let status: string;
    try {
      status = readFileSync(`/proc/${entry}/status`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    const real = /^Uid:\s+(\d+)/m.exec(status)?.[1];
    if (real === uid) pids.push(Number(entry));
  }
  return pids;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** What a sandbox reports of itself, and how the cloud ran it. */
export interface SandboxRef {
  readonly functionArn: string;
  /** process.pid as the function saw it (meaningful only unisolated). */
  readonly pid: number;
  readonly isolation: 'namespaces' | 'none';
}

/** How many of the function's sandbox processes are alive (isolated: all of them; unisolated: this one). */
export function liveSandboxProcesses(ref: SandboxRef): number {
  if (ref.isolation === 'namespaces') return processesOfFunction(ref.functionArn).length;
  return isAlive(ref.pid) ? 1 : 0;
}

/** Wait until at most `remaining` of the function's sandbox processes are alive; whether that happened. */
export async function waitForSandboxProcesses(ref: SandboxRef, remaining: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (liveSandboxProcesses(ref) > remaining && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return liveSandboxProcesses(ref) <= remaining;
}
