'use strict';
// The flows.nodered.org scorecard, offline.
//
// `node-red-dev validate` (npm node-red-dev, the tool behind the scorecard) fetches
// https://catalogue.nodered.org/catalogue.json and https://registry.npmjs.org/node-red with
// axios 0.21 at FIXED URLs. CI cannot reach the catalogue. axios 0.21 honours `https_proxy` and
// sends an https URL to an http proxy as a plain absolute-form request (no CONNECT), so this test
// runs the REAL tool with https_proxy pointing at a loopback server that answers those two URLs
// from test/fixtures/scorecard/ (a small catalogue and a trimmed node-red registry document) and
// refuses everything else. The tool validates the unpacked `npm pack` tarball — what
// flows.nodered.org would see — and its scorecard JSON (-o) must be all green.
//
// node-red-dev 0.1.6 has rules that cannot fail (P05 sets test:true even without the keyword;
// P08 compares a string with an array so it never finds a similar name): those rules, and the
// README the scorecard page shows, are re-checked here directly. A second run with a catalogue
// that already has one of our node types proves the tool really reads the served catalogue.
const assert = require('node:assert');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const nr = require('./support/nodered-process');

const FIXTURES = path.join(__dirname, 'fixtures', 'scorecard');
const NRDEV_PREFIX = path.join(__dirname, '..', '.cache', 'nrdev');
const NRDEV_VERSION = '0.1.6';
const pkg = require('../package.json');

/** Install node-red-dev into .cache/nrdev once (npm registry) → path of its bin/run. */
async function ensureNodeRedDev() {
    const bin = path.join(NRDEV_PREFIX, 'node_modules', 'node-red-dev', 'bin', 'run');
    const have = () => {
        try { return JSON.parse(fs.readFileSync(path.join(NRDEV_PREFIX, 'node_modules', 'node-red-dev', 'package.json'), 'utf8')).version; } catch (_) { return null; }
    };
    if (have() !== NRDEV_VERSION) {
        fs.mkdirSync(NRDEV_PREFIX, { recursive: true });
        await nr.run('npm', ['install', '--prefix', NRDEV_PREFIX, `node-red-dev@${NRDEV_VERSION}`, '--no-save', '--no-audit', '--no-fund', '--no-package-lock'],
            { cwd: NRDEV_PREFIX, timeout: 540000 });
    }
    assert.strictEqual(have(), NRDEV_VERSION, 'node-red-dev did not install');
    return bin;
}

/** Loopback stand-in for catalogue.nodered.org and registry.npmjs.org/node-red. */
function startCatalogueServer(catalogue) {
    const requests = [];
    const registry = fs.readFileSync(path.join(FIXTURES, 'registry-node-red.json'));
    const server = http.createServer((req, res) => {
        requests.push(req.url);
        let body = null;
        if (req.url === 'https://catalogue.nodered.org/catalogue.json') body = JSON.stringify(catalogue);
        else if (req.url === 'https://registry.npmjs.org/node-red') body = registry;
        if (body === null) {
            res.writeHead(404, { 'content-type': 'text/plain' });
            res.end('not served by the scorecard test: ' + req.url);
            return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
    });
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        requests,
        close: () => new Promise((r) => server.close(r)),
    })));
}

function runValidate(bin, dir, proxyUrl, out) {
    const env = { ...process.env, https_proxy: proxyUrl, HTTPS_PROXY: proxyUrl, http_proxy: proxyUrl, HTTP_PROXY: proxyUrl };
    delete env.no_proxy;
    delete env.NO_PROXY;
    return new Promise((resolve) => {
        const { execFile } = require('node:child_process');
        execFile(process.execPath, [bin, 'validate', '-p', dir, '-o', out], { env, timeout: 120000, maxBuffer: 16 * 1024 * 1024 },
            (err, stdout, stderr) => {
                let card = null;
                try { card = JSON.parse(fs.readFileSync(out, 'utf8')); } catch (_) { /* not written */ }
                resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr, card });
            });
    });
}

