'use strict';
// Bad input and faulty servers, table-driven, through ONE real Node-RED flow (test helper + the
// real core `http request` and `catch` nodes): every case ends in exactly one error seen by the
// Catch node, whose message names the config node and the field (or the server / the fault),
// nothing reaches the API with a bad header, the bad node's status turns red, and the NEXT good
// message (a Tedee key and a Nightscout JWT exchange in the same runtime) is still authenticated.
//
// The table is exported (module.exports.TABLE) and written as markdown by
//   node test/robustness-bad-input.spec.js --markdown > docs/troubleshooting-table.md
// (the README's troubleshooting section links it).

const TEDEE_TOKEN = 'BE9xnPnGfVUS';
const NS_SECRET = 'abcdefghij123456';
const NS_SUBJECTS = [{ id: '5f0000000000000000000001', name: 'Node-RED reader', roles: ['readable'] }];
const FERNET_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const UNSET_VAR = 'API_AUTH_ROBUSTNESS_NEVER_SET';

/**
 * Each case: name, the config node's properties and credentials (ctx: { faulty: base URL of the
 * faulty servers, closed: a refused port }), optional msg changes, `expect` (the text the error
 * message contains after `API credentials "<name>": `, as the README lists it), `match` (checked),
 * and `fix` (what the user should do).
 */
