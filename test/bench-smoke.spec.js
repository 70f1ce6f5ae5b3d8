'use strict';
// The benchmark is not a test, but it must not rot: run its smoke version as a child process and
// check that it ran and produced every figure. No timing assertions.
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

describe('bench (smoke)', function () {
    this.timeout(120000);
    let results;
    let stdout;
    const out = path.join(os.tmpdir(), `bench-smoke-${process.pid}.json`);

    before(function () {
        stdout = execFileSync(process.execPath, [path.join(__dirname, '..', 'bench', 'run.js'), '--smoke'], {
            encoding: 'utf8', env: { ...process.env, BENCH_OUT: out }, stdio: ['ignore', 'pipe', 'pipe'],
        });
        results = JSON.parse(fs.readFileSync(out, 'utf8'));
        fs.unlinkSync(out);
    });

    const finite = (v, what) => assert.ok(typeof v === 'number' && Number.isFinite(v) && v > 0, `${what}: ${v}`);

    it('prints the table with a MET/MISSED column', function () {
        assert.match(stdout, /ns per call/);
        assert.match(stdout, /\b(MET|MISSED)\b/);
        assert.strictEqual(results.smoke, true);
    });

    it('ns per call for every figure and peer, with ratios', function () {
        const rows = {
            'tedee key (Signer.freshKey)': ['nodeCryptoNs', 'cryptoJsNs'],
            'tedee key (tedeeApiKey)': ['nodeCryptoNs', 'cryptoJsNs'],
            'nightscout secret hash': ['nodeCryptoNs', 'cryptoJsNs'],
            'timbr fernet bearer': ['nodeCryptoNs', 'cryptoJsNs', 'npmFernetNs'],
        };
        for (const s of ['timetagger authtoken', 'timbr token', 'timbr exchange', 'nightscout secret', 'nightscout token query',
            'nightscout jwt', 'tedee encrypted', 'tedee encrypted query', 'actyx header', 'header']) rows['build: ' + s] = ['nodeCryptoNs'];
        for (const [name, peers] of Object.entries(rows)) {
            const r = results.perCall[name];
            assert.ok(r, 'missing row ' + name);
            finite(r.wasmNs, name + ' wasmNs');
            finite(r.wasmOverNodeCrypto, name + ' ratio');
            for (const p of peers) finite(r[p], `${name} ${p}`);
            if (r.cryptoJsNs !== null) finite(r.cryptoJsOverWasm, name + ' cryptoJsOverWasm');
        }
    });

    it('the flow figures: auth, function node, no signing', function () {
        for (const k of ['auth', 'function', 'none']) {
            finite(results.flow[k].usPerMsg, k + ' usPerMsg');
            finite(results.flow[k].msgsPerSec, k + ' msgsPerSec');
        }
        finite(results.flow.ratioAuthToFunction, 'ratio');
    });

    it('cold-cache exchange: exactly one exchange for 1000 messages, against both fakes', function () {
        for (const k of ['nightscout', 'actyx']) {
            assert.strictEqual(results.exchange[k].messages, 1000);
            assert.strictEqual(results.exchange[k].exchanges, 1, k);
            finite(results.exchange[k].releaseMs, k + ' releaseMs');
        }
    });

    it('the verify node: per request with the memory and the Redis store, requests/s across 3 instances', function () {
        assert.strictEqual(results.verify.skipped, null, 'redis-server is installed in CI (.ci/install-redis.sh)');
        for (const k of ['none', 'memory', 'redis']) {
            finite(results.verify.perRequest[k].burstUsPerMsg, k + ' burstUsPerMsg');
            finite(results.verify.perRequest[k].sequentialUsPerMsg, k + ' sequentialUsPerMsg');
        }
        for (const k of ['redis3', 'redis1', 'memory1']) finite(results.verify.throughput[k].perSec, k + ' perSec');
        assert.match(stdout, /3 instances, one Redis/);
    });

    it('start-up and sizes, and a status for every target', function () {
        finite(results.startup.firstRequireMs, 'firstRequireMs');
        finite(results.startup.wasmBytes, 'wasmBytes');
        finite(results.startup.tarball.bytes, 'tarball');
        const keys = ['tedeeVsNodeCrypto', 'tedeeSpeedupVsCryptoJs', 'authVsFunction', 'exchangesNightscout', 'exchangesActyx', 'wasmBytes', 'firstRequireMs', 'tarballBytes'];
        for (const k of keys) {
            assert.ok(results.targets[k], 'missing target ' + k);
            finite(results.targets[k].value, k);
            assert.ok(['MET', 'MISSED'].includes(results.targets[k].status), k);
        }
    });
});
