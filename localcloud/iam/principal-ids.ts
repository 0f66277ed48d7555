// ---------------------------------------------------------------------------
// Principals of a trust policy as IAM stores them: when the policy is saved, each IAM role or user
// ARN under Principal "AWS" becomes that entity's unique ID (AROA... / AIDA...), so a role deleted and
// re-created with the same name is not trusted. When the policy is read back, each ID shows as the
// entity's ARN while it exists, and as the bare ID once it doesn't. Account principals, service
// principals and session ARNs stay as written.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
//
// The rewrite touches only those strings, in place, so the rest of the document (its white space
// and order) reads back exactly as the caller wrote it.
// ---------------------------------------------------------------------------

/** A string value of the document, with where its JSON literal sits in the text. */
interface StringSpan {
  readonly start: number;
  readonly end: number;
  readonly value: string;
}

const IAM_ENTITY_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/;
const UNIQUE_ID = /^(AROA|AIDA)[A-Z0-9]{17}$/;

/**
 * The string values at Statement[(i)].Principal|NotPrincipal.AWS[(j)] of a JSON text that is
 * already known to parse. A small scanner rather than JSON.parse, because it must know positions.
 */
function principalSpans(text: string): StringSpan[] {
  const spans: StringSpan[] = [];
  let pos = 0;
  const ws = () => { while (pos < text.length && ' \t\n\r'.includes(text[pos])) pos++; };
  const readString = (): StringSpan => {
    const start = pos;
    pos++; // opening quote
    while (text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    pos++;
    return { start, end: pos, value: JSON.parse(text.slice(start, pos)) as string };
  };
  // `path` is the chain of object keys above this value (array levels are transparent).
  const value = (path: readonly string[]): void => {
    ws();
    const ch = text[pos];
    if (ch === '"') {
      const span = readString();
      const n = path.length;
      if (n === 3 && path[0] === 'Statement' && (path[1] === 'Principal' || path[1] === 'NotPrincipal') && path[2] === 'AWS') spans.push(span);
      return;
    }
    if (ch === '{') {
      pos++; ws();
      if (text[pos] === '}') { pos++; return; }
      for (;;) {
        ws();
        const key = readString().value;
        ws(); pos++; // colon
        value([...path, key]);
        ws();
        if (text[pos++] === '}') return;
      }
    }
    if (ch === '[') {
      pos++; ws();
      if (text[pos] === ']') { pos++; return; }
      for (;;) {
        value(path);
        ws();
        if (text[pos++] === ']') return;
      }
    }
    // number, true, false, null
    while (pos < text.length && !',}] \t\n\r'.includes(text[pos])) pos++;
  };
  value([]);
  return spans;
}

function rewrite(text: string, replace: (value: string) => string | undefined): string {
  let out = '';
  let last = 0;
  for (const span of principalSpans(text)) {
    const replacement = replace(span.value);
    if (replacement === undefined) continue;
    out += text.slice(last, span.start) + JSON.stringify(replacement);
    last = span.end;
  }
  return out + text.slice(last);
}

/** The document as IAM stores it: role and user ARNs replaced by the unique IDs `idOf` gives. */
export function toStoredPrincipals(text: string, idOf: (arn: string) => string | undefined): string {
  return rewrite(text, (v) => (IAM_ENTITY_ARN.test(v) ? idOf(v) : undefined));
}

/** The document as IAM shows it: unique IDs back to ARNs where `arnOf` still knows the entity. */
export function toShownPrincipals(text: string, arnOf: (uniqueId: string) => string | undefined): string {
  return rewrite(text, (v) => (UNIQUE_ID.test(v) ? arnOf(v) : undefined));
}
