#!/usr/bin/env node
'use strict';
// `npm run bench` — every figure of issue #6, measured in ONE run, printed as a table and
// written to bench/results.json. `node bench/run.js --smoke` (or BENCH_SMOKE=1) runs a tiny
// version in a few seconds: same figures, no meaning as timings (CI runs it so it cannot rot).
//
// Sections: micro.js (ns per call vs node:crypto / crypto-js / npm fernet), flow.js (the auth
// node in a running flow), exchange.js (cold-cache single flight), size.js (start-up, sizes),
// verify.js (the verify node with its replay memory in this Node-RED and in Redis).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
const outFile = process.env.BENCH_OUT || path.join(__dirname, 'results.json');

if (!global.gc) {
    v8.setFlagsFromString('--expose-gc');
    global.gc = vm.runInNewContext('gc');
}

// Targets of issue #6 (sizes in bytes: 1 KB = 1000 bytes, the stricter reading).
const TARGETS = {
    tedeeVsNodeCrypto: { max: 0.8, text: 'Tedee key: WASM time / node:crypto time <= 0.8' },
    tedeeSpeedupVsCryptoJs: { min: 4, text: 'Tedee key: crypto-js time / WASM time >= 4' },
    authVsFunction: { max: 1.1, text: 'auth node µs/msg / function node µs/msg <= 1.1' },
    exchangesNightscout: { eq: 1, text: 'cold cache, 1000 msgs: Nightscout exchanges == 1' },
    exchangesActyx: { eq: 1, text: 'cold cache, 1000 msgs: Actyx exchanges == 1' },
    wasmBytes: { max: 100000, text: '.wasm size <= 100 KB' },
    firstRequireMs: { max: 10, text: 'first require of the core <= 10 ms' },
    tarballBytes: { max: 150000, text: 'npm pack tarball <= 150 KB' },
};

function verdict(t, v) {
    if (!Number.isFinite(v)) return 'MISSED';
    if (t.max !== undefined) return v <= t.max ? 'MET' : 'MISSED';
    if (t.min !== undefined) return v >= t.min ? 'MET' : 'MISSED';
    return v === t.eq ? 'MET' : 'MISSED';
}

const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');

function table(rows) {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
    return rows.map((r, j) => {
        const line = r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
        return j === 0 ? line + '\n' + widths.map((w) => '-'.repeat(w)).join('  ') : line;
    }).join('\n');
}

