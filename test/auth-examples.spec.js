'use strict';
// Every example flow in examples/ (except the verify ones) is importable: it loads in the runtime with the
// real nodes, has the 401 loop wiring (auth → http request → back into auth), an http request node
// with an empty URL and no authentication of its own, a Catch node, and credentials that come only
// from environment variables (no secret in an example).
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const rt = require('./support/nodered');
const { onTab } = require('./support/examples');

const dir = path.join(__dirname, '..', 'examples');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('verify'));
const coreNodes = path.dirname(require.resolve('@node-red/nodes/package.json'));
const extraNodes = ['core/common/20-inject.js', 'core/function/10-function.js', 'core/common/21-debug.js', 'core/common/90-comment.js']
    .map((p) => require(path.join(coreNodes, p)));

describe('auth: example flows', function () {
    afterEach(async function () { await rt.unload(); });

    it('there is one example per API', function () {
        for (const name of ['timetagger', 'timbr', 'nightscout', 'tedee', 'actyx', 'oauth2']) assert.ok(files.includes(`${name}.json`), name);
    });

    for (const file of files) {
        it(`${file}: loop wiring, env-var credentials, and it loads`, async function () {
            const raw = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
            assert.ok(!raw.some((n) => n.type === 'tab' || n.z), 'an example carries nodes only (Import to: current flow)');
            const flow = onTab(raw, 'example-tab');
            const byId = new Map(flow.map((n) => [n.id, n]));
            const cfg = flow.filter((n) => n.type === 'api-auth-config');
            assert.strictEqual(cfg.length, 1);
            for (const [k, v] of Object.entries(cfg[0].credentials || {})) assert.match(v, /^\$\{[A-Z][A-Z0-9_]*\}$/, `${k} must be an env var`);
            const auth = flow.find((n) => n.type === 'api-auth');
            assert.strictEqual(auth.config, cfg[0].id);
            const http = byId.get(auth.wires[0][0]);
            assert.strictEqual(http.type, 'http request');
            assert.strictEqual(http.url, '');
            assert.ok(!http.authType);
            assert.deepStrictEqual(http.wires[0], [auth.id]);
            assert.strictEqual(byId.get(auth.wires[1][0]).type, 'debug');
            assert.ok(flow.some((n) => n.type === 'catch'));
            const comment = flow.find((n) => n.type === 'comment');
            for (const v of Object.values(cfg[0].credentials || {})) assert.ok(comment.name.includes(v.slice(2, -1)), 'the comment lists ' + v);
            // load it (credentials are passed the way an import passes them)
            const creds = { [cfg[0].id]: cfg[0].credentials || {} };
            const nodes = flow.map((n) => {
                const c = { ...n };
                delete c.credentials;
                return c;
            });
            await rt.helper.load(rt.NODES.concat(extraNodes), nodes, creds);
            const node = rt.helper.getNode(auth.id);
            assert.ok(node, 'auth node started');
            const c = rt.helper.getNode(cfg[0].id);
            const unset = Object.values(cfg[0].credentials || {}).filter((v) => process.env[v.slice(2, -1)] === undefined);
            if (unset.length) {
                assert.match(String(c.problem && c.problem.message), /environment variable/);
            } else if (!Object.keys(cfg[0].credentials || {}).length) {
                assert.strictEqual(c.problem, null);
            }
        });
    }
});
