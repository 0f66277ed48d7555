// ---------------------------------------------------------------------------
// What a new sandbox of a function version gets: its unpacked code, the execution role's
// fresh temporary credentials, and exactly the environment Lambda defines for the Node.js
// runtime (nothing inherited from the local cloud's own process, so no NODE_OPTIONS, loaders
// or keys leak in).
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
// ---------------------------------------------------------------------------
import { createHash, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { ServiceContext } from '../contracts';
import { assumeExecutionRole } from './execution-role';
import { logNames } from './logs';
import type { SandboxSpec } from './sandbox';
import type { FunctionRecord, FunctionVersionRecord } from './store';

/** The SDK the Node.js runtime ships: here, the project's own node_modules (CommonJS `require` only). */
const RUNTIME_NODE_MODULES = resolve(__dirname, '..', '..', 'node_modules');

/** Changes when anything a running sandbox was started with changes. */
export function sandboxFingerprint(fn: FunctionRecord, v: FunctionVersionRecord): string {
  const { runtime, role, handler, timeout, memorySize, environment, codeSha256, architectures } = v;
  return createHash('sha256').update(JSON.stringify({ arn: fn.arn, version: v.version, runtime, role, handler, timeout, memorySize, environment, codeSha256, architectures })).digest('hex');
}

export function sandboxSpec(ctx: ServiceContext, fn: FunctionRecord, v: FunctionVersionRecord, taskRoot: string): SandboxSpec {
  const credentials = assumeExecutionRole(ctx, v.role, { accountId: fn.accountId, functionName: fn.functionName, arn: fn.arn });
  const logs = logNames(fn.functionName, v.version, randomBytes(16).toString('hex'), ctx.now());
  const env: Record<string, string> = {
    ...v.environment,
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    NODE_PATH: RUNTIME_NODE_MODULES,
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: resolve(__dirname, 'runtime'),
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
    taskRoot,
    env,
    memorySize: v.memorySize,
    timeoutSeconds: v.timeout,
    credentialsExpireAt: credentials.expiration,
  };
}
