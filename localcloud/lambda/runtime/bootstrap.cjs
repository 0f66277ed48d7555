// @ts-check
// ---------------------------------------------------------------------------
// The sandbox's runtime: a child Node process that loads one function's handler and runs
// invocations sent by the Lambda service over IPC, one at a time, keeping module state warm
// between them like a Lambda execution environment. Plain JavaScript on purpose: the user's
// code runs in a plain Node process, with no TypeScript loader in between.
// Handler and context contract: https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html
// Error shapes: https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html
//
// Protocol (parent <-> child, JSON over the IPC channel):
//   child  -> {type:'started'} then {type:'ready'} | {type:'init-error', error}
//   parent -> {type:'invoke', id, payload, context:{...}, deadlineMs}
//   child  -> {type:'log', text}* then {type:'result', id, payload} | {type:'error', id, error}
// ---------------------------------------------------------------------------
'use strict';

// First word to the parent, before anything is loaded: the environment is up (namespaces made,
// Node started), so Lambda's Init phase, and its 10 s budget, starts now.
process.send?.({ type: 'started' });

const fs = require('node:fs');
const path = require('node:path');
const util = require('node:util');
const { pathToFileURL } = require('node:url');

/** Lambda's synchronous response limit (bytes of the serialized result). */
const RESPONSE_LIMIT_BYTES = 6291556;

const taskRoot = /** @type {string} */ (process.env.LAMBDA_TASK_ROOT);
const handlerName = /** @type {string} */ (process.env._HANDLER);

/** @type {string | undefined} the request being served, for log lines */
let currentRequestId;

// ---------------------------------------------------------------------------
// Logs: everything the handler prints travels over IPC, so it stays ordered with the result.
// ---------------------------------------------------------------------------

/** @param {string} text */
function sendLog(text) {
  if (process.connected) process.send?.({ type: 'log', text });
}

/** @param {'stdout' | 'stderr'} name */
function captureStream(name) {
  const stream = process[name];
  // @ts-ignore -- a write that accepts what stream.write accepts
  stream.write = (chunk, encoding, callback) => {
    sendLog(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done);
    return true;
  };
}
captureStream('stdout');
captureStream('stderr');

/** Lambda's Node runtime prefixes each console line: `<ISO time>\t<request id>\t<LEVEL>\t<message>`. */
function patchConsole() {
  /** @type {Array<[keyof Console, string]>} */
  const levels = [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']];
  for (const [method, level] of levels) {
    // @ts-ignore -- replacing console methods, as the real runtime does
    console[method] = (...args) => {
      const message = method === 'trace' ? `Trace: ${util.format(...args)}\n${new Error().stack?.split('\n').slice(2).join('\n')}` : util.format(...args);
      sendLog(`${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${message}\n`);
    };
  }
}
patchConsole();

// ---------------------------------------------------------------------------
// Errors, in Lambda's payload shape
// ---------------------------------------------------------------------------

/**
 * @param {unknown} err
 * @returns {{ errorType: string, errorMessage: string, trace?: string[] }}
 */
function toErrorPayload(err) {
  if (err instanceof Error) {
    return { errorType: err.name || err.constructor?.name || 'Error', errorMessage: err.message, trace: (err.stack ?? '').split('\n') };
  }
  return { errorType: typeof err, errorMessage: typeof err === 'string' ? err : util.inspect(err) };
}

/** @param {string} errorType @param {unknown} cause */
function runtimeError(errorType, cause) {
  const e = toErrorPayload(cause);
  return { errorType, errorMessage: `${cause instanceof Error ? `${cause.name}: ` : ''}${e.errorMessage}`, trace: e.trace };
}

// ---------------------------------------------------------------------------
// Init: resolve and load the handler ("dir/file.export" -> module dir/file, export "export")
// ---------------------------------------------------------------------------

/** @param {string} base */
function findModuleFile(base) {
  for (const ext of ['.js', '.mjs', '.cjs']) {
    if (fs.existsSync(base + ext)) return base + ext;
  }
  return undefined;
}

/** @param {string} file */
async function loadModule(file) {
  if (file.endsWith('.mjs')) return import(pathToFileURL(file).href);
  try {
    return require(file);
  } catch (e) {
    // A .js file in a "type": "module" package is ESM.
    if (/** @type {NodeJS.ErrnoException} */ (e).code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(file).href);
    throw e;
  }
}

async function loadHandler() {
  const lastSlash = handlerName.lastIndexOf('/');
  const dot = handlerName.indexOf('.', lastSlash + 1);
  if (dot <= lastSlash + 1 || dot === handlerName.length - 1) {
    throw { errorType: 'Runtime.MalformedHandlerName', errorMessage: 'Bad handler' };
  }
  const moduleName = handlerName.slice(0, dot);
  const exportPath = handlerName.slice(dot + 1).split('.');
  const base = path.resolve(taskRoot, moduleName);
  // The handler must name a file inside the package: never load the host's files.
  const rel = path.relative(taskRoot, base);
  const file = rel.startsWith('..') || path.isAbsolute(rel) ? undefined : findModuleFile(base);
  if (!file) {
    throw { errorType: 'Runtime.ImportModuleError', errorMessage: `Error: Cannot find module '${moduleName}'` };
  }
  let mod;
  try {
    mod = await loadModule(file);
  } catch (e) {
    if (e instanceof SyntaxError) throw runtimeError('Runtime.UserCodeSyntaxError', e);
    if (/** @type {NodeJS.ErrnoException} */ (e).code === 'MODULE_NOT_FOUND' || /** @type {NodeJS.ErrnoException} */ (e).code === 'ERR_MODULE_NOT_FOUND') {
      throw runtimeError('Runtime.ImportModuleError', e);
    }
    throw toErrorPayload(e);
  }
  /** @type {any} */
  let fn = mod;
  for (const key of exportPath) fn = fn == null ? undefined : fn[key];
  if (typeof fn !== 'function' && mod && mod.default && exportPath.length === 1) fn = mod.default[exportPath[0]];
  if (typeof fn !== 'function') {
    throw { errorType: 'Runtime.HandlerNotFound', errorMessage: `${handlerName} is undefined or not exported` };
  }
  return fn;
}

// ---------------------------------------------------------------------------
// Invoke
// ---------------------------------------------------------------------------

/**
 * @param {Function} handler
 * @param {any} event
 * @param {Record<string, any>} context
 */
function callHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    /** @param {unknown} err @param {unknown} [value] */
    const callback = (err, value) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err);
      else resolve(value);
    };
    context.done = callback;
    context.succeed = (/** @type {unknown} */ value) => callback(null, value);
    context.fail = (/** @type {unknown} */ err) => callback(err ?? new Error('handled'));
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (e) {
      callback(e);
      return;
    }
    if (returned && typeof returned.then === 'function') {
      returned.then((/** @type {unknown} */ v) => callback(null, v), (/** @type {unknown} */ e) => callback(e === undefined || e === null ? new Error('Promise rejected') : e));
    } else if (handler.length < 3) {
      callback(null, returned);
    }
    // else: a callback-style handler answers through `callback`
  });
}

