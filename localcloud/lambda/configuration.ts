// ---------------------------------------------------------------------------
// FunctionConfiguration as Lambda answers it (GetFunction, CreateFunction, Update*, versions).
// The Terraform provider needs PackageType, State and LastUpdateStatus, and echoes of every
// configured value, or it plans a change on every run (PROVIDER-API.md).
// https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html
// ---------------------------------------------------------------------------
import type { FunctionRecord, FunctionVersionRecord } from './store';

export interface RenderOptions {
  /** Qualify FunctionArn with the version (ListVersionsByFunction, qualified reads). */
  readonly qualifiedArn?: boolean;
}

export function functionConfiguration(fn: FunctionRecord, v: FunctionVersionRecord, options: RenderOptions = {}): Record<string, unknown> {
  const hasEnvironment = Object.keys(v.environment).length > 0;
  return {
    FunctionName: fn.functionName,
    FunctionArn: options.qualifiedArn || v.version !== '$LATEST' ? `${fn.arn}:${v.version}` : fn.arn,
    Runtime: v.runtime,
    Role: v.role,
    Handler: v.handler,
    CodeSize: v.codeSize,
    Description: v.description,
    Timeout: v.timeout,
    MemorySize: v.memorySize,
    LastModified: v.lastModified,
    CodeSha256: v.codeSha256,
    Version: v.version,
    ...(hasEnvironment ? { Environment: { Variables: { ...v.environment } } } : {}),
    TracingConfig: { Mode: v.tracingMode },
    RevisionId: v.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: [...v.architectures],
    EphemeralStorage: { Size: v.ephemeralStorageSize },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: v.logFormat, LogGroup: `/aws/lambda/${fn.functionName}` },
  };
}

/** The version a qualifier names, or undefined (`undefined`/`$LATEST` is $LATEST). */
export function findVersion(fn: FunctionRecord, qualifier: string | undefined): FunctionVersionRecord | undefined {
  if (qualifier === undefined || qualifier === '$LATEST') return fn.latest;
  return fn.versions.find((v) => v.version === qualifier);
}
