#!/usr/bin/env node
'use strict';
// `npm run bench` — every figure, measured in ONE run, printed as tables and written to
// bench/results.json. `node bench/run.js --smoke` (or BENCH_SMOKE=1) runs a tiny version in
// seconds: same figures, no meaning as timings (CI runs it so it cannot rot).
// BENCH_ONLY=micro,flow runs only the named sections (the targets of the others show MISSED).
//
// Sections (bench/README.md says what each figure means):
//   size.js        .wasm bytes, npm tarball, first require of the core alone
//   load.js        the three node files loaded as Node-RED loads them
//   micro.js       ns per call: the Tedee key vs crypto.hash / createHash / crypto-js; once-per-
//                  deploy and once-per-exchange work
//   message.js     ns per message of the REAL auth node's input handler, every scheme, vs a
//                  hand-written node
//   flow.js        the auth node in a running Node-RED flow vs a core change node (the floor), a
//                  hand-written crypto.hash node and a function node
//   exchange.js    1000 concurrent messages on a cold cache → exactly 1 exchange
//   verify-memory.js  the verify node's requests/s with the in-memory replay memory
//
// Plug-in sections: every other bench/*.js that exports `run({ smoke })` runs after these (in
// name order) — e.g. bench/verify.js for the Redis store. It may resolve
//   { title, rows: [[header…], [cell…]…], targets: { key: { value, limit, status, text } }, … }
// `rows` is printed as a table (`tables`: several), `targets` join the target table, everything
// goes to the JSON.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
const { spread } = require('./lib');

const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
const outFile = process.env.BENCH_OUT || path.join(__dirname, 'results.json');
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;

if (!global.gc) {
    v8.setFlagsFromString('--expose-gc');
    global.gc = vm.runInNewContext('gc');
}

const BUILTIN = ['size', 'load', 'micro', 'message', 'flow', 'exchange', 'verify-memory'];
const WASM_BYTES_BEFORE = 220924; // pkg/api_auth_core_bg.wasm before this work (opt-level 2, no LTO)

// Targets (sizes: 1 KB = 1000 bytes, the stricter reading). `get` reads the value from the results.
const TARGETS = {
    authStaticVsChange: { max: 1.05, text: 'flow, static: auth node net cost / change node net cost', get: (r) => r.flow && r.flow.ratios.authStaticOverChange.median },
    authTedeeVsHand: { max: 1.0, text: 'flow, Tedee: auth node net / hand-written crypto.hash node net', get: (r) => r.flow && r.flow.ratios.authTedeeOverHandTedee.median },
    authExchangeVsHand: { max: 1.0, text: 'flow, warm token: auth node net / hand-written crypto.hash node net', get: (r) => r.flow && r.flow.ratios.authExchangeOverHandTedee.median },
    tedeeVsHash: { max: 1.0, text: 'Tedee key, the auth node\'s call (fresh-key.js) / crypto.hash one-shot', get: (r) => r.micro && r.micro.tedeeKeyJs.peers.hash && r.micro.tedeeKeyJs.peers.hash.coreOverPeer.median },
    tedeeVsCryptoJs: { min: 6, text: 'Tedee key: crypto-js / the auth node\'s call (speed-up)', get: (r) => r.micro && 1 / r.micro.tedeeKeyJs.peers.cryptoJs.coreOverPeer.median },
    staticAuthWork: { max: 100, text: 'static schemes: auth work per message, ns (worst scheme)', get: (r) => r.message && r.message.staticAuthWorkMaxNs },
    verifyDirect: { min: 20000, text: 'verify node, in memory: checks/s (input handler)', get: (r) => r['verify-memory'] && r['verify-memory'].direct.header.perSec },
    verifyHttp: { min: 20000, text: 'verify node, in memory: requests/s over HTTP', get: (r) => r['verify-memory'] && r['verify-memory'].header.perSec },
    loadMs: { max: 10, text: 'the three node files load in (ms)', get: (r) => r.load && r.load.totalMs },
    tarballBytes: { max: 150000, text: 'npm pack tarball (bytes)', get: (r) => r.size && r.size.tarball.bytes },
    wasmBytes: { max: WASM_BYTES_BEFORE - 1, text: `.wasm (bytes) smaller than before (${WASM_BYTES_BEFORE})`, get: (r) => r.size && r.size.wasmBytes },
    exchangesNightscout: { eq: 1, text: 'cold cache, 1000 msgs: Nightscout exchanges', get: (r) => r.exchange && r.exchange.nightscout.exchanges },
    exchangesTimbr: { eq: 1, text: 'cold cache, 1000 msgs: Timbr exchanges', get: (r) => r.exchange && r.exchange.timbr.exchanges },
    exchangesActyx: { eq: 1, text: 'cold cache, 1000 msgs: Actyx exchanges', get: (r) => r.exchange && r.exchange.actyx.exchanges },
    exchangesOauth2: { eq: 1, text: 'cold cache, 1000 msgs: OAuth 2.0 token requests', get: (r) => r.exchange && r.exchange.oauth2.exchanges },
};

