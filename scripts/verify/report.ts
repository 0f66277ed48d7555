// ---------------------------------------------------------------------------
// verify's text output: one block per diagnosis, the verdict code in brackets so that a person can
// search for it and a script can match it, then what was found, what to change, and each check.
// ---------------------------------------------------------------------------
import type { Diagnosis } from './verdicts';

export function formatDiagnosis(d: Diagnosis): string {
  const head = `${d.verdict === 'ok' ? 'OK  ' : 'FAIL'} ${d.subject} [${d.verdict}]: ${d.summary}\n     -> ${d.fix}\n`;
  const failingDetails = (d.details ?? []).length > 1 || d.verdict === 'ok' ? d.details ?? [] : [];
  return head + failingDetails.map((x) => `     ${x.verdict === 'ok' ? 'ok  ' : 'fail'} ${x.subject} [${x.verdict}]: ${x.summary}\n`).join('');
}
