// ---------------------------------------------------------------------------
// What a Lambda handler needs from IAM, read from its code's syntax trees (the TypeScript
// compiler's parser, no type checking), not from its text:
//
//   handlerFiles   the entry and every file it reaches through relative imports, exports and require()
//   handlerNeeds   every `new <X>Command(...)` whose X is bound to an @aws-sdk client module, mapped
//                  to its IAM action; `fromTemporaryCredentials(...)` as sts:AssumeRole (and
//                  sts:SetSourceIdentity when an object literal sets `SourceIdentity`); and which
//                  of those commands run with the assumed (tenant) credentials instead of the
//                  execution role's (clients built in a file that calls fromTemporaryCredentials,
//                  or that sends AssumeRoleCommand itself: other services' clients built there)
//
// Pure: the caller hands in a way to read source files, so a test can analyse sources of its own.
// ---------------------------------------------------------------------------
import { dirname, join, normalize } from 'node:path';
import * as ts from 'typescript';

/**
 * IAM action of each SDK command, keyed `<service>:<Command>`. Explicit on purpose: the API name
 * is not always the action's (Lambda's Invoke is lambda:InvokeFunction). A command missing here
 * fails the analysis, so a new call cannot slip past the comparison.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
export const COMMAND_ACTIONS: Readonly<Record<string, string>> = {
  'sts:AssumeRoleCommand': 'sts:AssumeRole',
  'sts:GetCallerIdentityCommand': 'sts:GetCallerIdentity',
  'lambda:InvokeCommand': 'lambda:InvokeFunction',
  'dynamodb:GetItemCommand': 'dynamodb:GetItem',
  'lambda:InvokeWithResponseStreamCommand': 'lambda:InvokeFunction',
  'lambda:GetFunctionCommand': 'lambda:GetFunction',
  'lambda:ListFunctionsCommand': 'lambda:ListFunctions',
  'iam:GetRoleCommand': 'iam:GetRole',
  's3:GetObjectCommand': 's3:GetObject',
  's3:PutObjectCommand': 's3:PutObject',
};

/** What the Lambda service does with every function's execution role: write its logs. */
export const LAMBDA_SERVICE_LOG_ACTIONS: readonly string[] = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];

export interface HandlerNeeds {
  /** Source files reached from the entry through relative imports. */
  readonly files: string[];
  /** Actions the execution role needs (log actions not included). */
  readonly executionRole: Set<string>;
  /** Actions sent with credentials assumed from a tenant role: that role needs them. */
  readonly assumedSession: Set<string>;
}

/** Thrown when the analysis meets a command it has no IAM action for. */
export class UnknownCommandError extends Error {
  readonly code = 'UnknownCommand';
  constructor(readonly command: string, readonly file: string) {
    super(`${file} sends ${command}, which has no IAM action in COMMAND_ACTIONS: add it (see the Service Authorization Reference)`);
    this.name = 'UnknownCommandError';
  }
}

export type ReadSource = (path: string) => string | undefined;

// ---------------------------------------------------------------------------
// One file's facts, from its syntax tree
// ---------------------------------------------------------------------------

/** What a local name is bound to by an import: `name` is the exported name, `*` for a namespace. */
interface Binding {
  readonly module: string;
  readonly name: string;
}

interface FileFacts {
  /** Module specifiers that start with `.` (imports, re-exports, require(), import()). */
  readonly relativeSpecifiers: string[];
  /** Commands constructed: the exported name, and the SDK service it comes from (undefined: not from an SDK client module). */
  readonly commands: { readonly command: string; readonly service: string | undefined }[];
  /** Services of the SDK clients this file constructs itself. */
  readonly clientServices: Set<string>;
  /** Calls of functions imported from relative modules: maybe factories of clients. */
  readonly importedCalls: Binding[];
  /** Whether the file calls fromTemporaryCredentials (it builds clients with assumed credentials). */
  readonly assumesRole: boolean;
  /** Whether an object literal of the file sets `SourceIdentity` (an AssumeRole input that does needs sts:SetSourceIdentity). */
  readonly setsSourceIdentity: boolean;
  /** Functions this file declares that return an SDK client, by name, with the client's service. */
  readonly clientFactories: Map<string, string>;
}

