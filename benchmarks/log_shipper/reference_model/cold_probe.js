// One cold start of the reference model in this fresh node process: load the handler module,
// then invoke it once with the event in argv[2]. Prints {"load_ms", "first_ms"} as one JSON line.
'use strict';
const fs = require('fs');
const util = require('util');

const devnull = fs.openSync('/dev/null', 'w');
console.log = (...args) => { fs.writeSync(devnull, util.format(...args) + '\n'); };
const event = JSON.parse(process.argv[2]);
const started = process.hrtime.bigint();
const { handler } = require('./handler');
const loaded = process.hrtime.bigint();
handler(event).then(() => {
  const called = process.hrtime.bigint();
  process.stdout.write(JSON.stringify({ load_ms: Number(loaded - started) / 1e6, first_ms: Number(called - loaded) / 1e6 }) + '\n');
}).catch((error) => { console.error(error); process.exit(1); });
