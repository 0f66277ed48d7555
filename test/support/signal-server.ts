// ---------------------------------------------------------------------------
// A one-shot "I have started" signal a Lambda function can send from inside its sandbox: an
// HTTP server on 127.0.0.1 that resolves `received` on its first request. (An isolated sandbox
// cannot write a file the test could see; it shares the host's loopback, as the local cloud's
// endpoint is reached over it too.)
// ---------------------------------------------------------------------------
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Signal {
  readonly url: string;
  readonly received: Promise<void>;
  close(): void;
}

/** @param timeoutMs the server closes itself after this, whatever happens, so it never outlives a test */
export async function startSignal(timeoutMs = 60_000): Promise<Signal> {
  let resolveReceived!: () => void;
  const received = new Promise<void>((resolve) => { resolveReceived = resolve; });
  const server = createServer((_req, res) => {
    res.end('ok');
    resolveReceived();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => {
    server.close();
    server.closeAllConnections();
  };
  setTimeout(close, timeoutMs).unref();
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, received, close };
}