/** @param {any} msg @param {Function} handler */
async function invoke(msg, handler) {
  currentRequestId = msg.id;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: msg.context.invokedFunctionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: msg.id,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: msg.context.clientContext,
    getRemainingTimeInMillis: () => Math.max(0, msg.deadlineMs - Date.now()),
  };
  try {
    const event = JSON.parse(msg.payload);
    const value = await callHandler(handler, event, context);
    let payload;
    try {
      payload = JSON.stringify(value === undefined ? null : value);
    } catch (e) {
      process.send?.({ type: 'error', id: msg.id, error: runtimeError('Runtime.MarshalError', e) });
      return;
    }
    if (Buffer.byteLength(payload, 'utf8') > RESPONSE_LIMIT_BYTES) {
      process.send?.({ type: 'error', id: msg.id, error: { errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${RESPONSE_LIMIT_BYTES} bytes).` } });
      return;
    }
    process.send?.({ type: 'result', id: msg.id, payload });
  } catch (e) {
    const error = toErrorPayload(e);
    // The runtime logs the error too, as an ERROR line with the JSON payload.
    sendLog(`${new Date().toISOString()}\t${msg.id}\tERROR\tInvoke Error \t${JSON.stringify(error)}\n`);
    process.send?.({ type: 'error', id: msg.id, error });
  }
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

/** An error escaping the handler's promise chain ends the sandbox, as in Lambda. */
function fatal(/** @type {string} */ errorType, /** @type {unknown} */ err) {
  const error = errorType === 'uncaught' ? toErrorPayload(err) : { ...toErrorPayload(err), errorType };
  process.send?.({ type: 'fatal', id: currentRequestId, error }, () => process.exit(128));
}
process.on('uncaughtException', (err) => fatal('uncaught', err));
process.on('unhandledRejection', (reason) => fatal('Runtime.UnhandledPromiseRejection', reason));
// The service went away: a sandbox never outlives it.
process.on('disconnect', () => process.exit(0));

loadHandler().then(
  (handler) => {
    process.on('message', (/** @type {any} */ msg) => {
      if (msg && msg.type === 'invoke') void invoke(msg, handler);
    });
    process.send?.({ type: 'ready' });
  },
  (err) => {
    const error = err && typeof err === 'object' && 'errorType' in err ? err : toErrorPayload(err);
    process.send?.({ type: 'init-error', error }, () => process.exit(1));
  },
);
