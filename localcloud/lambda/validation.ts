// ---------------------------------------------------------------------------
// Request bodies, checked against Lambda's modelled constraints. A constraint violation is a
// ValidationException in AWS's wording; a well-formed value Lambda still refuses (an unknown
// runtime, reserved environment keys, features this local cloud cannot honour) is an
// InvalidParameterValueException. Unknown members are ignored, as AWS's deserializer does.
// https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
// ---------------------------------------------------------------------------
import * as z from 'zod';
import { invalidParameter, invalidRequestContent, validationError } from './errors';

// ---------------------------------------------------------------------------
// Field rules
// ---------------------------------------------------------------------------

/** Runtimes this local cloud runs: the Node.js ones its child processes can stand in for. */
export const SUPPORTED_RUNTIMES = ['nodejs22.x', 'nodejs20.x', 'nodejs18.x'] as const;

/** Timeout: 1-900 seconds; MemorySize: 128-10240 MB (API_CreateFunction). */
export const TIMEOUT_RANGE = { min: 1, max: 900, default: 3 } as const;
export const MEMORY_RANGE = { min: 128, max: 10240, default: 128 } as const;
/** Environment variables: at most 4 KB in total (Lambda quotas). */
export const ENVIRONMENT_MAX_BYTES = 4096;

/** Keys the runtime sets itself; Lambda refuses them in Environment.Variables.
 *  https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime */
export const RESERVED_ENVIRONMENT_KEYS = [
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
] as const;

