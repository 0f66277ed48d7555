// ---------------------------------------------------------------------------
// A gate that Lambda functions wait at, from inside their sandboxes: an HTTP server on 127.0.0.1
// that counts each request as one invocation arriving, and answers none until the test releases
// it. So a test holds invocations running for exactly as long as it needs, with no fixed sleeps,
// and knows when N of them are running at once. (Like signal-server.ts, it relies on a sandbox
// sharing the host's loopback.)
// ---------------------------------------------------------------------------
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Gate {
  /** What a function fetches to wait at the gate. */
  readonly url: string;
  /** Invocations that have reached the gate so far. */
  readonly arrived: number;
  /** Resolves once `n` invocations have reached the gate (in all, released ones included). */
  arrivals(n: number): Promise<void>;
  /** Let the longest-waiting invocation through. */
  releaseOne(): void;
  /** Let every waiting invocation through, and every later one at once. */
  releaseAll(): void;
  close(): void;
}

/** @param timeoutMs the gate opens and closes itself after this, whatever happens, so it never outlives a test */
export async function startGate(timeoutMs = 120_000): Promise<Gate> {
  const waiting: ServerResponse[] = [];
  const watchers: { n: number; resolve: () => void }[] = [];
  let arrived = 0;
  let open = false;
  const notify = () => {
    for (const w of [...watchers]) {
      if (arrived >= w.n) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const server = createServer((_req, res) => {
    arrived += 1;
    if (open) res.end('open');
    else waiting.push(res);
    notify();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const releaseAll = () => {
    open = true;
    for (const res of waiting.splice(0)) res.end('released');
  };
  const close = () => {
    releaseAll();
    server.close();
    server.closeAllConnections();
  };
  setTimeout(close, timeoutMs).unref();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    get arrived() {
      return arrived;
    },
    arrivals: (n) => new Promise<void>((resolve) => {
      watchers.push({ n, resolve });
      notify();
    }),
    releaseOne: () => waiting.shift()?.end('released'),
    releaseAll,
    close,
  };
}
