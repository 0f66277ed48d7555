// ---------------------------------------------------------------------------
// The local cloud: one HTTP server on 127.0.0.1 for IAM, STS and Lambda. `startLocalCloud`
// wires one instance (wiring.ts), hands every request to the pipeline (pipeline/), listens, and
// returns a handle whose `close()` stops the Lambda sandboxes, then the server.
// ---------------------------------------------------------------------------
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOOPBACK, PortInUseError, resolveOptions, type LocalCloud, type LocalCloudOptions } from './options';
import { createRequestPipeline } from './pipeline/request-pipeline';
import { wireCloud } from './wiring';

/** Lambda invocations may run up to 15 minutes. */
const REQUEST_TIMEOUT_MS = 15 * 60 * 1000;
/** Idle keep-alive sockets are closed after this long. Long on purpose: a client that reuses a
 *  socket just as the server closes it gets "other side closed" on a request never read (the
 *  e2e suite hit it under load with Node's 5 s default); AWS's front ends keep idle connections
 *  for about a minute, so clients are built for that. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new PortInUseError(port) : e));
    server.listen(port, host, () => resolvePromise((server.address() as AddressInfo).port));
  });
}

/** Start a local cloud. Throws LocalCloudOptionsError for refused options, PortInUseError when the port is taken. */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const settings = resolveOptions(options);
  const cloud = wireCloud(settings);
  let endpointUrl = '';

  // A request without Host reaches the pipeline, so it is refused in AWS's shape (its signature
  // cannot match) instead of by Node's bare 400.
  const server = createServer({ requireHostHeader: false }, createRequestPipeline({
    cloud,
    testControls: settings.testControls,
    maxBodyBytes: settings.maxBodyBytes,
    bodyTimeoutMs: settings.bodyTimeoutMs,
    endpointUrl: () => endpointUrl,
  }));
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;

  const port = await listen(server, settings.port, settings.host);
  endpointUrl = `http://${LOOPBACK}:${port}`;
  cloud.log.event('started', {
    url: endpointUrl, stateDir: settings.stateDir, testControls: settings.testControls,
    iamPropagationMs: settings.iamPropagationMs, accountConcurrency: settings.accountConcurrency, sandboxIsolation: cloud.isolation.launcher.isolation,
  });

  let closing: Promise<void> | undefined;
  return {
    url: endpointUrl,
    port,
    sandboxes: { isolation: cloud.isolation.launcher.isolation, ...(cloud.isolation.unisolatedBecause ? { unisolatedBecause: cloud.isolation.unisolatedBecause } : {}) },
    close() {
      closing ??= (async () => {
        await cloud.shutdown();
        await new Promise<void>((resolvePromise) => {
          server.close(() => resolvePromise());
          server.closeAllConnections();
        });
        cloud.log.event('stopped', { url: endpointUrl });
      })();
      return closing;
    },
  };
}
