#!/usr/bin/env node
'use strict';
// `npm start`: a local Node-RED (the dev dependency) on 127.0.0.1 with this package loaded and
// every example flow deployed, plus local demo servers so that each example works without
// devices or accounts:
//   TimeTagger  http://127.0.0.1:8080/timetagger/api/v2  the REAL server (PyPI timetagger)
//   Timbr       http://127.0.0.1:18002                    fake from PROTOCOLS.md (test/fakes)
//   Nightscout  http://127.0.0.1:18003                    fake
//   Tedee       http://127.0.0.1:18004/v1.0               fake
//   Actyx       http://127.0.0.1:4454                     fake
//   OAuth 2.0   http://127.0.0.1:18005                    a REAL authorization server (npm oidc-provider)
//   Redis       redis://127.0.0.1:<free port>             a real redis-server, when installed (the
//               verify-redis example shares its replay memory there)
// The examples' credentials are ${ENV_VAR} references; this script sets those variables for
// the Node-RED it starts. Ctrl-C stops everything it started.
// Options: --port N (Node-RED, default 1880), --reset (redeploy the example flows),
//          --no-timetagger (skip the Python server).
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const opt = (name) => args.includes(name);
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : Number(process.env.PORT || 1880);
const userDir = process.env.API_AUTH_DEMO_DIR || path.join(root, '.cache', 'demo-nodered');

// the TimeTagger demo user: the examples' token is this user's, so its records show in the web app
const DEMO_USER = 'demo';
const DEMO_PASSWORD = 'demo-password';

const stops = [];
let stopping = false;
async function stopAll(code) {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    for (const stop of stops.reverse()) {
        try { await stop(); } catch (e) { /* already gone */ }
    }
    process.exit(code);
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

/** The example flows, each on its own tab (its own, or one made for it). URLs that point at
 *  the demo Node-RED itself (the verify example) follow --port. */
function exampleFlows() {
    const dir = path.join(root, 'examples');
    const flows = [];
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
        const text = fs.readFileSync(path.join(dir, file), 'utf8').split('127.0.0.1:1880').join(`127.0.0.1:${port}`);
        const nodes = JSON.parse(text);
        if (nodes.some((n) => n.type === 'tab')) {
            flows.push(...nodes);
            continue;
        }
        const tab = { id: 'tab-' + file.replace(/\.json$/, ''), type: 'tab', label: 'api-auth: ' + file.replace(/\.json$/, '') };
        flows.push(tab);
        for (const n of nodes) flows.push(isConfigType(n.type) ? n : { ...n, z: tab.id });
    }
    return flows;
}
function isConfigType(type) {
    return ['api-auth-config', 'tls-config', 'http proxy'].includes(type);
}

async function waitFor(url, ms) {
    const end = Date.now() + ms;
    for (;;) {
        try {
            const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
            if (r.status < 500) return;
        } catch (e) { /* not yet */ }
        if (Date.now() > end) throw new Error('timed out waiting for ' + url);
        await new Promise((r) => setTimeout(r, 300));
    }
}

async function startDemoServers(env) {
    const rnd = (n) => crypto.randomBytes(n).toString('hex');
    let timetagger = '(skipped: --no-timetagger)';
    if (!opt('--no-timetagger')) {
        process.stdout.write('Starting the real TimeTagger server (first run installs it from PyPI)… ');
        try {
            const tt = await require('../test/support/timetagger.js').start({ port: 8080, username: DEMO_USER, password: DEMO_PASSWORD });
            stops.push(() => tt.close());
            env.TIMETAGGER_TOKEN = tt.apiToken;
            timetagger = 'http://127.0.0.1:8080/timetagger/api/v2';
            console.log('ok');
        } catch (err) {
            // Everything else still works; the TimeTagger example will report the unset variable.
            timetagger = '(not started: ' + String(err.message).split('\n')[0] + ')';
            console.log('failed\n  ' + timetagger + ' — needs python3 with venv and pip, and port 8080 free');
        }
    }
    const timbrSalt = crypto.randomBytes(32).toString('base64url') + '=';
    env.TIMBR_USERNAME = 'admin';
    env.TIMBR_PASSWORD = 'demo-' + rnd(6);
    env.TIMBR_SALT = timbrSalt;
    const timbr = await require('../test/fakes/timbr.js').start({
        port: 18002, salt: timbrSalt, users: { admin: env.TIMBR_PASSWORD },
    });
    stops.push(() => timbr.close());

    const nsSecret = 'demo-secret-' + rnd(8);
    const ns = await require('../test/fakes/nightscout.js').start({
        port: 18003, apiSecret: nsSecret, penaltyMs: 5000,
        subjects: [{ id: '5f0000000000000000000001', name: 'Node-RED reader', roles: ['readable'] }],
    });
    stops.push(() => ns.close());
    env.NIGHTSCOUT_API_SECRET = nsSecret;
    env.NIGHTSCOUT_ACCESS_TOKEN = ns.subjects[0].accessToken;

    env.TEDEE_TOKEN = 'Demo' + rnd(4);
    const tedee = await require('../test/fakes/tedee.js').start({ port: 18004, token: env.TEDEE_TOKEN });
    stops.push(() => tedee.close());

    const actyx = await require('../test/fakes/actyx.js').start({ port: 4454 });
    stops.push(() => actyx.close());

    env.OAUTH2_CLIENT_ID = 'node-red-demo';
    env.OAUTH2_CLIENT_SECRET = 'demo-' + rnd(12);
    const oauth2 = await require('../test/support/oidc.js').start({
        port: 18005, clients: [{ id: env.OAUTH2_CLIENT_ID, secret: env.OAUTH2_CLIENT_SECRET, scope: 'read write' }],
    });
    stops.push(() => oauth2.close());

    env.VERIFY_DEMO_TOKEN = 'verify-demo-' + rnd(8);
    env.VERIFY_DEMO_TEDEE_TOKEN = 'VerifyDemo' + rnd(4);
    env.VERIFY_REDIS_DEMO_TOKEN = 'VerifyRedisDemo' + rnd(4);
    let redis = '(not started: redis-server not installed — bash .ci/install-redis.sh)';
    try {
        const r = await require('../test/support/redis.js').start();
        stops.push(() => r.stop());
        env.REDIS_URL = r.url;
        redis = r.url;
    } catch (err) {
        // Everything else still works; the verify-redis example will report the unset variable.
    }
    return {
        TimeTagger: timetagger,
        Timbr: timbr.url, Nightscout: ns.url, Tedee: tedee.url + '/v1.0', Actyx: actyx.url, 'OAuth 2.0': oauth2.tokenUrl, Redis: redis,
    };
}

