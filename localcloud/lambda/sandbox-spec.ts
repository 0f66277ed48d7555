// ---------------------------------------------------------------------------
// What a new sandbox of a function version gets: its unpacked code, the Node.js of its runtime,
// the execution role's fresh temporary credentials, and exactly the environment Lambda defines
// for the Node.js runtime (nothing inherited from the local cloud's own process, so no
// NODE_OPTIONS, loaders or keys leak in), started the way the host's launcher isolates it.
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
// ---------------------------------------------------------------------------
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AwsError, type ServiceContext } from '../contracts';
import { assumeExecutionRole } from './execution-role';
import type { SandboxLauncher } from './isolation/launcher';
import { logNames } from './logs';
import { RuntimeUnavailableError, type RuntimeCatalog } from './runtimes';
import type { SandboxSpec } from './sandbox';
import type { FunctionRecord, FunctionVersionRecord } from './store';

/** How this local cloud starts sandboxes: one per instance, chosen at start-up. */
export interface SandboxHost {
  readonly launcher: SandboxLauncher;
  readonly runtimes: RuntimeCatalog;
}

/** The runtime's Node.js binary, or Invoke's InvalidRuntimeException (502) when it is gone. */
function runtimeExecutable(host: SandboxHost, runtime: string): string {
  try {
    return host.runtimes.executableFor(runtime);
  } catch (e) {
    if (e instanceof RuntimeUnavailableError) throw new AwsError('InvalidRuntimeException', e.message, 502);
    throw e;
  }
}

/** Changes when anything a running sandbox was started with changes. */
export function sandboxFingerprint(fn: FunctionRecord, v: FunctionVersionRecord): string {
  const { runtime, role, handler, timeout, memorySize, environment, codeSha256, architectures } = v;
  return createHash('sha256').update(JSON.stringify({ arn: fn.arn, version: v.version, runtime, role, handler, timeout, memorySize, environment, codeSha256, architectures })).digest('hex');
}

export function sandboxSpec(ctx: ServiceContext, host: SandboxHost, fn: FunctionRecord, v: FunctionVersionRecord, hostTaskRoot: string): SandboxSpec {
  const nodeExecutable = runtimeExecutable(host, v.runtime);
  const paths = host.launcher.paths(hostTaskRoot);
  const credentials = assumeExecutionRole(ctx, v.role, { accountId: fn.accountId, functionName: fn.functionName, arn: fn.arn });
  const logs = logNames(fn.functionName, v.version, randomBytes(16).toString('hex'), ctx.now());
  const env: Record<string, string> = {
    ...v.environment,
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    NODE_PATH: paths.nodeModules,
    LAMBDA_TASK_ROOT: paths.taskRoot,
    LAMBDA_RUNTIME_DIR: paths.runtimeDir,
    _HANDLER: v.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${v.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: v.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(v.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: logs.group,
    AWS_LAMBDA_LOG_STREAM_NAME: logs.stream,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: fn.region,
    AWS_DEFAULT_REGION: fn.region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    AWS_ENDPOINT_URL: ctx.endpointUrl,
  };
  return {
    fingerprint: sandboxFingerprint(fn, v),
    launch: host.launcher.command({
      hostTaskRoot,
      nodeExecutable,
      nodeArgs: [`--max-old-space-size=${v.memorySize}`, join(paths.runtimeDir, 'bootstrap.cjs')],
      functionArn: fn.arn,
    }),
    env,
    memorySize: v.memorySize,
    timeoutSeconds: v.timeout,
    credentialsExpireAt: credentials.expiration,
  };
}
