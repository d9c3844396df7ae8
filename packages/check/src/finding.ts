/** What `homelab check` reports: findings, grouped by check, with a severity and a hint. */

/**
 * - `error`: ArgoCD will fail to sync, or will not apply something the repository holds;
 * - `warning`: it may sync, but probably not as intended;
 * - `info`: something the check could not decide (a remote chart may create it, no schema known).
 */
export type Severity = 'error' | 'warning' | 'info';

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** The checks, in the order the report lists them. */
export const CHECKS = ['reachability', 'render', 'schema', 'references', 'projects', 'ordering', 'pod-security', 'chart-values'] as const;
export type CheckName = (typeof CHECKS)[number];

export interface Finding {
  check: CheckName;
  severity: Severity;
  /** Path of the file the finding is about, relative to the checked directory. */
  file: string;
  /** `Kind/namespace/name` (or `Kind/name` for cluster-scoped objects). */
  object: string;
  /** What is wrong, without a trailing period. */
  problem: string;
  /** How to fix it, or why it is only information. */
  hint: string;
}

/** `<severity> <file> <Kind/ns/name>: <problem>. <hint>` */
export function formatFinding(finding: Finding): string {
  return `${finding.severity} ${finding.file} ${finding.object}: ${finding.problem}. ${finding.hint}`;
}

const rank = (severity: Severity) => SEVERITIES.indexOf(severity);

/** Deterministic report order: check, severity, file, object, problem. */
export function sortFindings(findings: Finding[]): Finding[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...findings].sort(
    (a, b) =>
      CHECKS.indexOf(a.check) - CHECKS.indexOf(b.check) ||
      rank(a.severity) - rank(b.severity) ||
      cmp(a.file, b.file) ||
      cmp(a.object, b.object) ||
      cmp(a.problem, b.problem),
  );
}