function verdict(t, v) {
    if (typeof v !== 'number' || !Number.isFinite(v)) return 'MISSED';
    if (t.max !== undefined) return v <= t.max ? 'MET' : 'MISSED';
    if (t.min !== undefined) return v >= t.min ? 'MET' : 'MISSED';
    return v === t.eq ? 'MET' : 'MISSED';
}

const fx = (d) => (x) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '-');
const f0 = fx(0);
const f1 = fx(1);
const f2 = fx(2);
/** "median [p10–p90]" */
const fr = (r, d = 2) => (r ? `${fx(d)(r.median)} [${fx(d)(r.p10)}–${fx(d)(r.p90)}]` : '-');

function table(rows) {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
    return rows.map((r, j) => {
        const line = r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
        return j === 0 ? line + '\n' + widths.map((w) => '-'.repeat(w)).join('  ') : line;
    }).join('\n');
}

function cpuModel() {
    try {
        const m = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
        if (m) return m[1].trim();
    } catch (_) { /* not Linux */ }
    return (os.cpus()[0] || {}).model || 'unknown';
}

/** Per-round ratio b/a of two micro rows measured in the same rounds (through a common peer). */
function pairedOver(a, b) {
    const p = a.peers.hash || a.peers.createHash;
    const q = b.peers.hash || b.peers.createHash;
    const x = p.coreOverPeer.samples;
    const y = q.coreOverPeer.samples;
    const r = [];
    for (let i = 0; i < Math.min(x.length, y.length); i++) r.push(y[i] / x[i]);
    return spread(r);
}

