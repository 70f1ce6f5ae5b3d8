'use strict';
// Sizes and the core's own start-up: the .wasm bytes, the npm tarball (npm pack --dry-run), and
// the first require() of pkg/api_auth_core.js alone in a fresh node (median of several child
// processes; load.js has the figure that counts: the three node files as Node-RED loads them).

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { spread } = require('./lib');

const ROOT = path.join(__dirname, '..');
const CORE = path.join(ROOT, 'pkg', 'api_auth_core.js');
const WASM = path.join(ROOT, 'pkg', 'api_auth_core_bg.wasm');

const CHILD = `const t0 = process.hrtime.bigint();
const core = require(${JSON.stringify(CORE)});
const t1 = process.hrtime.bigint();
if (typeof core.Signer !== 'function') throw new Error('no Signer');
process.stdout.write(String(Number(t1 - t0) / 1e6));`;

function firstRequire(runs) {
    const ms = [];
    for (let i = 0; i < runs; i++) {
        let out;
        for (let attempt = 1; ; attempt++) {
            try {
                out = execFileSync(process.execPath, ['-e', CHILD], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
                break;
            } catch (err) {
                // pkg/ is rewritten while `npm run build` runs: wait for it once or twice.
                if (attempt >= 3) throw err;
                Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
            }
        }
        const v = Number(out.trim());
        if (!Number.isFinite(v)) throw new Error('first require: child printed ' + JSON.stringify(out));
        ms.push(v);
    }
    const s = spread(ms);
    return { ms: s.median, p10: s.p10, p90: s.p90, samplesMs: ms };
}

function tarball() {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const out = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const info = JSON.parse(out.slice(out.indexOf('[')))[0];
    return { bytes: info.size, unpackedBytes: info.unpackedSize, files: info.entryCount };
}

function run({ smoke = false } = {}) {
    return {
        firstRequire: firstRequire(smoke ? 3 : 11),
        wasmBytes: fs.statSync(WASM).size,
        tarball: tarball(),
    };
}

module.exports = { run };