const functionName = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'Member must satisfy regular expression pattern: [a-zA-Z0-9-_]{1,64}');
const roleArn = z.string().regex(/^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/, 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+');
const handler = z.string().max(128, 'Member must have length less than or equal to 128').regex(/^[^\s]+$/, 'Member must satisfy regular expression pattern: [^\\s]+');
const description = z.string().max(256, 'Member must have length less than or equal to 256');
const timeout = z.number().int('Member must be an integer')
  .min(TIMEOUT_RANGE.min, `Member must have value greater than or equal to ${TIMEOUT_RANGE.min}`)
  .max(TIMEOUT_RANGE.max, `Member must have value less than or equal to ${TIMEOUT_RANGE.max}`);
const memorySize = z.number().int('Member must be an integer')
  .min(MEMORY_RANGE.min, `Member must have value greater than or equal to ${MEMORY_RANGE.min}`)
  .max(MEMORY_RANGE.max, `Member must have value less than or equal to ${MEMORY_RANGE.max}`);
const envKey = z.string().regex(/^[a-zA-Z]([a-zA-Z0-9_])+$/, 'Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+');
const environment = z.object({ Variables: z.record(envKey, z.string()).optional() });
const tagMap = z.record(
  z.string().min(1, 'Member must have length greater than or equal to 1').max(128, 'Member must have length less than or equal to 128'),
  z.string().max(256, 'Member must have length less than or equal to 256'),
);
const architectures = z.array(z.enum(['x86_64', 'arm64'], 'Member must satisfy enum value set: [x86_64, arm64]')).length(1, 'Member must have length equal to 1');
const tracingConfig = z.object({ Mode: z.enum(['Active', 'PassThrough'], 'Member must satisfy enum value set: [Active, PassThrough]').optional() });
const ephemeralStorage = z.object({ Size: z.number().int().min(512, 'Member must have value greater than or equal to 512').max(10240, 'Member must have value less than or equal to 10240') });
const loggingConfig = z.object({
  LogFormat: z.enum(['JSON', 'Text']).optional(),
  ApplicationLogLevel: z.string().optional(),
  SystemLogLevel: z.string().optional(),
  LogGroup: z.string().optional(),
});
const revisionId = z.string();
const zipFile = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Member must be base64-encoded');

/** Features AWS offers that this local cloud cannot honour: accepted only when empty, so a
 *  template that relies on one fails loudly instead of deploying something that differs. */
const vpcConfig = z.object({ SubnetIds: z.array(z.string()).optional(), SecurityGroupIds: z.array(z.string()).optional() });
const layers = z.array(z.string());
const deadLetterConfig = z.object({ TargetArn: z.string().optional() });
const fileSystemConfigs = z.array(z.unknown());

const codeInput = z.object({
  ZipFile: zipFile.optional(),
  S3Bucket: z.string().optional(),
  S3Key: z.string().optional(),
  S3ObjectVersion: z.string().optional(),
  ImageUri: z.string().optional(),
});

// ---------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------

const sharedConfiguration = {
  Role: roleArn,
  Runtime: z.string(),
  Handler: handler,
  Description: description,
  Timeout: timeout,
  MemorySize: memorySize,
  Environment: environment,
  TracingConfig: tracingConfig,
  EphemeralStorage: ephemeralStorage,
  LoggingConfig: loggingConfig,
  VpcConfig: vpcConfig,
  Layers: layers,
  DeadLetterConfig: deadLetterConfig,
  FileSystemConfigs: fileSystemConfigs,
  KMSKeyArn: z.string(),
  ImageConfig: z.unknown(),
  SnapStart: z.object({ ApplyOn: z.enum(['PublishedVersions', 'None']).optional() }),
};

const optionalConfiguration = z.object(sharedConfiguration).partial().shape;

export const createFunctionBody = z.object({
  ...optionalConfiguration,
  FunctionName: functionName,
  Role: roleArn,
  Code: codeInput,
  PackageType: z.enum(['Zip', 'Image'], 'Member must satisfy enum value set: [Zip, Image]').optional(),
  Publish: z.boolean().optional(),
  Tags: tagMap.optional(),
  Architectures: architectures.optional(),
  CodeSigningConfigArn: z.string().optional(),
});
export type CreateFunctionBody = z.infer<typeof createFunctionBody>;

export const updateConfigurationBody = z.object({ ...optionalConfiguration, RevisionId: revisionId.optional() });
export type UpdateConfigurationBody = z.infer<typeof updateConfigurationBody>;

export const updateCodeBody = z.object({
  ZipFile: zipFile.optional(),
  S3Bucket: z.string().optional(),
  S3Key: z.string().optional(),
  S3ObjectVersion: z.string().optional(),
  ImageUri: z.string().optional(),
  Publish: z.boolean().optional(),
  DryRun: z.boolean().optional(),
  RevisionId: revisionId.optional(),
  Architectures: architectures.optional(),
});
export type UpdateCodeBody = z.infer<typeof updateCodeBody>;

export const publishVersionBody = z.object({
  CodeSha256: z.string().optional(),
  Description: description.optional(),
  RevisionId: revisionId.optional(),
});

export const addPermissionBody = z.object({
  StatementId: z.string().min(1, 'Member must have length greater than or equal to 1').max(100, 'Member must have length less than or equal to 100')
    .regex(/^([a-zA-Z0-9-_.]+)$/, 'Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)'),
  Action: z.string().regex(/^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/, 'Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])'),
  Principal: z.string().regex(/^[^\s]+$/, 'Member must satisfy regular expression pattern: [^\\s]+'),
  SourceArn: z.string().optional(),
  SourceAccount: z.string().regex(/^\d{12}$/, 'Member must satisfy regular expression pattern: \\d{12}').optional(),
  EventSourceToken: z.string().optional(),
  PrincipalOrgID: z.string().regex(/^o-[a-z0-9]{10,32}$/, 'Member must satisfy regular expression pattern: ^o-[a-z0-9]{10,32}$').optional(),
  FunctionUrlAuthType: z.enum(['NONE', 'AWS_IAM']).optional(),
  InvokedViaFunctionUrl: z.boolean().optional(),
  RevisionId: revisionId.optional(),
});
export type AddPermissionBody = z.infer<typeof addPermissionBody>;

export const putConcurrencyBody = z.object({
  ReservedConcurrentExecutions: z.number().int('Member must be an integer').min(0, 'Member must have value greater than or equal to 0'),
});

export const tagResourceBody = z.object({ Tags: tagMap });

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

/** `Timeout` -> `timeout`, `Environment.Variables` -> `environment.variables`: AWS's member paths. */
function memberPath(path: PropertyKey[]): string {
  return path.map((p) => (typeof p === 'string' ? p.charAt(0).toLowerCase() + p.slice(1) : String(p))).join('.');
}

function valueAt(body: unknown, path: PropertyKey[]): unknown {
  let node = body;
  for (const key of path) node = node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  return node;
}

/** Parse a JSON body: malformed JSON is InvalidRequestContentException, a broken constraint a
 *  ValidationException naming the member. An empty body counts as `{}`. */
export function parseJsonBody<T>(schema: z.ZodType<T>, raw: Buffer): T {
  let body: unknown = {};
  if (raw.length > 0) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (e) {
      throw invalidRequestContent(`Could not parse request body into json: ${(e as Error).message}`);
    }
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const value = valueAt(body, issue.path);
  if (issue.code === 'invalid_type' && value === undefined) {
    throw validationError(memberPath(issue.path), 'null', 'Member must not be null');
  }
  throw validationError(memberPath(issue.path), value, issue.message);
}

// ---------------------------------------------------------------------------
// Semantic checks (InvalidParameterValueException)
// ---------------------------------------------------------------------------

export function checkRuntime(runtime: string): void {
  if (!(SUPPORTED_RUNTIMES as readonly string[]).includes(runtime)) {
    throw invalidParameter(`The runtime parameter of ${runtime} is not supported by the local cloud. Use one of ${SUPPORTED_RUNTIMES.join(', ')}.`);
  }
}

export function checkEnvironment(variables: Record<string, string>): void {
  const reserved = Object.keys(variables).filter((k) => (RESERVED_ENVIRONMENT_KEYS as readonly string[]).includes(k));
  if (reserved.length > 0) {
    throw invalidParameter(`Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`);
  }
  // Lambda measures the variables as their JSON text.
  const size = Buffer.byteLength(JSON.stringify(variables), 'utf8');
  if (size > ENVIRONMENT_MAX_BYTES) {
    throw invalidParameter(`Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${size} bytes`);
  }
}

export function checkTags(tags: Record<string, string>): void {
  const reserved = Object.keys(tags).find((k) => k.toLowerCase().startsWith('aws:'));
  if (reserved) throw invalidParameter(`Tag keys starting with "aws:" are reserved for AWS use (got ${reserved}).`);
  if (Object.keys(tags).length > 50) throw invalidParameter('A function can have at most 50 tags.');
}

/** Refuse configuration this local cloud cannot honour, naming the member. */
export function checkUnsupportedConfiguration(body: Partial<Pick<UpdateConfigurationBody, 'VpcConfig' | 'Layers' | 'DeadLetterConfig' | 'FileSystemConfigs' | 'KMSKeyArn' | 'ImageConfig'>>): void {
  const unsupported = (member: string) => invalidParameter(`${member} is not supported by the local cloud's Lambda service; remove it from the request.`);
  if ((body.VpcConfig?.SubnetIds?.length ?? 0) > 0 || (body.VpcConfig?.SecurityGroupIds?.length ?? 0) > 0) throw unsupported('VpcConfig');
  if ((body.Layers?.length ?? 0) > 0) throw unsupported('Layers');
  if (body.DeadLetterConfig?.TargetArn) throw unsupported('DeadLetterConfig');
  if ((body.FileSystemConfigs?.length ?? 0) > 0) throw unsupported('FileSystemConfigs');
  if (body.KMSKeyArn) throw unsupported('KMSKeyArn');
  if (body.ImageConfig !== undefined) throw unsupported('ImageConfig');
}

/** The zip bytes of a Code / UpdateFunctionCode request; only inline ZipFile is possible here. */
export function zipBytes(code: { ZipFile?: string; S3Bucket?: string; ImageUri?: string }): Buffer {
  if (code.ImageUri) throw invalidParameter('Container images are not supported by the local cloud; upload a .zip file archive (Code.ZipFile).');
  if (code.S3Bucket) throw invalidParameter('The local cloud has no S3; upload the .zip file archive inline (Code.ZipFile).');
  if (!code.ZipFile) throw invalidParameter('Please provide a source for function code.');
  return Buffer.from(code.ZipFile, 'base64');
}
