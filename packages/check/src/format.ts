/** Report output: grouped text (one line per finding) or JSON. */
import type { CheckReport } from './check.js';
import { CHECKS, formatFinding, SEVERITIES, type Severity } from './finding.js';

export function countBySeverity(report: CheckReport): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const finding of report.findings) counts[finding.severity]++;
  return counts;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

function summary(counts: Record<Severity, number>): string {
  return [plural(counts.error, 'error'), plural(counts.warning, 'warning'), `${counts.info} info`].join(', ');
}

/** Findings grouped by check, each group headed by its counts; then a summary line. */
export function formatText(report: CheckReport): string[] {
  const lines: string[] = [];
  for (const check of CHECKS) {
    const findings = report.findings.filter((finding) => finding.check === check);
    if (findings.length === 0) continue;
    const counts = SEVERITIES.map((severity) => [severity, findings.filter((finding) => finding.severity === severity).length] as const)
      .filter(([, count]) => count > 0)
      .map(([severity, count]) => (severity === 'info' ? `${count} info` : plural(count, severity)));
    lines.push(`${check}: ${counts.join(', ')}`);
    for (const finding of findings) lines.push(`  ${formatFinding(finding)}`);
  }
  const counts = countBySeverity(report);
  const { stats } = report;
  const scope = `${plural(stats.reachedApplications, 'Application')} reached of ${stats.applications}, ${plural(stats.appliedObjects, 'object')} applied, ${plural(stats.objectFiles, 'manifest file')} among ${plural(stats.files, 'file')} read`;
  lines.push(`${counts.error > 0 ? '✖' : '✔'} ${summary(counts)} (${scope})`);
  return lines;
}

export function formatJson(report: CheckReport): string {
  return JSON.stringify({ dir: report.dir, summary: countBySeverity(report), stats: report.stats, findings: report.findings }, null, 2);
}