/** What to type in a new "API credentials" node for each demo server (secrets as ${VAR}: they
 *  are set for the Node-RED this script starts, and never printed). */
function credentialsHelp(servers, editor) {
    const ttApp = String(servers.TimeTagger).startsWith('http') ? servers.TimeTagger.replace('/api/v2', '/app/') : null;
    const rows = [
        ['TimeTagger', `Base URL ${servers.TimeTagger}`, 'API TimeTagger, mode authtoken, Token ${TIMETAGGER_TOKEN}'],
        ttApp && ['', `web app  ${ttApp}`, `log in as ${DEMO_USER} / ${DEMO_PASSWORD} to see the records the example creates`],
        ['Timbr', `Base URL ${servers.Timbr}`, 'mode username + password: ${TIMBR_USERNAME}, ${TIMBR_PASSWORD}, Salt ${TIMBR_SALT} (a Fernet key)'],
        ['Nightscout', `Base URL ${servers.Nightscout}`, 'mode access token → JWT: ${NIGHTSCOUT_ACCESS_TOKEN} (or API_SECRET: ${NIGHTSCOUT_API_SECRET})'],
        ['Tedee bridge', `Base URL ${servers.Tedee}`, 'mode encrypted, Token ${TEDEE_TOKEN}'],
        ['Actyx', `Base URL ${servers.Actyx}`, 'app id com.example.node-red (a trial id: no secret)'],
        ['OAuth 2.0', `Token URL ${servers['OAuth 2.0']}`, 'mode client credentials: ${OAUTH2_CLIENT_ID}, ${OAUTH2_CLIENT_SECRET}, scope read write'],
        ['verify', `Base URL ${editor.replace(/\/$/, '')}`, 'generic header Authorization, prefix "Bearer ", Token ${VERIFY_DEMO_TOKEN}; Tedee-style ${VERIFY_DEMO_TEDEE_TOKEN}'],
    ].filter(Boolean);
    const lines = ['', '  In a new "API credentials" node (the example flows already use these; the ${VAR}s are set for this Node-RED):'];
    for (const [name, where, what] of rows) lines.push(`    ${name.padEnd(13)}${where}`, `    ${''.padEnd(13)}${what}`);
    return lines.join('\n');
}

function prepareUserDir() {
    fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
    const pkgFile = path.join(userDir, 'package.json');
    fs.writeFileSync(pkgFile, JSON.stringify({
        name: 'api-auth-demo', private: true,
        dependencies: { 'node-red-contrib-api-auth': 'file:' + path.relative(userDir, root) },
    }, null, 2));
    const link = path.join(userDir, 'node_modules', 'node-red-contrib-api-auth');
    try { fs.rmSync(link, { recursive: true, force: true }); } catch (e) { /* none */ }
    fs.symlinkSync(root, link, 'dir');
}

async function main() {
    const env = { ...process.env };
    const servers = await startDemoServers(env);
    prepareUserDir();
    const red = spawn(process.execPath, [
        path.join(path.dirname(require.resolve('node-red/package.json')), 'red.js'),
        '-u', userDir, '-p', String(port),
        '-D', 'uiHost=127.0.0.1', '-D', 'telemetry.enabled=false', '-D', 'editorTheme.tours=false',
    ], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    stops.push(() => new Promise((resolve) => {
        if (red.exitCode !== null) return resolve();
        red.once('exit', resolve);
        red.kill('SIGINT');
        setTimeout(() => red.kill('SIGKILL'), 5000).unref();
    }));
    red.stdout.pipe(process.stdout);
    red.on('exit', (code) => { if (!stopping) { console.error('Node-RED exited (' + code + ')'); stopAll(1); } });

    const editor = `http://127.0.0.1:${port}/`;
    await waitFor(editor + 'flows', 60000);
    const current = await (await fetch(editor + 'flows', { headers: { 'Node-RED-API-Version': 'v2' } })).json();
    if (opt('--reset') || !current.flows || current.flows.length === 0) {
        const r = await fetch(editor + 'flows', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
            body: JSON.stringify(exampleFlows()),
        });
        if (!r.ok) throw new Error('deploying the example flows failed: ' + r.status + ' ' + await r.text());
    }
    console.log('\n  Demo servers:');
    for (const [name, url] of Object.entries(servers)) console.log(`    ${name.padEnd(11)} ${url}`);
    console.log(credentialsHelp(servers, editor));
    console.log(`\n  Node-RED editor: ${editor}   (one tab per example; press an inject button)`);
    console.log('  Ctrl-C stops Node-RED and the demo servers.\n');
}

main().catch((err) => {
    console.error('npm start failed: ' + err.message);
    stopAll(1);
});
