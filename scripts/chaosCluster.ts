// `npm run chaos:cluster`: the long cluster-chaos run (test/chaos/clusterChaosRun.ts) — three nodes on one
// PostgreSQL for 5 minutes by default, with 16 SIGKILLs of random nodes, a SIGSTOP of the workspace's owner past
// the lease TTL and a PostgreSQL restart — printing the counts. Exits non-zero if any invariant broke.
// Usage: node --import tsx scripts/chaosCluster.ts [kills=16] [seconds=300]
import { clusterChaosFailures, clusterChaosSummary, runClusterChaos } from '../test/chaos/clusterChaosRun.ts';

delete process.env.SWITCHBOARD_ACCOUNT_SID;
delete process.env.SWITCHBOARD_AUTH_TOKEN;
const [kills = 16, seconds = 300] = process.argv.slice(2).map(Number);
const c = await runClusterChaos({ kills, seconds, log: (line) => console.log(line) });
console.log(clusterChaosSummary(c));
for (const p of c.problems) console.log(`  ${p}`);
process.exit(Object.values(clusterChaosFailures(c)).every((n) => n === 0) ? 0 : 1);