function render(r) {
    const out = [];
    const m = r.machine;
    out.push(`node-red-contrib-api-auth bench${r.smoke ? ' (SMOKE: tiny sizes, timings meaningless)' : ''} — Node ${m.node}, ${m.cpus}× ${m.cpu}, load average ${m.loadavg.map(f2).join(' ')} at start, ${r.when}`);
    out.push('Ratios are medians of per-round ratios [p10–p90]; times are medians of rounds, each round the fastest of a few batches.');

    if (r.micro) {
        const t = r.micro.tedeeKey;
        const rows = [['Tedee key, ns per call', 'ns', 'freshKey / this']];
        rows.push(['core: signer.freshKey(ms) (a string from the core)', f0(t.coreNs), '1']);
        const j = r.micro.tedeeKeyJs;
        rows.push(['core: freshKey(signer, ms) of nodes/lib/fresh-key.js (the auth node\'s call)', f0(j.coreNs), fr(pairedOver(t, j))]);
        const names = { hash: 'crypto.hash one-shot', createHash: 'crypto.createHash', cryptoJs: 'crypto-js (Postman)' };
        for (const [k, label] of Object.entries(names)) if (t.peers[k]) rows.push([label, f0(t.peers[k].ns), fr(t.peers[k].coreOverPeer), fr(j.peers[k].coreOverPeer)]);
        rows[0].push('fresh-key.js / this');
        for (const x of rows) while (x.length < rows[0].length) x.push('-');
        out.push('\n' + table(rows));
        const o = [['once per deploy / per exchange, ns', 'core', 'peer', 'peer ns', 'core / peer']];
        const once = { 'timbr Fernet bearer (exchangeRequest)': r.micro.timbrFernetBearer, 'nightscout exchange reply': r.micro.exchangeReply };
        for (const [name, x] of Object.entries(once)) {
            for (const [p, v] of Object.entries(x.peers)) o.push([name, f0(x.coreNs), p, f0(v.ns), fr(v.coreOverPeer)]);
        }
        out.push('\n' + table(o));
    }
    if (r.message) {
        const rows = [['per message, the real auth node (ns)', 'kind', 'auth node', 'hand-written', 'its ns', 'auth / hand']];
        for (const [name, s] of Object.entries(r.message.schemes)) rows.push([name, s.kind, f0(s.authNs), s.peer.replace('bench-', ''), f0(s.peerNs), fr(s.authOverPeer)]);
        out.push('\n' + table(rows));
        const w = [['static auth work per message (ns)', 'ns']];
        for (const [name, s] of Object.entries(r.message.staticAuthWork)) w.push([name, f0(s.ns)]);
        out.push('\n' + table(w));
    }
    if (r.flow) {
        const f = r.flow;
        const labels = {
            none: 'none: src → sink', change: 'change node (constant header)', authStatic: 'api-auth, static (timetagger)', handStatic: 'hand-written, constant header',
            authTedee: 'api-auth, tedee', handTedee: 'hand-written, crypto.hash', functionTedee: 'function node, crypto.hash', authExchange: 'api-auth, nightscout jwt (warm)',
        };
        const rows = [[`flow, ${f.messages} msgs/burst, best of ${f.reps}, ${f.rounds} rounds`, 'µs/msg', 'msgs/s', 'net µs/msg']];
        for (const [k, label] of Object.entries(labels)) if (f.flows[k]) rows.push([label, f2(f.flows[k].usPerMsg), f0(f.flows[k].msgsPerSec), k === 'none' ? '0' : fr(f.flows[k].net)]);
        out.push('\n' + table(rows));
        const rr = [['flow comparisons (per-round ratios)', 'net cost', 'whole flow']];
        rr.push(['api-auth static / change node', fr(f.ratios.authStaticOverChange), fr(f.ratios.authStaticOverChangeTotal)]);
        rr.push(['hand-written static / change node', fr(f.ratios.handStaticOverChange), '-']);
        rr.push(['api-auth tedee / hand-written crypto.hash', fr(f.ratios.authTedeeOverHandTedee), fr(f.ratios.authTedeeOverHandTedeeTotal)]);
        rr.push(['api-auth warm jwt / hand-written crypto.hash', fr(f.ratios.authExchangeOverHandTedee), fr(f.ratios.authExchangeOverHandTedeeTotal)]);
        rr.push(['api-auth tedee / function node', fr(f.ratios.authTedeeOverFunction), '-']);
        rr.push(['hand-written crypto.hash / function node', fr(f.ratios.handTedeeOverFunction), '-']);
        out.push('\n' + table(rr));
    }
    if (r.exchange) {
        const rows = [['cold cache, 1000 concurrent msgs', 'exchanges', 'release all (ms)']];
        for (const [name, x] of Object.entries(r.exchange)) rows.push([name, String(x.exchanges), f1(x.releaseMs)]);
        out.push('\n' + table(rows));
    }
    if (r['verify-memory']) {
        const v = r['verify-memory'];
        const rows = [['verify node, in-memory store', 'requests/s', 'accepted/s']];
        rows.push(['HTTP: http in → http response (no verify: the ceiling)', f0(v.none.perSec), f0(v.none.acceptedPerSec)]);
        rows.push(['HTTP: http in → verify (header token) → http response', f0(v.header.perSec), f0(v.header.acceptedPerSec)]);
        rows.push(['HTTP: http in → verify (tedee, fresh keys) → http response', f0(v.tedee.perSec), f0(v.tedee.acceptedPerSec)]);
        rows.push(['input handler directly: header token', f0(v.direct.header.perSec), f0(v.direct.header.acceptedPerSec)]);
        rows.push(['input handler directly: tedee (one key per simulated ms)', f0(v.direct.tedee.perSec), f0(v.direct.tedee.acceptedPerSec)]);
        out.push('\n' + table(rows) + `\n(HTTP: ${v.header.connections} keep-alive connections from a load generator process)`);
    }
    if (r.load || r.size) {
        const rows = [['start-up and size', 'value']];
        if (r.load) {
            rows.push(['three node files loaded as Node-RED does (ms)', `${f2(r.load.totalMs)} [${f2(r.load.totalP10)}–${f2(r.load.totalP90)}]`]);
            rows.push(['  fastest of the samples (ms)', f2(r.load.totalMinMs)]);
            for (const [f, s] of Object.entries(r.load.files)) rows.push([`  ${f} (ms)`, f2(s.median)]);
        }
        if (r.size) {
            rows.push(['first require of the core alone (ms)', f2(r.size.firstRequire.ms)]);
            rows.push(['.wasm (bytes)', String(r.size.wasmBytes)]);
            rows.push(['npm pack tarball (bytes)', String(r.size.tarball.bytes)]);
            rows.push(['npm pack unpacked (bytes)', String(r.size.tarball.unpackedBytes)]);
        }
        out.push('\n' + table(rows));
    }
    for (const [name, x] of Object.entries(r.plugins)) {
        out.push(`\n${x && x.title ? x.title : name}`);
        const tables = x && Array.isArray(x.tables) ? x.tables : x && Array.isArray(x.rows) && x.rows.length ? [x.rows] : null;
        out.push(tables ? tables.map(table).join('\n\n') : JSON.stringify(x, null, 2));
    }
    const trows = [['target', 'value', 'limit', 'status']];
    const fmtv = (k, v) => (/Bytes$|^exchanges|verify/.test(k) ? f0(v) : f2(v));
    for (const [k, t] of Object.entries(r.targets)) trows.push([t.text, typeof t.value === 'number' ? fmtv(k, t.value) : String(t.value), t.limit, t.status]);
    out.push('\n' + table(trows));
    return out.join('\n');
}