/** `@aws-sdk/client-lambda` -> `lambda`; `@aws-sdk/nested-clients/sts` -> `sts`; anything else: undefined. */
function sdkService(module: string): string | undefined {
  for (const prefix of ['@aws-sdk/client-', '@aws-sdk/nested-clients/']) if (module.startsWith(prefix)) return module.slice(prefix.length);
  return undefined;
}

function importBindings(source: ts.SourceFile): Map<string, Binding> {
  const bindings = new Map<string, Binding>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || !statement.importClause) continue;
    const module = statement.moduleSpecifier.text;
    const clause = statement.importClause;
    if (clause.name) bindings.set(clause.name.text, { module, name: 'default' });
    const named = clause.namedBindings;
    if (named && ts.isNamespaceImport(named)) bindings.set(named.name.text, { module, name: '*' });
    if (named && ts.isNamedImports(named)) for (const el of named.elements) bindings.set(el.name.text, { module, name: (el.propertyName ?? el.name).text });
  }
  return bindings;
}

/** What `expression` names through an import: `X` (a named import) or `ns.X` (a namespace import). */
function boundName(expression: ts.Expression, bindings: ReadonlyMap<string, Binding>): Binding | undefined {
  if (ts.isIdentifier(expression)) return bindings.get(expression.text);
  if (ts.isPropertyAccessExpression(expression) && ts.isIdentifier(expression.expression)) {
    const namespace = bindings.get(expression.expression.text);
    if (namespace?.name === '*') return { module: namespace.module, name: expression.name.text };
  }
  return undefined;
}

/** The name an expression is written with (`X` or `a.b.X`), for constructions bound to nothing. */
function writtenName(expression: ts.Expression): string | undefined {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  return undefined;
}

/** The SDK service of a client binding (`LambdaClient` from @aws-sdk/client-lambda), if it is one. */
function clientService(binding: Binding | undefined): string | undefined {
  return binding && binding.name.endsWith('Client') ? sdkService(binding.module) : undefined;
}

/** The service of the SDK client a function returns: by its declared return type, or a `return new XClient(...)`. */
function returnedClientService(fn: ts.SignatureDeclaration, bindings: ReadonlyMap<string, Binding>): string | undefined {
  if (fn.type && ts.isTypeReferenceNode(fn.type) && ts.isIdentifier(fn.type.typeName)) {
    const service = clientService(bindings.get(fn.type.typeName.text));
    if (service) return service;
  }
  let found: string | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isReturnStatement(node) && node.expression && ts.isNewExpression(node.expression)) found = clientService(boundName(node.expression.expression, bindings));
    else if (ts.isArrowFunction(fn) && node === fn.body && ts.isNewExpression(node)) found = clientService(boundName(node.expression, bindings));
    if (!found && !(node !== fn && ts.isFunctionLike(node))) ts.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

/** Top-level functions (declarations, or consts holding one) that return an SDK client. */
function clientFactoriesOf(source: ts.SourceFile, bindings: ReadonlyMap<string, Binding>): Map<string, string> {
  const factories = new Map<string, string>();
  const consider = (name: string | undefined, fn: ts.SignatureDeclaration) => {
    const service = name === undefined ? undefined : returnedClientService(fn, bindings);
    if (name !== undefined && service) factories.set(name, service);
  };
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement)) consider(statement.name?.text, statement);
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))) consider(d.name.text, d.initializer);
      }
    }
  }
  return factories;
}

function factsOf(file: string, text: string): FileFacts {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const bindings = importBindings(source);
  const facts: FileFacts = {
    relativeSpecifiers: [], commands: [], clientServices: new Set(), importedCalls: [], assumesRole: false, setsSourceIdentity: false,
    clientFactories: clientFactoriesOf(source, bindings),
  };
  let assumesRole = false;
  let setsSourceIdentity = false;
  const specifier = (node: ts.Expression | undefined) => {
    if (node && ts.isStringLiteralLike(node) && node.text.startsWith('.')) facts.relativeSpecifiers.push(node.text);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) specifier(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) specifier(node.moduleReference.expression);
    else if ((ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) && ts.isObjectLiteralExpression(node.parent)
      && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) && node.name.text === 'SourceIdentity') setsSourceIdentity = true;
    else if (ts.isNewExpression(node)) {
      const binding = boundName(node.expression, bindings);
      const name = binding?.name ?? writtenName(node.expression);
      if (name?.endsWith('Command')) facts.commands.push({ command: name, service: binding && sdkService(binding.module) });
      const service = clientService(binding);
      if (service) facts.clientServices.add(service);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if (isRequire || callee.kind === ts.SyntaxKind.ImportKeyword) specifier(node.arguments[0]);
      const binding = boundName(callee, bindings);
      if (binding?.name === 'fromTemporaryCredentials' && binding.module.startsWith('@aws-sdk/')) assumesRole = true;
      else if (binding?.module.startsWith('.')) facts.importedCalls.push(binding);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { ...facts, assumesRole, setsSourceIdentity };
}

