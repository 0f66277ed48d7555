// ---------------------------------------------------------------------------
// Trust-policy principals stored as unique IDs and shown as ARNs (IAM User Guide, "AWS JSON policy
// elements: Principal", IAM role principals): only Principal/NotPrincipal "AWS" role and user ARNs
// change, in place, and the rest of the text reads back byte for byte.
// ---------------------------------------------------------------------------
import fc from 'fast-check';
import { toShownPrincipals, toStoredPrincipals } from '../../../localcloud/iam/principal-ids';

const ROLE = 'arn:aws:iam::111122223333:role/path/app';
const USER = 'arn:aws:iam::111122223333:user/alice';
const ROLE_ID = 'AROAAAAAAAAAAAAAAAAAA';
const USER_ID = 'AIDACCCCCCCCCCCCCCCCC';
const ids: Record<string, string> = { [ROLE]: ROLE_ID, [USER]: USER_ID };
const arns: Record<string, string> = { [ROLE_ID]: ROLE, [USER_ID]: USER };

const written = `{
  "Version": "2012-10-17",
  "Statement": [
    { "Sid": "Roles",  "Effect": "Allow", "Principal": { "AWS": [ "${ROLE}", "111122223333", "arn:aws:iam::111122223333:root" ] }, "Action": "sts:AssumeRole",
      "Condition": { "ArnEquals": { "aws:PrincipalArn": "${ROLE}" } } },
    { "Effect": "Allow", "Principal": { "AWS": "${USER}", "Service": "lambda.amazonaws.com" }, "Action": ["sts:AssumeRole", "sts:TagSession"] },
    { "Effect": "Allow", "Principal": { "AWS": "arn:aws:sts::111122223333:assumed-role/app/s" }, "Action": "sts:AssumeRole" }
  ]
}`;

test('storing replaces role and user ARNs under Principal.AWS only, keeping the layout', () => {
  const stored = toStoredPrincipals(written, (arn) => ids[arn]);
  expect(stored).toBe(written.replace(`[ "${ROLE}"`, `[ "${ROLE_ID}"`).replace(`"AWS": "${USER}"`, `"AWS": "${USER_ID}"`));
  expect(stored).toContain(`"aws:PrincipalArn": "${ROLE}"`); // conditions keep the ARN
  expect(JSON.parse(stored).Statement[2].Principal.AWS).toBe('arn:aws:sts::111122223333:assumed-role/app/s');
});

test('showing gives back exactly what was written while the principals exist', () => {
  const stored = toStoredPrincipals(written, (arn) => ids[arn]);
  expect(toShownPrincipals(stored, (id) => arns[id])).toBe(written);
});

test('a principal that no longer exists shows as its bare unique ID', () => {
  const stored = toStoredPrincipals(written, (arn) => ids[arn]);
  const shown = toShownPrincipals(stored, (id) => (id === USER_ID ? USER : undefined));
  expect(JSON.parse(shown).Statement[0].Principal.AWS[0]).toBe(ROLE_ID);
  expect(JSON.parse(shown).Statement[1].Principal.AWS).toBe(USER);
});

test('a single statement object (not a list), and escaped characters, are handled', () => {
  const single = `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role\\/path\\/app"},"Action":"sts:AssumeRole"}}`;
  const stored = toStoredPrincipals(single, (arn) => ids[arn]);
  expect(JSON.parse(stored).Statement.Principal.AWS).toBe(ROLE_ID);
  expect(JSON.parse(toShownPrincipals(stored, (id) => arns[id])).Statement.Principal.AWS).toBe(ROLE);
});

// Property: whatever the layout and whichever entries are roles, users, accounts or services,
// storing then showing (every principal still there) gives back the exact text, and storing
// touches nothing but the role and user ARNs.

test('property: store then show is the identity on the text while the principals exist', () => {
  const entry = fc.oneof(fc.constant(ROLE), fc.constant(USER), fc.constant('111122223333'), fc.constant('arn:aws:iam::111122223333:root'), fc.constant('*'));
  const statement = fc.record({
    Effect: fc.constantFrom('Allow', 'Deny'),
    Principal: fc.record({ AWS: fc.oneof(entry, fc.array(entry, { minLength: 1, maxLength: 4 })) }),
    Action: fc.constant('sts:AssumeRole'),
    Condition: fc.option(fc.record({ StringEquals: fc.record({ 'aws:PrincipalArn': entry }) }), { nil: undefined }),
  });
  const documents = fc.record({ Version: fc.constant('2012-10-17'), Statement: fc.array(statement, { minLength: 1, maxLength: 4 }) });
  fc.assert(
    fc.property(documents, fc.constantFrom(0, 1, 2, '\t'), (doc, indent) => {
      const text = JSON.stringify(doc, null, indent);
      const stored = toStoredPrincipals(text, (arn) => ids[arn]);
      expect(toShownPrincipals(stored, (id) => arns[id])).toBe(text);
      const parsed = JSON.parse(stored) as typeof doc;
      parsed.Statement.forEach((s, i) => {
        expect(s.Condition).toEqual(doc.Statement[i].Condition);
        const before = ([] as string[]).concat(doc.Statement[i].Principal.AWS);
        const after = ([] as string[]).concat(s.Principal.AWS);
        expect(after).toEqual(before.map((v) => ids[v] ?? v));
      });
    }),
    { numRuns: 300 },
  );
});
