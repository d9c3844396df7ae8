// Preloaded (node --import) into every process the bench times: at exit it writes the process's
// CPU time (user + system, all threads) and peak RSS as JSON to the file named by
// HOMELAB_BENCH_USAGE. Node offers no rusage of a finished child, so the child reports its own.
import { writeFileSync } from 'node:fs';

const file = process.env.HOMELAB_BENCH_USAGE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssKb: usage.maxRSS }));
  });
}