async function main() {
    const t0 = Date.now();
    const log = (s) => process.stderr.write(s + '\n');
    // Start-up and sizes first: cheap, and they read pkg/ while nothing else of ours runs.
    log(`bench${smoke ? ' (smoke)' : ''}: start-up and sizes…`);
    const size = require('./size').run({ smoke });
    log('bench: micro benchmarks…');
    const micro = require('./micro').run({ smoke });
    log('bench: auth node in a running flow…');
    const flow = await require('./flow').run({ smoke });
    log('bench: cold-cache exchange…');
    const exchange = await require('./exchange').run({ smoke });
    log('bench: verify node, memory and Redis…');
    const verify = await require('./verify').run({ smoke });

    // ---- figures and ratios -------------------------------------------------------------------
    const perCall = {};
    const addRow = (name, r) => {
        const w = r.wasm.ns;
        perCall[name] = {
            wasmNs: w,
            nodeCryptoNs: r.nodeCrypto ? r.nodeCrypto.ns : null,
            cryptoJsNs: r.cryptoJs ? r.cryptoJs.ns : null,
            npmFernetNs: r.npmFernet ? r.npmFernet.ns : null,
            wasmOverNodeCrypto: r.nodeCrypto ? w / r.nodeCrypto.ns : null,
            cryptoJsOverWasm: r.cryptoJs ? r.cryptoJs.ns / w : null,
            npmFernetOverWasm: r.npmFernet ? r.npmFernet.ns / w : null,
        };
    };
    addRow('tedee key (Signer.freshKey)', micro.tedeeKey);
    addRow('tedee key (tedeeApiKey)', { ...micro.tedeeKey, wasm: micro.tedeeKey.wasmTedeeApiKey });
    addRow('nightscout secret hash', micro.nightscoutSecretHash);
    addRow('timbr fernet bearer', micro.timbrFernetBearer);
    for (const [scheme, r] of Object.entries(micro.build)) addRow(`build: ${scheme}`, r);

    const tedee = perCall['tedee key (Signer.freshKey)'];
    const values = {
        tedeeVsNodeCrypto: tedee.wasmOverNodeCrypto,
        tedeeSpeedupVsCryptoJs: tedee.cryptoJsOverWasm,
        authVsFunction: flow.ratioAuthToFunction,
        exchangesNightscout: exchange.nightscout.exchanges,
        exchangesActyx: exchange.actyx.exchanges,
        wasmBytes: size.wasmBytes,
        firstRequireMs: size.firstRequire.ms,
        tarballBytes: size.tarball.bytes,
    };
    const targets = {};
    for (const [k, t] of Object.entries(TARGETS)) {
        const limit = t.max !== undefined ? `<= ${t.max}` : t.min !== undefined ? `>= ${t.min}` : `== ${t.eq}`;
        targets[k] = { value: values[k], limit, status: verdict(t, values[k]), text: t.text };
    }

    const results = {
        smoke,
        when: new Date().toISOString(),
        machine: { node: process.version, cpus: os.cpus().length, cpu: (os.cpus()[0] || {}).model, platform: `${os.platform()} ${os.arch()}` },
        perCall,
        flow: {
            messages: flow.messages, rounds: flow.rounds,
            auth: flow.auth, function: flow.function, none: flow.none,
            ratioAuthToFunction: flow.ratioAuthToFunction, authNetUs: flow.authNetUs, functionNetUs: flow.functionNetUs,
        },
        exchange,
        startup: { firstRequireMs: size.firstRequire.ms, firstRequireSamplesMs: size.firstRequire.samplesMs, wasmBytes: size.wasmBytes, tarball: size.tarball },
        targets,
        verify,
        seconds: (Date.now() - t0) / 1000,
    };
    fs.writeFileSync(outFile, JSON.stringify(results, null, 2) + '\n');

    // ---- the table ----------------------------------------------------------------------------
    const rows = [['ns per call (median)', 'WASM', 'node:crypto', 'crypto-js', 'npm fernet', 'WASM/node', 'cjs/WASM', 'fernet/WASM']];
    for (const [name, r] of Object.entries(perCall)) {
        rows.push([name, f0(r.wasmNs), f0(r.nodeCryptoNs), f0(r.cryptoJsNs), f0(r.npmFernetNs), f2(r.wasmOverNodeCrypto), f1(r.cryptoJsOverWasm), f1(r.npmFernetOverWasm)]);
    }
    const frows = [['flow, tedee, ' + flow.messages + ' msgs/burst', 'µs/msg', 'msgs/s', 'net µs/msg', 'vs function']];
    frows.push(['api-auth → sink', f2(flow.auth.usPerMsg), f0(flow.auth.msgsPerSec), f2(flow.authNetUs), f2(flow.ratioAuthToFunction)]);
    frows.push(['function (node:crypto) → sink', f2(flow.function.usPerMsg), f0(flow.function.msgsPerSec), f2(flow.functionNetUs), '1.00']);
    frows.push(['no signing (src → sink)', f2(flow.none.usPerMsg), f0(flow.none.msgsPerSec), '0.00', f2(flow.none.usPerMsg / flow.function.usPerMsg)]);
    const xrows = [['cold cache, 1000 concurrent msgs', 'exchanges', 'release all (ms)']];
    for (const [name, r] of Object.entries(exchange)) xrows.push([name, String(r.exchanges), f1(r.releaseMs)]);
    const srows = [['start-up and size', 'value']];
    srows.push(['first require (ms, median)', f2(size.firstRequire.ms)]);
    srows.push(['.wasm (bytes)', String(size.wasmBytes)]);
    srows.push(['npm pack tarball (bytes)', String(size.tarball.bytes)]);
    srows.push(['npm pack unpacked (bytes)', String(size.tarball.unpackedBytes)]);
    const trows = [['target', 'value', 'limit', 'status']];
    const fmtv = (k, v) => (/Bytes$|^exchanges/.test(k) ? String(v) : f2(v));
    for (const [k, t] of Object.entries(targets)) trows.push([t.text, fmtv(k, t.value), t.limit, t.status]);

    const m = results.machine;
    console.log(`node-red-contrib-api-auth bench${smoke ? ' (SMOKE: tiny sizes, timings meaningless)' : ''} — ${m.node}, ${m.cpus}× ${m.cpu}, ${results.when}`);
    console.log('\n' + table(rows));
    console.log('\n' + table(frows));
    console.log('\n' + table(xrows));
    console.log('\n' + table(srows));
    for (const rows of require('./verify').table(verify)) console.log('\n' + table(rows));
    console.log('\n' + table(trows));
    console.log(`\n(${results.seconds.toFixed(1)} s; JSON: ${path.relative(process.cwd(), outFile) || outFile})`);
}

main().catch((err) => {
    console.error(err && err.stack ? err.stack : err);
    process.exit(1);
});
