// ---------------------------------------------------------------------------
// Reading the customer kit back with concrete values, the way CloudFormation and Terraform would:
// a tiny evaluator of the intrinsic functions the template uses (Ref, Fn::Sub, Fn::If, Fn::Not,
// Fn::Equals) and of the Terraform references the module's locals use ("${var.x}", "${local.x}",
// a template with interpolations). Only what the kit uses; anything else fails the test loudly.
// ---------------------------------------------------------------------------

export type ParameterValue = string | string[];

/** Evaluate a CloudFormation value with these parameters (lists for CommaDelimitedList). */
export function evaluateCfn(node: unknown, params: Readonly<Record<string, ParameterValue>>, conditions: Readonly<Record<string, unknown>> = {}): unknown {
  const ev = (n: unknown): unknown => evaluateCfn(n, params, conditions);
  if (Array.isArray(node)) return node.map(ev);
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node);
  if (entries.length === 1) {
    const [key, arg] = entries[0];
    if (key === 'Ref') {
      if (!(String(arg) in params)) throw new Error(`Ref to unknown parameter ${String(arg)}`);
      return params[arg as string];
    }
    if (key === 'Fn::Sub') {
      return String(arg).replace(/\$\{(!?)([\w:]+)\}/g, (_, bang: string, name: string) => {
        if (bang) return `\${${name}}`;
        const v = params[name];
        if (typeof v !== 'string') throw new Error(`Fn::Sub of ${name}, which is not a string parameter`);
        return v;
      });
    }
    if (key === 'Fn::If') {
      const [name, a, b] = arg as [string, unknown, unknown];
      if (!(name in conditions)) throw new Error(`Fn::If on unknown condition ${name}`);
      return ev(conditions[name]) ? ev(a) : ev(b);
    }
    if (key === 'Fn::Not') return !ev((arg as unknown[])[0]);
    if (key === 'Fn::Equals') return JSON.stringify(ev((arg as unknown[])[0])) === JSON.stringify(ev((arg as unknown[])[1]));
    if (key.startsWith('Fn::')) throw new Error(`intrinsic ${key} is not evaluated here`);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, ev(v)]));
}

/** Evaluate a Terraform JSON-syntax value with these variables and locals. */
export function evaluateTf(node: unknown, scope: { var: Readonly<Record<string, unknown>>; local: Readonly<Record<string, unknown>> }): unknown {
  const lookup = (expr: string): unknown => {
    const m = /^(var|local)\.(\w+)$/.exec(expr.trim());
    if (!m) throw new Error(`expression "${expr}" is not evaluated here`);
    const table = scope[m[1] as 'var' | 'local'];
    if (!(m[2] in table)) throw new Error(`unknown ${m[1]}.${m[2]}`);
    return table[m[2]];
  };
  if (Array.isArray(node)) return node.map((n) => evaluateTf(n, scope));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, evaluateTf(v, scope)]));
  if (typeof node !== 'string') return node;
  const whole = /^\$\{([^}]*)\}$/.exec(node);
  if (whole) return lookup(whole[1]); // one interpolation: the value itself, a list stays a list
  return node.replace(/(\$?)\$\{([^}]*)\}/g, (all, escaped: string, expr: string) => (escaped ? all.slice(1) : String(lookup(expr))));
}

/** A policy with every one-element list written as its element: the same policy to IAM. */
export function normalizePolicy(doc: unknown): unknown {
  if (Array.isArray(doc)) {
    if (doc.length === 1 && typeof doc[0] === 'string') return doc[0];
    return doc.map(normalizePolicy);
  }
  if (doc && typeof doc === 'object') return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, normalizePolicy(v)]));
  return doc;
}
