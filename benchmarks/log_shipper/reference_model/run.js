// A warm worker for the benchmark: for each line "run <events file>" on stdin it invokes the
// reference model once per direct {"awslogs": ...} event in the file, one at a time as Lambda
// would, and answers {"events", "seconds", "cpu_seconds"} as one JSON line (cpu_seconds: this
// process's user + system time). The model's own log lines go to
// /dev/null, as the Python side's do.
'use strict';
const fs = require('fs');
const readline = require('readline');
const util = require('util');

const devnull = fs.openSync('/dev/null', 'w');
console.log = (...args) => { fs.writeSync(devnull, util.format(...args) + '\n'); };
const { handler } = require('./handler');

async function run(path) {
  const events = JSON.parse(fs.readFileSync(path, 'utf8'));
  let shipped = 0;
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (const event of events) shipped += (await handler(event)).shipped;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  process.stdout.write(JSON.stringify({ events: shipped, seconds, cpu_seconds: (used.user + used.system) / 1e6 }) + '\n');
}

const lines = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on('line', (line) => {
  const [command, path] = line.trim().split(' ');
  if (command !== 'run') return;
  queue = queue.then(() => run(path)).catch((error) => { console.error(error); process.exit(1); });
});
