'use strict';
// The benchmark is not a test, but it must not rot: run its smoke version as a child process and
// check that it ran and produced every figure. No timing assertions.
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

describe('bench (smoke)', function () {
    this.timeout(180000);
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
    const ratio = (r, what) => { finite(r.median, what + ' median'); finite(r.p10, what + ' p10'); finite(r.p90, what + ' p90'); };

    it('prints the tables with a MET/MISSED column and the CPU', function () {
        assert.match(stdout, /Tedee key, ns per call/);
        assert.match(stdout, /\b(MET|MISSED)\b/);
        assert.strictEqual(results.smoke, true);
        assert.ok(results.machine.cpu, 'cpu model');
    });

    it('the Tedee key against crypto.hash, createHash and crypto-js, as per-round ratios', function () {
        const t = results.micro.tedeeKey;
        finite(t.coreNs, 'freshKey ns');
        for (const p of ['createHash', 'cryptoJs'].concat(results.micro.hasCryptoHash ? ['hash'] : [])) {
            finite(t.peers[p].ns, p);
            ratio(t.peers[p].coreOverPeer, 'freshKey/' + p);
        }
        for (const k of ['timbrFernetBearer', 'exchangeReply']) finite(results.micro[k].coreNs, k);
    });

    it('per message, the real auth node for every scheme, against a hand-written node', function () {
        const names = ['timetagger authtoken', 'timbr token', 'nightscout secret', 'nightscout token (query)', 'header',
            'tedee encrypted', 'tedee encrypted (query)', 'nightscout jwt (warm)', 'timbr exchange (warm)', 'actyx (warm)'];
        for (const name of names) {
            const s = results.message.schemes[name];
            assert.ok(s, 'missing scheme ' + name);
            finite(s.authNs, name + ' authNs');
            finite(s.peerNs, name + ' peerNs');
            ratio(s.authOverPeer, name);
            if (s.kind === 'exchange') assert.strictEqual(s.exchanges, 1, name + ': the warm cache made one exchange');
        }
        assert.ok(Number.isFinite(results.message.staticAuthWorkMaxNs));
    });

    it('the flow figures: auth node, change node, hand-written node, function node, none', function () {
        for (const k of ['none', 'change', 'authStatic', 'handStatic', 'authTedee', 'handTedee', 'functionTedee', 'authExchange']) {
            finite(results.flow.flows[k].usPerMsg, k + ' usPerMsg');
        }
        for (const k of ['authStaticOverChange', 'authTedeeOverHandTedee', 'authExchangeOverHandTedee']) {
            assert.ok(Number.isFinite(results.flow.ratios[k].median), k);
        }
    });

    it('cold-cache exchange: exactly one exchange for 1000 messages, for every exchange scheme (fakes, and the real OAuth 2.0 server)', function () {
        for (const k of ['nightscout', 'timbr', 'actyx', 'oauth2']) {
            assert.strictEqual(results.exchange[k].messages, 1000);
            assert.strictEqual(results.exchange[k].exchanges, 1, k);
            finite(results.exchange[k].releaseMs, k + ' releaseMs');
        }
    });

    it('the verify node: per request with the memory and the Redis store, requests/s across 3 instances', function () {
        assert.strictEqual(results.plugins.verify.skipped, null, 'redis-server is installed in CI (.ci/install-redis.sh)');
        for (const k of ['none', 'memory', 'redis']) {
            finite(results.plugins.verify.perRequest[k].burstUsPerMsg, k + ' burstUsPerMsg');
            finite(results.plugins.verify.perRequest[k].sequentialUsPerMsg, k + ' sequentialUsPerMsg');
        }
        for (const k of ['redis3', 'redis1', 'memory1']) finite(results.plugins.verify.throughput[k].perSec, k + ' perSec');
        assert.match(stdout, /3 instances, one Redis/);
    });

    it('the verify node in memory: over HTTP and its input handler', function () {
        const v = results['verify-memory'];
        for (const k of ['none', 'header', 'tedee']) finite(v[k].perSec, k);
        for (const k of ['header', 'tedee']) finite(v.direct[k].perSec, 'direct ' + k);
    });

    it('load time, sizes, and a status for every target', function () {
        finite(results.load.totalMs, 'load');
        assert.strictEqual(Object.keys(results.load.files).length, 3);
        finite(results.size.wasmBytes, 'wasmBytes');
        finite(results.size.tarball.bytes, 'tarball');
        for (const [k, t] of Object.entries(results.targets)) {
            assert.ok(['MET', 'MISSED'].includes(t.status), k);
        }
        for (const k of ['authStaticVsChange', 'authTedeeVsHand', 'authExchangeVsHand', 'tedeeVsHash', 'tedeeVsCryptoJs', 'staticAuthWork',
            'verifyDirect', 'verifyHttp', 'loadMs', 'tarballBytes', 'wasmBytes', 'exchangesNightscout', 'exchangesTimbr', 'exchangesActyx', 'exchangesOauth2']) {
            assert.ok(results.targets[k], 'missing target ' + k);
            // a net-cost ratio of a smoke run may even be negative: only its presence counts here
            assert.ok(Number.isFinite(results.targets[k].value), `${k}: ${results.targets[k].value}`);
        }
    });
});
