// Runs the reference model over a file of direct {"awslogs": ...} events, one invocation at a
// time as Lambda would, and prints {"events", "seconds"} as JSON.
'use strict';
const fs = require('fs');
const { handler } = require('./handler');

async function main() {
  const events = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  let shipped = 0;
  const started = process.hrtime.bigint();
  for (const event of events) shipped += (await handler(event)).shipped;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ events: shipped, seconds }) + '\n');
}

main().catch((error) => { console.error(error); process.exit(1); });