const TABLE = [
    { name: 'empty token', cfg: () => ({ props: { scheme: 'timetagger' }, creds: { token: '' } }),
        expect: 'token: is empty', match: /token: is empty/, fix: 'Enter the token (or ${ENV_VAR}).' },
    { name: 'whitespace-only token', cfg: () => ({ props: { scheme: 'timetagger' }, creds: { token: ' \t  ' } }),
        expect: 'token: is empty', match: /token: is empty/, fix: 'Paste the token itself, not blanks.' },
    { name: 'CR-LF in a token (header injection)', cfg: () => ({ props: { scheme: 'header', headerName: 'X-Api-Key' }, creds: { token: 'abc123\r\nX-Injected: 1' } }),
        expect: 'token: contains a control character (CR at position 7) that cannot go in an HTTP header', match: /token: contains a control character \(CR at position 7\)/, fix: 'Copy the token again without line breaks.' },
    { name: 'LF in a Tedee token', cfg: () => ({ props: { scheme: 'tedee' }, creds: { token: 'BE9xnP\nnGfVUS' } }),
        expect: 'token: contains a control character (LF at position 7)', match: /token: contains a control character \(LF at position 7\)/, fix: 'Copy the token again without line breaks.' },
    { name: 'NUL in a token', cfg: () => ({ props: { scheme: 'timbr', mode: 'token' }, creds: { token: 'tk_abc\u0000def' } }),
        expect: 'token: contains a control character (NUL at position 7)', match: /token: contains a control character \(NUL at position 7\)/, fix: 'Copy the token again; it contains a NUL byte.' },
    { name: 'non-ASCII token', cfg: () => ({ props: { scheme: 'timetagger' }, creds: { token: 'tökén-ß' } }),
        expect: 'token: contains a non-ASCII character (at position 2); HTTP header values must be plain ASCII', match: /token: contains a non-ASCII character \(at position 2\)/, fix: 'Tokens are ASCII; check for smart quotes or a wrong paste.' },
    { name: 'non-ASCII Nightscout access token', cfg: (c) => ({ props: { scheme: 'nightscout', mode: 'jwt', baseUrl: c.faulty + '/sink' }, creds: { token: 'reader-çafe0123' } }),
        expect: 'token: contains a non-ASCII character', match: /token: contains a non-ASCII character/, fix: 'Copy the access token from Admin Tools again.' },
    { name: 'API_SECRET under 12 characters', cfg: () => ({ props: { scheme: 'nightscout', mode: 'secret' }, creds: { secret: ' short-sec  ' } }),
        expect: 'secret: API_SECRET must be at least 12 characters after trimming (got 9)', match: /secret: API_SECRET must be at least 12 characters after trimming \(got 9\)/, fix: 'Use the server\'s API_SECRET (Nightscout refuses to start with a shorter one).' },
    { name: 'Fernet salt that is not a key ("salt is key" mode)', cfg: (c) => ({ props: { scheme: 'timbr', mode: 'exchange', keyMode: 'key', baseUrl: c.faulty + '/sink' }, creds: { username: 'admin', password: 'secret', salt: 'my-api-auth-salt' } }),
        expect: 'salt: not a Fernet key (expected 44 url-safe base64 characters decoding to 32 bytes)', match: /salt: not a Fernet key \(expected 44 url-safe base64/, fix: 'Paste the 44-character key, or pick the md5/sha256 key derivation.' },
    { name: 'Actyx appId in upper case', cfg: (c) => ({ props: { scheme: 'actyx', baseUrl: c.faulty + '/sink', appId: 'com.example.MyApp', displayName: 'App', appVersion: '1.0.0' } }),
        expect: 'appId: \'com.example.MyApp\' is not a valid app id (lower-case letters, digits and \'-\', …)', match: /appId: 'com\.example\.MyApp' is not a valid app id/, fix: 'App ids are lower case: com.example.my-app.' },
    { name: 'Actyx trial appId without com.example.', cfg: (c) => ({ props: { scheme: 'actyx', baseUrl: c.faulty + '/sink', appId: 'com.acme.app', displayName: 'App', appVersion: '1.0.0' } }),
        expect: 'appId: Trial app id needs to start with \'com.example.\'. Got \'com.acme.app\'.', match: /appId: Trial app id needs to start with 'com\.example\.'\. Got 'com\.acme\.app'/, fix: 'Use com.example.<name>, or add the signed manifest\'s signature.' },
    { name: 'garbage JWT from the Nightscout exchange', cfg: (c) => ({ props: { scheme: 'nightscout', mode: 'jwt', baseUrl: c.faulty + '/jwt-garbage' }, creds: { token: 'reader-0123456789abcdef' } }),
        expect: 'token exchange GET /api/v2/authorization/request/…: unexpected reply (token: not a JWT …)', match: /token exchange GET \/jwt-garbage\/api\/v2\/authorization\/request\/.*: unexpected reply \(token: not a JWT/, fix: 'The base URL does not point at Nightscout (or a proxy rewrote the reply).' },
    { name: 'JWT with CR-LF from the Nightscout exchange', cfg: (c) => ({ props: { scheme: 'nightscout', mode: 'jwt', baseUrl: c.faulty + '/jwt-crlf' }, creds: { token: 'reader-0123456789abcdef' } }),
        expect: 'unexpected reply (token: contains a control character (CR …))', match: /unexpected reply \(token: contains a control character \(CR/, fix: 'The server\'s reply is corrupt; check the base URL / proxy.' },
    { name: 'get_token reply is HTML', cfg: (c) => ({ props: { scheme: 'timbr', mode: 'exchange', baseUrl: c.faulty + '/html' }, creds: { username: 'admin', password: 'secret', salt: FERNET_KEY } }),
        expect: 'token exchange POST /timbr/api/get_token: unexpected reply (the reply is HTML or XML (starts with "<!DOCTYPE html> …"))', match: /token exchange POST \/html\/timbr\/api\/get_token: unexpected reply \(the reply is HTML or XML/, fix: 'The base URL points at a web page or login proxy, not the API.' },
    { name: 'get_token reply is empty', cfg: (c) => ({ props: { scheme: 'timbr', mode: 'exchange', baseUrl: c.faulty + '/empty' }, creds: { username: 'admin', password: 'secret', salt: FERNET_KEY } }),
        expect: 'unexpected reply (the reply is empty)', match: /get_token: unexpected reply \(the reply is empty\)/, fix: 'Check the base URL and the server\'s logs.' },
    { name: 'get_token reply is {}', cfg: (c) => ({ props: { scheme: 'timbr', mode: 'exchange', baseUrl: c.faulty + '/emptyobj' }, creds: { username: 'admin', password: 'secret', salt: FERNET_KEY } }),
        expect: 'unexpected reply (no token in the reply …)', match: /get_token: unexpected reply \(no token in the reply/, fix: 'The server answered without a token: check its version / the base URL.' },
    { name: 'get_token reply is a JSON array', cfg: (c) => ({ props: { scheme: 'timbr', mode: 'exchange', baseUrl: c.faulty + '/array' }, creds: { username: 'admin', password: 'secret', salt: FERNET_KEY } }),
        expect: 'unexpected reply (the reply is not a JSON object)', match: /unexpected reply \(the reply is not a JSON object\)/, fix: 'Check the base URL.' },
    { name: 'get_token answers {"status":"error"} with 200', cfg: (c) => ({ props: { scheme: 'timbr', mode: 'exchange', baseUrl: c.faulty + '/timbr-error' }, creds: { username: 'admin', password: 'secret', salt: FERNET_KEY } }),
        expect: 'token exchange POST /timbr/api/get_token: Timbr refused the exchange: user is locked', match: /Timbr refused the exchange: user is locked/, fix: 'The server\'s own words say why.' },
    { name: 'get_token answers 500', cfg: (c) => ({ props: { scheme: 'timbr', mode: 'exchange', baseUrl: c.faulty + '/500' }, creds: { username: 'admin', password: 'secret', salt: FERNET_KEY } }),
        expect: 'token exchange POST /timbr/api/get_token: HTTP 500 Internal Server Error', match: /get_token: HTTP 500 Internal Server Error/, fix: 'A server fault: the next message tries again.' },
    { name: 'Actyx reply that is not an Actyx token', cfg: (c) => ({ props: { scheme: 'actyx', baseUrl: c.faulty + '/actyx-garbage', appId: 'com.example.app', displayName: 'App', appVersion: '1.0.0' } }),
        expect: 'token exchange POST /api/v2/auth: unexpected reply (token: not an Actyx token …)', match: /token exchange POST \/actyx-garbage\/api\/v2\/auth: unexpected reply \(token: not an Actyx token/, fix: 'The base URL does not point at an Actyx node (port 4454).' },
    { name: 'exchange reply of 3 MB', cfg: (c) => ({ props: { scheme: 'nightscout', mode: 'jwt', baseUrl: c.faulty + '/huge' }, creds: { token: 'reader-0123456789abcdef' } }),
        expect: 'token exchange GET …: the reply is larger than 1 MB', match: /token exchange GET \/huge\/api\/v2\/authorization\/request\/.*: the reply is larger than 1 MB/, fix: 'The base URL does not point at the API.' },
    { name: 'exchange server never answers (timeout)', cfg: (c) => ({ props: { scheme: 'nightscout', mode: 'jwt', baseUrl: c.faulty + '/hang', timeout: 0.3 }, creds: { token: 'reader-0123456789abcdef' } }),
        expect: 'token exchange GET …: no answer within 0.3 s (the config node\'s timeout)', match: /token exchange GET \/hang\/api\/v2\/authorization\/request\/.*: no answer within 0\.3 s/, fix: 'Is the server up and reachable? Raise the timeout (default 10 s) if it is just slow.' },
    { name: 'exchange server answers byte by byte (slow drip)', cfg: (c) => ({ props: { scheme: 'timbr', mode: 'exchange', baseUrl: c.faulty + '/drip', timeout: 0.5 }, creds: { username: 'admin', password: 'secret', salt: FERNET_KEY } }),
        expect: 'token exchange POST /timbr/api/get_token: the reply did not complete within 0.5 s', match: /get_token: the reply did not complete within 0\.5 s/, fix: 'The server or the network is too slow; raise the timeout.' },
    { name: 'exchange connection refused', cfg: (c) => ({ props: { scheme: 'actyx', baseUrl: `http://127.0.0.1:${c.closed}`, appId: 'com.example.app', displayName: 'App', appVersion: '1.0.0' } }),
        expect: 'token exchange POST /api/v2/auth: connection refused (ECONNREFUSED) — is the server running?', match: /token exchange POST \/api\/v2\/auth: connection refused \(ECONNREFUSED\)/, fix: 'Start the server / fix host and port.' },
    { name: 'exchange connection dropped before any answer', cfg: (c) => ({ props: { scheme: 'timbr', mode: 'exchange', baseUrl: c.faulty + '/drop' }, creds: { username: 'admin', password: 'secret', salt: FERNET_KEY } }),
        expect: 'token exchange POST /timbr/api/get_token: the server closed the connection without answering', match: /get_token: the server closed the connection without answering/, fix: 'A proxy or firewall cuts the connection; check TLS/port.' },
    { name: 'exchange connection reset mid-reply', cfg: (c) => ({ props: { scheme: 'nightscout', mode: 'jwt', baseUrl: c.faulty + '/reset' }, creds: { token: 'reader-0123456789abcdef' } }),
        expect: 'token exchange GET …: the connection was closed in the middle of the reply', match: /token exchange GET \/reset\/api\/v2\/authorization\/request\/.*: the connection was closed in the middle of the reply/, fix: 'The server or a proxy crashed mid-reply; the next message tries again.' },
    { name: 'exchange redirect loop', cfg: (c) => ({ props: { scheme: 'timbr', mode: 'exchange', baseUrl: c.faulty + '/redirect' }, creds: { username: 'admin', password: 'secret', salt: FERNET_KEY } }),
        expect: 'token exchange POST /timbr/api/get_token: HTTP 302 redirect to … (redirects are not followed: set the configured URL to the final address)', match: /get_token: HTTP 302 redirect to \/redirect\/timbr\/api\/get_token \(redirects are not followed/, fix: 'Use the final URL (often https:// instead of http://).' },
    { name: 'unset ${ENV} variable', cfg: () => ({ props: { scheme: 'tedee' }, creds: { token: '${' + UNSET_VAR + '}' } }),
        expect: 'token: environment variable ${NAME} is not set', match: new RegExp('token: environment variable \\$\\{' + UNSET_VAR + '\\} is not set'), fix: 'Set the variable in Node-RED\'s environment (settings.js / systemd unit) and restart.' },
    { name: 'base URL that is not http(s)', cfg: () => ({ props: { scheme: 'nightscout', mode: 'jwt', baseUrl: 'ftp://example.com' }, creds: { token: 'reader-0123456789abcdef' } }),
        expect: 'baseUrl: not an http(s) URL ("ftp://example.com")', match: /baseUrl: not an http\(s\) URL/, fix: 'Write http://host:port or https://host.' },
    { name: 'exchange scheme without a base URL', cfg: () => ({ props: { scheme: 'actyx', appId: 'com.example.app', displayName: 'App', appVersion: '1.0.0' } }),
        expect: 'baseUrl: is required for the token exchange (e.g. http://localhost:4454)', match: /baseUrl: is required for the token exchange/, fix: 'Enter the server\'s base URL.' },
    { name: 'timeout that is not a positive number', cfg: () => ({ props: { scheme: 'timetagger', timeout: 'soon' }, creds: { token: 'tt-token-123' } }),
        expect: 'timeout: must be a positive number of seconds (got "soon")', match: /timeout: must be a positive number of seconds \(got "soon"\)/, fix: 'Seconds, e.g. 10.' },
    { name: 'header name with a space', cfg: () => ({ props: { scheme: 'header', headerName: 'X Api Key' }, creds: { token: 'abc123' } }),
        expect: 'headerName: is not a valid HTTP header name (bad character at position 2)', match: /headerName: is not a valid HTTP header name \(bad character at position 2\)/, fix: 'Header names are letters, digits and - (e.g. X-Api-Key).' },
    { name: 'CR-LF in the header prefix', cfg: () => ({ props: { scheme: 'header', prefix: 'Bearer\r\n' }, creds: { token: 'abc123' } }),
        expect: 'prefix: contains a control character', match: /prefix: contains a control character/, fix: 'Remove the line break from the prefix.' },
    { name: 'query placement without msg.url', cfg: () => ({ props: { scheme: 'tedee', placement: 'query' }, creds: { token: TEDEE_TOKEN } }), msg: { url: undefined },
        expect: 'the tedee key goes in the query string, so msg.url must be set before this node (leave the http request node\'s URL empty)', match: /the tedee key goes in the query string, so msg\.url must be set before this node/, fix: 'Set msg.url before the auth node; leave the http request node\'s URL empty.' },
];

module.exports = { TABLE };

/** The table as markdown (docs/troubleshooting-table.md, pasted into the README). */
function markdown() {
    const esc = (s) => String(s).replace(/\|/g, '\\|');
    const rows = TABLE.map((c, i) => `| ${i + 1} | ${esc(c.name)} | \`API credentials "<name>": ${esc(c.expect)}\` | ${esc(c.fix)} |`);
    return [
        '<!-- generated by: node test/robustness-bad-input.spec.js --markdown (test/robustness-bad-input.spec.js checks every row) -->',
        '| # | Problem | Error seen by a Catch node (and in the debug sidebar) | What to do |',
        '|---|---|---|---|',
        ...rows,
        '',
    ].join('\n');
}
module.exports.markdown = markdown;

if (require.main === module) {
    process.stdout.write(markdown());
} else if (typeof describe === 'function') {
    const assert = require('node:assert');
    const tedee = require('./fakes/tedee');
    const nightscout = require('./fakes/nightscout');
    const faulty = require('./support/faulty-servers');
    const rt = require('./support/nodered');
    const { helper } = rt;

    describe('robustness: bad input and faulty servers end in one clear error, and the next message works', function () {
        this.timeout(60000);
        let bridge; let ns; let bad; let closed;
        const problems = [];
        const onUncaught = (e) => problems.push(e);
        let seq = 0;

        function buildFlow() {
            const tab = 'tab1';
            const ctx = { faulty: bad.url, closed };
            const flow = [{ id: tab, type: 'tab', label: 'robustness' }];
            const credentials = {};
            const chain = (id, props, creds) => {
                flow.push({ id: 'cfg-' + id, type: 'api-auth-config', name: id, ...props });
                credentials['cfg-' + id] = creds || {};
                flow.push({ id: 'auth-' + id, type: 'api-auth', z: tab, name: 'auth-' + id, config: 'cfg-' + id, wires: [['http-' + id], ['out']] });
                flow.push({
                    id: 'http-' + id, type: 'http request', z: tab, name: 'http-' + id, method: 'use', ret: 'obj', paytoqs: 'ignore',
                    url: '', tls: '', persist: false, proxy: '', insecureHTTPParser: false, authType: '', senderr: false, headers: [],
                    wires: [['auth-' + id]],
                });
            };
            TABLE.forEach((c, i) => {
                const { props, creds } = c.cfg(ctx);
                chain('bad-' + (i + 1), props, creds);
            });
            chain('good-tedee', { scheme: 'tedee', baseUrl: bridge.base }, { token: TEDEE_TOKEN });
            chain('good-ns', { scheme: 'nightscout', mode: 'jwt', baseUrl: ns.url }, { token: ns.tokenFor('Node-RED reader') });
            flow.push({ id: 'out', type: 'helper', z: tab });
            flow.push({ id: 'catch', type: 'catch', z: tab, scope: null, uncaught: false, wires: [['caught']] });
            flow.push({ id: 'caught', type: 'helper', z: tab });
            flow.forEach((n, i) => { if (n.z) { n.x = 100 + 20 * i; n.y = 100; } });
            return { flow, credentials };
        }

        /** Send msg into auth-<id>; resolve every result for this _msgid seen within settleMs after the first. */
        function send(id, msg, { timeoutMs = 15000, settleMs = 150 } = {}) {
            const out = helper.getNode('out');
            const caught = helper.getNode('caught');
            const auth = helper.getNode('auth-' + id);
            const mid = `r${++seq}`;
            msg._msgid = mid;
            return new Promise((resolve, reject) => {
                const seen = [];
                let settle = null;
                const finish = () => {
                    clearTimeout(timer);
                    out.removeListener('input', lo);
                    caught.removeListener('input', lc);
                    resolve(seen);
                };
                const hit = (via) => (m) => {
                    if (m._msgid !== mid) return;
                    seen.push({ via, msg: m });
                    if (!settle) settle = setTimeout(finish, settleMs);
                };
                const lo = hit('out');
                const lc = hit('caught');
                out.on('input', lo);
                caught.on('input', lc);
                const timer = setTimeout(() => {
                    out.removeListener('input', lo);
                    caught.removeListener('input', lc);
                    reject(new Error(`no answer from auth-${id} within ${timeoutMs} ms`));
                }, timeoutMs);
                auth.receive(msg);
            });
        }

        async function good() {
            const before = bridge.stats.accepted;
            let r = await send('good-tedee', { url: `${bridge.base}/bridge`, method: 'GET' }, { settleMs: 40 });
            assert.strictEqual(r.length, 1, JSON.stringify(r.map((x) => x.via)));
            assert.strictEqual(r[0].via, 'out', r[0].msg.error && r[0].msg.error.message);
            assert.strictEqual(r[0].msg.statusCode, 200);
            assert.strictEqual(bridge.stats.accepted, before + 1, 'the bridge accepted a fresh key');
            r = await send('good-ns', { url: `${ns.url}/api/v3/entries`, method: 'GET' }, { settleMs: 40 });
            assert.strictEqual(r.length, 1);
            assert.strictEqual(r[0].via, 'out', r[0].msg.error && r[0].msg.error.message);
            assert.strictEqual(r[0].msg.statusCode, 200);
            assert.ok(Array.isArray(r[0].msg.payload.result), 'authenticated v3 read');
        }

        before(async function () {
            process.on('uncaughtException', onUncaught);
            process.on('unhandledRejection', onUncaught);
            delete process.env[UNSET_VAR];
            bridge = await tedee.start({ token: TEDEE_TOKEN });
            ns = await nightscout.start({ apiSecret: NS_SECRET, subjects: NS_SUBJECTS, penaltyMs: 50 });
            bad = await faulty.start({ dripMs: 50 });
            closed = await faulty.closedPort();
            await helper.load(rt.NODES, buildFlow().flow, buildFlow().credentials);
        });

        after(async function () {
            await helper.unload();
            process.removeListener('uncaughtException', onUncaught);
            process.removeListener('unhandledRejection', onUncaught);
            for (const s of [bridge, ns, bad]) if (s) await s.close();
        });

        it(`has at least 25 cases (${TABLE.length})`, function () {
            assert.ok(TABLE.length >= 25);
            assert.strictEqual(new Set(TABLE.map((c) => c.name)).size, TABLE.length, 'case names are unique');
        });

        it('a good message works before any bad one', async function () {
            await good();
        });

        TABLE.forEach((c, i) => {
            const id = 'bad-' + (i + 1);
            it(`${i + 1}. ${c.name} → "${c.expect.slice(0, 70)}${c.expect.length > 70 ? '…' : ''}", then a good message works`, async function () {
                const sinkBefore = bad.stats.sink || 0;
                const msg = { url: `${bad.url}/sink/api`, method: 'GET', payload: 'p', ...(c.msg || {}) };
                if (msg.url === undefined) delete msg.url;
                const t0 = Date.now();
                const r = await send(id, msg);
                assert.strictEqual(r.length, 1, `exactly one result, got ${r.map((x) => x.via)}`);
                assert.strictEqual(r[0].via, 'caught', `expected an error, got a response ${r[0].msg.statusCode}`);
                const err = r[0].msg.error;
                assert.strictEqual(err.source.id, 'auth-' + id, 'the error comes from the auth node');
                // Node-RED's Catch node gets `err.toString()`: "Error: …" / "ApiAuthError: …"
                const text = err.message.replace(/^\w*Error: /, '');
                assert.ok(text.startsWith(`API credentials "${id}": `), err.message);
                assert.match(text, c.match);
                assert.ok(Date.now() - t0 < 5000, 'no hang');
                assert.strictEqual((bad.stats.sink || 0), sinkBefore, 'the API was not called with bad credentials');
                const auth = helper.getNode('auth-' + id);
                const statuses = auth.status.getCalls().filter((x) => x.thisValue === auth).map((x) => x.args[0]);
                const last = statuses[statuses.length - 1];
                assert.ok(last && last.fill === 'red', 'status red: ' + JSON.stringify(last));
                await good();
            });
        });

        it('the runtime is still healthy: no uncaught exception, no open sockets left on the faulty server', async function () {
            assert.deepStrictEqual(problems.map(String), []);
            await good();
            for (let i = 0; i < 40 && bad.open() > 0; i++) await new Promise((r) => setTimeout(r, 50));
            assert.strictEqual(bad.open(), 0, 'every connection to the faulty servers was closed');
        });

        it('the timeout defaults to 10 s and is the config node\'s setting', function () {
            const cfgs = [];
            helper._RED.nodes.eachNode((n) => { if (n.type === 'api-auth-config') cfgs.push(helper.getNode(n.id)); });
            const goodNs = helper.getNode('cfg-good-ns');
            assert.strictEqual(goodNs.timeoutMs, 10000);
            const hang = helper.getNode('cfg-bad-' + (TABLE.findIndex((c) => /never answers/.test(c.name)) + 1));
            assert.strictEqual(hang.timeoutMs, 300);
            assert.ok(cfgs.length >= TABLE.length);
        });
    });
}
