'use strict';
// Load time of the package's three node files as Node-RED loads them: for each file of
// package.json's "node-red".nodes, in that order, require() it and call its function with RED
// (what the registry's loader does; the config node's file loads the WASM core and reads its
// scheme table). Each sample is a fresh `node` process; the time is around the three loads only
// (the minimal RED of red-stub.js is required before). As in Node-RED, the runtime is already
// loaded when the nodes load (the child requires `node-red` first): a bare `node` process would
// add Node's own warm-up of its module loader (~6 ms on the first files it requires from disk)
// to whichever file comes first. Median (p10–p90) of the samples, and the fastest sample (on a
// shared machine, the one least disturbed by other processes).

const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { spread } = require('./lib');

const ROOT = path.join(__dirname, '..');
const FILES = Object.values(require('../package.json')['node-red'].nodes).map((f) => path.join(ROOT, f));

const CHILD = `require('node-red');
const { createRED } = require(${JSON.stringify(path.join(__dirname, 'red-stub.js'))});
const { RED } = createRED();
const files = ${JSON.stringify(FILES)};
const ms = [];
const t0 = process.hrtime.bigint();
let t = t0;
for (const f of files) {
    require(f)(RED);
    const t1 = process.hrtime.bigint();
    ms.push(Number(t1 - t) / 1e6);
    t = t1;
}
process.stdout.write(JSON.stringify({ total: Number(t - t0) / 1e6, files: ms }));`;

function sample() {
    for (let attempt = 1; ; attempt++) {
        try {
            return JSON.parse(execFileSync(process.execPath, ['-e', CHILD], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
        } catch (err) {
            // pkg/ is rewritten while `npm run build` runs: wait for it once or twice.
            if (attempt >= 3) throw err;
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
        }
    }
}

function run({ smoke = false } = {}) {
    const n = smoke ? 3 : 21;
    const samples = [];
    for (let i = 0; i < n; i++) samples.push(sample());
    const total = spread(samples.map((s) => s.total));
    const files = {};
    FILES.forEach((f, i) => { files[path.relative(ROOT, f)] = spread(samples.map((s) => s.files[i])); });
    const totals = samples.map((s) => s.total);
    return { samples: n, totalMs: total.median, totalP10: total.p10, totalP90: total.p90, totalMinMs: Math.min(...totals), files, samplesMs: totals };
}

module.exports = { run };
