// `npm run chaos`: the long crash-chaos run — 20 SIGKILLs in 2 minutes of mixed load by default — printing
// the counts. Exits non-zero if any invariant broke. Usage: node --import tsx scripts/chaos.ts [kills] [seconds]
import { runChaos } from '../test/chaos/chaosRun.ts';

delete process.env.SWITCHBOARD_ACCOUNT_SID;
delete process.env.SWITCHBOARD_AUTH_TOKEN;
const [kills = 20, seconds = 120] = process.argv.slice(2).map(Number);
const c = await runChaos({ kills, seconds, log: (line) => console.log(line) });
console.log(
  `chaos: kills survived ${c.kills}, requests sent ${c.requests}, acknowledged ${c.acknowledged}, 5xx ${c.status5xx}, ` +
    `lost ${c.lost}, double assignments ${c.double}, capacity violations ${c.capacity}, status mismatches ${c.mismatch}, ` +
    `overdue timers ${c.overdue}, tasks without task.created ${c.eventless}, ` +
    `event callbacks ${c.callbacks} (events undelivered or out of order: ${c.undelivered})`,
);
for (const p of c.problems) console.log(`  ${p}`);
process.exit(c.status5xx + c.lost + c.double + c.capacity + c.mismatch + c.overdue + c.eventless + c.undelivered === 0 ? 0 : 1);