// ---------------------------------------------------------------------------
// The handler's files
// ---------------------------------------------------------------------------

/** The file a relative specifier names, as a bundler would find it: `x.ts`, `x/index.ts`, or `x` itself. */
function resolveRelative(from: string, spec: string, readSource: ReadSource): string | undefined {
  const base = normalize(join(dirname(from), spec));
  return [`${base}.ts`, join(base, 'index.ts'), base].find((candidate) => readSource(candidate) !== undefined);
}

function analyse(entry: string, readSource: ReadSource): Map<string, FileFacts> {
  const files = new Map<string, FileFacts>();
  const queue = [normalize(entry)];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (files.has(file)) continue;
    const text = readSource(file);
    if (text === undefined) throw new Error(`cannot read ${file}`);
    const facts = factsOf(file, text);
    files.set(file, facts);
    for (const spec of facts.relativeSpecifiers) {
      const found = resolveRelative(file, spec, readSource);
      if (found) queue.push(found);
    }
  }
  return files;
}

/**
 * The handler's files: `entry` and every file it reaches through relative imports.
 * `readSource` returns a file's text, or undefined when there is none.
 */
export function handlerFiles(entry: string, readSource: ReadSource): string[] {
  return [...analyse(entry, readSource).keys()];
}

/**
 * What a handler's code needs, statically: every SDK command it constructs, mapped to its action
 * through the client module it is imported from, and `fromTemporaryCredentials(` as sts:AssumeRole.
 * A file that calls fromTemporaryCredentials builds clients with those assumed credentials: the
 * services of the clients it constructs there (directly, or through a function of the project that
 * returns one) run as the tenant's role, not the execution role.
 * Limit, stated: a handler that sent one service's commands under both credentials would need a
 * finer analysis (by client instance); none does.
 */
export function handlerNeeds(entry: string, readSource: ReadSource): HandlerNeeds {
  const files = analyse(entry, readSource);
  const executionRole = new Set<string>();
  const assumedSession = new Set<string>();
  const sessionServices = new Set<string>();

  for (const [file, facts] of files) {
    // A file that sends AssumeRole itself and builds clients of other services signs those with
    // the session it got (the connector's per-region Lambda clients); its STS client stays the
    // execution role's, which is what sends the AssumeRole.
    const sendsAssumeRole = facts.commands.some((c) => c.service === 'sts' && c.command === 'AssumeRoleCommand');
    if (!facts.assumesRole && !sendsAssumeRole) continue;
    const skip = facts.assumesRole ? undefined : 'sts';
    executionRole.add('sts:AssumeRole');
    for (const service of facts.clientServices) if (service !== skip) sessionServices.add(service);
    for (const call of facts.importedCalls) {
      const module = resolveRelative(file, call.module, readSource);
      const service = module === undefined ? undefined : files.get(module)?.clientFactories.get(call.name);
      if (service && service !== skip) sessionServices.add(service);
    }
  }
  for (const [file, facts] of files) {
    for (const { command, service } of facts.commands) {
      const action = service === undefined ? undefined : COMMAND_ACTIONS[`${service}:${command}`];
      if (!action || !service) throw new UnknownCommandError(command, file);
      (sessionServices.has(service) ? assumedSession : executionRole).add(action);
    }
  }
  // Setting a SourceIdentity on AssumeRole is a permission of its own, on the caller's side too.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html#id_credentials_temp_control-access_monitor-perms
  if (executionRole.has('sts:AssumeRole') && [...files.values()].some((f) => f.setsSourceIdentity)) executionRole.add('sts:SetSourceIdentity');
  return { files: [...files.keys()], executionRole, assumedSession };
}
