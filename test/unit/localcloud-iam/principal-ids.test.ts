// ---------------------------------------------------------------------------
// Trust-policy principals stored as unique IDs and shown as ARNs (IAM User Guide, "AWS JSON policy
// elements: Principal", IAM role principals): only Principal/NotPrincipal "AWS" role and user ARNs
// change, in place, and the rest of the text reads back byte for byte.
// ---------------------------------------------------------------------------
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