describe('flows.nodered.org scorecard (node-red-dev validate, catalogue served on loopback)', function () {
    this.timeout(180000);
    let bin, work, unpacked, packed, catalogue, files;

    before(async function () {
        this.timeout(600000);
        bin = await ensureNodeRedDev();
        packed = await nr.packRepo();
        files = packed.files;
        work = fs.mkdtempSync(path.join(os.tmpdir(), 'api-auth-scorecard-'));
        await nr.run('tar', ['-xzf', packed.file, '-C', work]);
        unpacked = path.join(work, 'package');
        catalogue = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'catalogue.json'), 'utf8'));
    });

    after(function () {
        if (work) fs.rmSync(work, { recursive: true, force: true });
        if (packed) fs.rmSync(packed.dir, { recursive: true, force: true });
    });

    it('node-red-dev validate passes every check on the packed module', async function () {
        const srv = await startCatalogueServer(catalogue);
        try {
            const r = await runValidate(bin, unpacked, srv.url, path.join(work, 'scorecard.json'));
            const log = `${r.stdout}\n${r.stderr}`;
            assert.ok(srv.requests.includes('https://catalogue.nodered.org/catalogue.json'), 'the tool did not ask the (loopback) catalogue: ' + JSON.stringify(srv.requests) + '\n' + log);
            assert.ok(srv.requests.includes('https://registry.npmjs.org/node-red'), 'the tool did not ask for node-red versions');
            assert.ok(r.card, 'no scorecard written:\n' + log);
            const checks = Object.keys(r.card).filter((k) => /^[PND]\d\d$/.test(k)).sort();
            for (const k of ['P01', 'P03', 'P04', 'P05', 'P06', 'P07', 'P08', 'N01', 'N02', 'D01', 'D02', 'D03']) {
                assert.ok(checks.includes(k), `scorecard lacks ${k}: ${JSON.stringify(r.card)}\n${log}`);
            }
            const failed = checks.filter((k) => r.card[k].test !== true);
            assert.deepStrictEqual(failed, [], `failed scorecard checks ${failed.map((k) => k + '=' + JSON.stringify(r.card[k])).join(', ')}\n${log}`);
            assert.strictEqual(r.card.package.name, pkg.name);
            assert.deepStrictEqual(r.card.N02.nodes.sort(), ['api-auth', 'api-auth-verify'], 'examples must use each non-config node');
            assert.doesNotMatch(log, /Unable to parse|Unable to read example|Error:/, log);
            assert.strictEqual(r.code, 0, log);
        } finally {
            await srv.close();
        }
    });

    it('the served catalogue really decides N01: a module that already has an api-auth type fails it', async function () {
        const clash = JSON.parse(JSON.stringify(catalogue));
        clash.modules.push({ id: 'node-red-contrib-someone-else', version: '1.0.0', types: ['api-auth'], keywords: ['node-red'] });
        const srv = await startCatalogueServer(clash);
        try {
            const r = await runValidate(bin, unpacked, srv.url, path.join(work, 'scorecard-clash.json'));
            assert.ok(r.card, 'no scorecard written:\n' + r.stdout + r.stderr);
            assert.strictEqual(r.card.N01.test, false, JSON.stringify(r.card.N01));
            assert.deepStrictEqual(r.card.N01.nodes, ['node-red-contrib-someone-else']);
        } finally {
            await srv.close();
        }
    });

    // --- rules node-red-dev 0.1.6 cannot fail, and what the scorecard page shows, checked here ---

    it('P05: keywords contain node-red', function () {
        assert.ok(Array.isArray(pkg.keywords) && pkg.keywords.includes('node-red'), JSON.stringify(pkg.keywords));
    });

    it('P08: no catalogue module with the same (unscoped) name under another id; P04: a valid contrib name', function () {
        const mine = pkg.name.split('/').pop();
        const similar = catalogue.modules.filter((m) => m.id !== pkg.name && m.id.split('/').pop() === mine).map((m) => m.id);
        assert.deepStrictEqual(similar, []);
        assert.match(pkg.name, /^(@[a-z\d][\w.-]*\/)?node-red-contrib-[a-z\d][\w.-]*$/);
    });

    it('N01: our node types are unique in the catalogue, and the types declared in package.json are the ones the HTML registers', function () {
        const declared = Object.keys(pkg['node-red'].nodes).sort();
        const registered = [];
        for (const js of Object.values(pkg['node-red'].nodes)) {
            const html = fs.readFileSync(path.join(unpacked, js.replace(/\.js$/, '.html')), 'utf8');
            for (const m of html.matchAll(/RED\.nodes\.registerType\(\s*['"]([^'"]+)['"]/g)) registered.push(m[1]);
        }
        assert.deepStrictEqual(registered.sort(), declared);
        const taken = catalogue.modules.filter((m) => m.id !== pkg.name && m.types.some((t) => declared.includes(t)));
        assert.deepStrictEqual(taken.map((m) => m.id), []);
    });

    it('the tarball has a README with content, a license and no dependencies with install scripts', function () {
        assert.ok(files.includes('README.md'), 'the npm tarball has no README.md (the scorecard and the palette manager show it)');
        const readme = fs.readFileSync(path.join(unpacked, 'README.md'), 'utf8');
        assert.ok(readme.length > 1000, 'README.md is a stub');
        assert.ok(pkg.license, 'no license');
        assert.ok(!pkg.scripts || (!pkg.scripts.install && !pkg.scripts.postinstall && !pkg.scripts.preinstall), 'install scripts run on every palette install');
        assert.ok(Object.keys(pkg.dependencies || {}).length <= 6, 'D01: more than 6 dependencies');
    });
});
