'use strict';
// flows.json never contains a secret: a REAL Node-RED runtime (node-red/red.js, own userDir with
// this package linked into node_modules) gets flows with credentials through the admin API;
// then flows.json is searched for every secret (and flows_cred.json must not hold them in clear).
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { freePort } = require('./support/ports');

const ROOT = path.join(__dirname, '..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('auth: flows.json never contains a secret (real Node-RED runtime)', function () {
    this.timeout(60000);
    let child; let userDir; let base; let log = '';

    before(async function () {
        userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nr-user-'));
        fs.mkdirSync(path.join(userDir, 'node_modules'));
        fs.symlinkSync(ROOT, path.join(userDir, 'node_modules', 'node-red-contrib-api-auth'), 'dir');
        const port = await freePort();
        base = `http://127.0.0.1:${port}`;
        child = spawn(process.execPath, [require.resolve('node-red/red.js'), '-u', userDir, '-p', String(port),
            '-D', 'telemetry.enabled=false', '-D', 'uiHost=127.0.0.1', '-D', 'credentialSecret=test-credential-secret'], {
            stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_RED_ENABLE_PROJECTS: '' },
        });
        const keep = (d) => { log = (log + d).slice(-6000); };
        child.stdout.on('data', keep);
        child.stderr.on('data', keep);
        const deadline = Date.now() + 45000;
        for (;;) {
            if (child.exitCode !== null) throw new Error('node-red exited: ' + log);
            try {
                const r = await fetch(`${base}/nodes`, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(2000) });
                if (r.status === 200) {
                    const list = await r.json();
                    if (!list.some((s) => s.types && s.types.includes('api-auth-config'))) throw new Error('api-auth-config not loaded: ' + log);
                    break;
                }
            } catch (err) {
                if (/not loaded/.test(err.message)) throw err;
            }
            if (Date.now() > deadline) throw new Error('node-red did not start: ' + log);
            await sleep(300);
        }
    });

    after(async function () {
        if (child && child.exitCode === null) {
            const gone = new Promise((r) => child.once('exit', r));
            child.kill('SIGTERM');
            await Promise.race([gone, sleep(5000)]);
            if (child.exitCode === null) child.kill('SIGKILL');
        }
        if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
    });

    it('deploying credentials for every scheme keeps them out of flows.json', async function () {
        const secrets = {
            token: 'tok-SECRET-1f3a9c0e7b5d', secret: 'apisecret-SECRET-8c2e4a',
            password: 'pw-SECRET-77aa31', salt: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
        };
        const flows = [
            { id: 'tab1', type: 'tab', label: 't' },
            { id: 'c1', type: 'api-auth-config', name: 'tt', scheme: 'timetagger', mode: 'authtoken', baseUrl: 'http://127.0.0.1:1', credentials: { token: secrets.token } },
            { id: 'c2', type: 'api-auth-config', name: 'ns', scheme: 'nightscout', mode: 'secret', credentials: { secret: secrets.secret } },
            { id: 'c3', type: 'api-auth-config', name: 'tb', scheme: 'timbr', mode: 'exchange', baseUrl: 'http://127.0.0.1:1', credentials: { username: 'admin', password: secrets.password, salt: secrets.salt } },
            { id: 'a1', type: 'api-auth', z: 'tab1', config: 'c1', x: 100, y: 100, wires: [[], []] },
        ];
        const r = await fetch(`${base}/flows`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
            body: JSON.stringify(flows),
        });
        assert.strictEqual(r.status, 204, await r.text());
        const flowFile = path.join(userDir, 'flows.json');
        const deadline = Date.now() + 10000;
        while (!fs.existsSync(flowFile) && Date.now() < deadline) await sleep(100);
        const text = fs.readFileSync(flowFile, 'utf8');
        assert.ok(text.includes('api-auth-config'), 'the flow was saved');
        for (const s of Object.values(secrets)) {
            assert.ok(!text.includes(s), `flows.json contains a secret (${s.slice(0, 6)}…)`);
        }
        const credFile = path.join(userDir, 'flows_cred.json');
        assert.ok(fs.existsSync(credFile), 'credentials were stored separately');
        const cred = fs.readFileSync(credFile, 'utf8');
        for (const s of Object.values(secrets)) assert.ok(!cred.includes(s), 'flows_cred.json is encrypted');
        // what the editor gets back for a config node: has_<name> flags, never the values
        const got = await (await fetch(`${base}/credentials/api-auth-config/c1`)).json();
        assert.ok(!JSON.stringify(got).includes(secrets.token));
        assert.strictEqual(got.has_token, true);
    });
});