async function main() {
    const t0 = Date.now();
    const log = (s) => process.stderr.write(s + '\n');
    const results = {
        smoke,
        when: new Date().toISOString(),
        machine: { node: process.version, cpus: os.cpus().length, cpu: cpuModel(), platform: `${os.platform()} ${os.arch()}`, loadavg: os.loadavg() },
        plugins: {},
    };
    // Sizes and load time first: they start fresh processes and read pkg/ while nothing else runs.
    for (const name of BUILTIN) {
        if (only && !only.has(name)) continue;
        log(`bench${smoke ? ' (smoke)' : ''}: ${name}…`);
        results[name] = await require('./' + name).run({ smoke });
    }
    const extra = fs.readdirSync(__dirname)
        .filter((f) => f.endsWith('.js') && f !== 'run.js' && !BUILTIN.includes(f.slice(0, -3)))
        .sort();
    for (const f of extra) {
        const name = f.slice(0, -3);
        if (only && !only.has(name)) continue;
        const mod = require('./' + f);
        if (typeof mod.run !== 'function') continue;
        log(`bench: ${name} (plug-in)…`);
        results.plugins[name] = await mod.run({ smoke });
    }

    const targets = {};
    for (const [k, t] of Object.entries(TARGETS)) {
        const limit = t.max !== undefined ? `<= ${t.max}` : t.min !== undefined ? `>= ${t.min}` : `== ${t.eq}`;
        let value;
        try { value = t.get(results); } catch (_) { value = undefined; }
        targets[k] = { value: value === undefined ? null : value, limit, status: verdict(t, value), text: t.text };
    }
    for (const x of Object.values(results.plugins)) {
        if (x && x.targets) Object.assign(targets, x.targets);
    }
    results.targets = targets;
    results.seconds = (Date.now() - t0) / 1000;
    fs.writeFileSync(outFile, JSON.stringify(results, null, 2) + '\n');
    console.log(render(results));
    console.log(`\n(${results.seconds.toFixed(1)} s; JSON: ${path.relative(process.cwd(), outFile) || outFile})`);
}

main().then(() => process.exit(0), (err) => {
    console.error(err && err.stack ? err.stack : err);
    process.exit(1);
});
