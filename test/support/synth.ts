// ---------------------------------------------------------------------------
// Helpers for synth tests: configs from the committed files (or variants of them), the app as
// main.ts wires it, the synthesized JSON of a stack, its policies parsed, and files in a zip.
// ---------------------------------------------------------------------------
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing, type App, type TerraformStack } from 'cdktf';
import * as yauzl from 'yauzl';
import { PROJECT_ROOT, parseConfig, type Target } from '../../config/load';
import type { SidecarConfig } from '../../config/schema';
import type { PolicyDocument, PolicyStatement } from '../../rules/policies';
import { buildApp, type SidecarAppProps, type SidecarStacks } from '../../modules/app';

// ---------------------------------------------------------------------------
// Configs
// ---------------------------------------------------------------------------

/** The raw JSON of a committed config file (a fresh copy each call, safe to mutate). */
export function rawConfigFile(name: 'local' | 'aws.example'): Record<string, any> {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'config', `${name}.json`), 'utf8'));
}

/** config/local.json, validated, after an optional edit of its raw JSON. */
export function localConfig(edit?: (raw: Record<string, any>) => void): SidecarConfig {
  const raw = rawConfigFile('local');
  edit?.(raw);
  return parseConfig(raw, 'config/local.json', 'local');
}

/** config/aws.example.json, validated for the aws target, after an optional edit. */
export function awsConfig(edit?: (raw: Record<string, any>) => void): SidecarConfig {
  const raw = rawConfigFile('aws.example');
  edit?.(raw);
  return parseConfig(raw, 'config/aws.example.json', 'aws');
}

/** A validated config changed afterwards: how a test hands a construct what the loader would refuse. */
export function unvalidated(config: SidecarConfig, edit: (config: any) => void): SidecarConfig {
  const copy = structuredClone(config);
  edit(copy);
  return copy;
}

// ---------------------------------------------------------------------------
// Synthesis
// ---------------------------------------------------------------------------

export interface SynthesizedApp extends SidecarStacks {
  readonly app: App;
}

/** The app exactly as main.ts wires it, in a Testing app (temp outdir). */
export function synthApp(props: Partial<SidecarAppProps> & { config: SidecarConfig; target?: Target; outdir?: string }): SynthesizedApp {
  const app = Testing.app({ outdir: props.outdir });
  const stacks = buildApp(app, { target: 'local', env: {}, ...props });
  return { app, ...stacks };
}

/** A stack's synthesized Terraform JSON, parsed. */
export function synthJson(stack: TerraformStack): SynthesizedStack {
  return JSON.parse(Testing.synth(stack)) as SynthesizedStack;
}

export interface SynthesizedStack {
  provider?: { aws?: Record<string, any>[] };
  resource?: Record<string, Record<string, Record<string, any>>>;
  output?: Record<string, { value: unknown; sensitive?: boolean }>;
  terraform?: { backend?: { local?: { path: string } } };
}

/** Resources of one type, by logical ID. */
export function resourcesOf(json: SynthesizedStack, type: string): Record<string, Record<string, any>> {
  return json.resource?.[type] ?? {};
}

/** The single resource of a type whose attribute has a value (throws if not exactly one). */
export function resourceWhere(json: SynthesizedStack, type: string, attribute: string, value: unknown): { id: string; attrs: Record<string, any> } {
  const found = Object.entries(resourcesOf(json, type)).filter(([, attrs]) => attrs[attribute] === value);
  if (found.length !== 1) throw new Error(`expected one ${type} with ${attribute}=${String(value)}, found ${found.length}`);
  return { id: found[0][0], attrs: found[0][1] };
}

/** A Terraform reference to an attribute of a resource, as synthesized (`${type.id.attr}`). */
export function ref(type: string, id: string, attribute: string): string {
  return `\${${type}.${id}.${attribute}}`;
}

/** Parse a policy that the stack passes as a JSON string; fails the test if it is not one. */
export function parsePolicy(json: unknown): PolicyDocument {
  if (typeof json !== 'string') throw new Error(`expected a policy JSON string, got ${typeof json}`);
  return JSON.parse(json) as PolicyDocument;
}

export function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Every statement of every policy in a stack: trust policies and inline/managed policies. */
export function everyPolicyStatement(json: SynthesizedStack): PolicyStatement[] {
  const documents: unknown[] = [];
  for (const [type, resources] of Object.entries(json.resource ?? {})) {
    for (const attrs of Object.values(resources)) {
      if (type === 'aws_iam_role') documents.push(attrs.assume_role_policy);
      if (type === 'aws_iam_role_policy' || type === 'aws_iam_policy') documents.push(attrs.policy);
    }
  }
  return documents.flatMap((d) => parsePolicy(d).Statement);
}

// ---------------------------------------------------------------------------
// The stacks of config/local.json, as the read-only synth assertions share them
// ---------------------------------------------------------------------------

export interface LocalStacks {
  readonly config: SidecarConfig;
  readonly vendorAccount: string;
  readonly customerA: SidecarConfig['customers'][number];
  readonly customerB: SidecarConfig['customers'][number];
  /** The app of config/local.json, synthesized once (per test file) for the read-only assertions. */
  readonly local: SynthesizedApp;
  readonly vendorJson: SynthesizedStack;
  /** By stack name (`customer-a`, ...). */
  readonly customerJson: Record<string, SynthesizedStack>;
  readonly allJson: SynthesizedStack[];
}

export function localStacks(): LocalStacks {
  const config = localConfig();
  const local = synthApp({ config });
  const vendorJson = synthJson(local.vendor);
  const customerJson: Record<string, SynthesizedStack> = Object.fromEntries(local.customers.map((s) => [s.node.id, synthJson(s)]));
  return {
    config,
    vendorAccount: config.vendor.accountId,
    customerA: config.customers.find((c) => c.name === 'customer-a')!,
    customerB: config.customers.find((c) => c.name === 'customer-b')!,
    local, vendorJson, customerJson,
    allJson: [vendorJson, ...Object.values(customerJson)],
  };
}

/** Every statement of every policy attached to a role (inline, managed, attachment), by the role's logical ID. */
export function policiesOfRole(json: SynthesizedStack, roleId: string) {
  const role = resourcesOf(json, 'aws_iam_role')[roleId];
  const byName = ref('aws_iam_role', roleId, 'name');
  const byId = ref('aws_iam_role', roleId, 'id');
  const inline = Object.values(resourcesOf(json, 'aws_iam_role_policy')).filter((p) => p.role === byName || p.role === byId);
  const attachments = Object.values(resourcesOf(json, 'aws_iam_role_policy_attachment')).filter((p) => p.role === byName || p.role === byId);
  return { role, inline, attachments };
}

// ---------------------------------------------------------------------------
// Zip archives
// ---------------------------------------------------------------------------

/** The files of a zip archive, by name. */
export function readZip(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolvePromise, reject) => {
    yauzl.open(file, { lazyEntries: true }, (openError, zip) => {
      if (openError || !zip) return reject(openError ?? new Error(`cannot open ${file}`));
      const files = new Map<string, Buffer>();
      zip.on('error', reject);
      zip.on('end', () => resolvePromise(files));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error(`cannot read ${entry.fileName}`));
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}
