'use strict';
// The fake servers (test/fakes/*) and the real-TimeTagger harness, exercised directly with fetch
// and independent node:crypto computations, against the facts and vectors of PROTOCOLS.md.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const nightscout = require('./fakes/nightscout');
const timbr = require('./fakes/timbr');
const tedee = require('./fakes/tedee');
const actyx = require('./fakes/actyx');
const timetagger = require('./support/timetagger');
const { ensureVenv } = require('./support/python');

// Published vectors, copied from the protocol reference's sources into test/vectors/.
const VECTORS = path.join(__dirname, 'vectors');
const sha1 = (s) => crypto.createHash('sha1').update(s).digest('hex');
const sha256 = (s) => crypto.createHash('sha256').update(s).digest('hex');

async function get(url, init = {}) {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15000) });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch (_) { json = undefined; }
    return { status: res.status, text, json, type: res.headers.get('content-type') || '' };
}

// ---------------------------------------------------------------- Nightscout
describe('fake Nightscout (PROTOCOLS.md §3)', function () {
    const API_SECRET = 'abcdefghij123456';
    const V1_401 = { status: 401, message: 'Unauthorized', description: 'Invalid/Missing' };
    const jwtKey = crypto.randomBytes(32);
    let ns;
    before(async function () {
        ns = await nightscout.start({
            apiSecret: API_SECRET, jwtKey, penaltyMs: 300,
            subjects: [
                { id: '5f0000000000000000000001', name: 'Node-RED reader', roles: ['readable'] },
                { id: '5f0000000000000000000002', name: 'uploader', roles: ['readable', 'api:entries:create'] },
                { id: '5f0000000000000000000003', name: 'care', roles: ['careportal'] },
                { id: '5f0000000000000000000004', name: 'Boss', roles: ['admin'] },
            ],
            roles: { 'api:entries:create': ['api:entries:create'] },
        });
    });
    after(() => ns && ns.close());
    beforeEach(() => ns.clearPenalties());

    it('computes the access-token vector independently', function () {
        assert.equal(sha1('abcdefghij123456'), 'bcf210644ec3d5ee81ee80ab9e8907abb49c203d');
        assert.equal(sha1('this is my long pass phrase'), 'b723e97aa97846eb92d5264f084b2823f57c4aa1');
        const mine = 'noderedrea-' + sha1(sha1(API_SECRET) + '5f0000000000000000000001').slice(0, 16);
        assert.equal(mine, 'noderedrea-ecaba170b88208db');
        assert.equal(ns.tokenFor('Node-RED reader'), 'noderedrea-ecaba170b88208db');
        assert.equal(nightscout.accessToken(API_SECRET, '5f0000000000000000000001', 'Node-RED reader'), 'noderedrea-ecaba170b88208db');
    });

    it('accepts SHA-1 hex of API_SECRET in any case and SHA-512 in lower case on api-secret', async function () {
        for (const h of [sha1(API_SECRET), sha1(API_SECRET).toUpperCase(),
            crypto.createHash('sha512').update(API_SECRET).digest('hex')]) {
            const r = await get(`${ns.url}/api/v1/experiments/test`, { headers: { 'API-SECRET': h } });
            assert.equal(r.status, 200, h);
            assert.deepEqual(r.json, { status: 'ok' });
        }
    });

    it('refuses the plain secret, SHA-512 upper case, the underscore header and no header with the v1 body', async function () {
        const cases = [
            { 'api-secret': API_SECRET },
            { 'api-secret': crypto.createHash('sha512').update(API_SECRET).digest('hex').toUpperCase() },
            { api_secret: sha1(API_SECRET) },
            {},
        ];
        for (const headers of cases) {
            ns.clearPenalties();
            const r = await get(`${ns.url}/api/v1/experiments/test`, { headers });
            assert.equal(r.status, 401, JSON.stringify(Object.keys(headers)));
            assert.deepEqual(r.json, V1_401);
        }
    });

    it('lets ?secret= win over the header', async function () {
        let r = await get(`${ns.url}/api/v1/experiments/test?secret=${sha1(API_SECRET)}`, { headers: { 'api-secret': 'wrong' } });
        assert.equal(r.status, 200);
        ns.clearPenalties();
        r = await get(`${ns.url}/api/v1/experiments/test?secret=wrong`, { headers: { 'api-secret': sha1(API_SECRET) } });
        assert.equal(r.status, 401);
    });

    it('takes an access token raw or as SHA-1 in api-secret, and ?token=', async function () {
        const tok = ns.tokenFor('Node-RED reader');
        for (const init of [{ headers: { 'api-secret': tok } }, { headers: { 'api-secret': sha1(tok) } }]) {
            const r = await get(`${ns.url}/api/v1/entries.json`, init);
            assert.equal(r.status, 200);
            assert.ok(Array.isArray(r.json) && r.json.length > 0);
        }
        const q = await get(`${ns.url}/api/v1/entries.json?token=${tok}`);
        assert.equal(q.status, 200);
        // a readable token is not admin
        const adm = await get(`${ns.url}/api/v1/experiments/test`, { headers: { 'api-secret': tok } });
        assert.equal(adm.status, 401);
        assert.deepEqual(adm.json, V1_401);
        // an admin-role subject is
        ns.clearPenalties();
        const boss = await get(`${ns.url}/api/v1/experiments/test?token=${ns.tokenFor('Boss')}`);
        assert.equal(boss.status, 200);
    });

    it('verifyauth is always 200 and reports the rights', async function () {
        let r = await get(`${ns.url}/api/v1/verifyauth?token=not-a-token`);
        assert.equal(r.status, 200);
        assert.equal(r.json.status, 200);
        assert.equal(r.json.message.canRead, false);
        assert.equal(r.json.message.message, 'UNAUTHORIZED');
        r = await get(`${ns.url}/api/v1/verifyauth`, { headers: { 'api-secret': ns.tokenFor('Node-RED reader') } });
        assert.deepEqual(
            { canRead: r.json.message.canRead, canWrite: r.json.message.canWrite, isAdmin: r.json.message.isAdmin },
            { canRead: true, canWrite: false, isAdmin: false });
        r = await get(`${ns.url}/api/v1/verifyauth`, { headers: { 'api-secret': sha1(API_SECRET) } });
        assert.equal(r.json.message.isAdmin, true);
    });

    it('a bad ?token= is anonymous: 401 only because AUTH_DEFAULT_ROLES=denied', async function () {
        const r = await get(`${ns.url}/api/v1/entries.json?token=nobody-0000000000000000`);
        assert.equal(r.status, 401);
        assert.deepEqual(r.json, V1_401);
        const open = await nightscout.start({ apiSecret: API_SECRET, authDefaultRoles: 'readable', penaltyMs: 10 });
        try {
            const o = await get(`${open.url}/api/v1/entries.json?token=nobody-0000000000000000`);
            assert.equal(o.status, 200);
        } finally { await open.close(); }
    });

    it('exchanges an access token for a real HS256 JWT (8 h) and refuses unknown tokens', async function () {
        const tok = ns.tokenFor('Node-RED reader');
        const r = await get(`${ns.url}/api/v2/authorization/request/${tok}`);
        assert.equal(r.status, 200);
        const { token, sub, permissionGroups, iat, exp } = r.json;
        assert.equal(sub, 'Node-RED reader');
        assert.deepEqual(permissionGroups, [['*:*:read'], []]);
        assert.equal(exp - iat, 28800);
        assert.ok(Math.abs(iat - Date.now() / 1000) < 5);
        const [h, p, s] = token.split('.');
        assert.deepEqual(JSON.parse(Buffer.from(h, 'base64url')), { alg: 'HS256', typ: 'JWT' });
        assert.equal(crypto.createHmac('sha256', jwtKey).update(`${h}.${p}`).digest('base64url'), s);
        assert.equal(JSON.parse(Buffer.from(p, 'base64url')).exp, exp);

        const bad = await get(`${ns.url}/api/v2/authorization/request/noderedrea-0000000000000000`);
        assert.equal(bad.status, 401);
        assert.deepEqual(bad.json, V1_401);
        assert.ok(ns.stats.exchanges >= 2);
        assert.ok(ns.stats.exchangeFailures >= 1);
    });

    it('accepts Bearer <JWT> (scheme exactly Bearer), refuses a raw access token as Bearer and an expired JWT', async function () {
        const { json } = await get(`${ns.url}/api/v2/authorization/request/${ns.tokenFor('Node-RED reader')}`);
        let r = await get(`${ns.url}/api/v1/entries.json`, { headers: { Authorization: `Bearer ${json.token}` } });
        assert.equal(r.status, 200);
        ns.clearPenalties();
        r = await get(`${ns.url}/api/v1/entries.json`, { headers: { Authorization: `bearer ${json.token}` } });
        assert.equal(r.status, 401);
        ns.clearPenalties();
        r = await get(`${ns.url}/api/v1/entries.json`, { headers: { Authorization: `Bearer ${ns.tokenFor('Node-RED reader')}` } });
        assert.equal(r.status, 401);
        ns.clearPenalties();
        // forged signature
        const parts = json.token.split('.');
        r = await get(`${ns.url}/api/v1/entries.json`, { headers: { Authorization: `Bearer ${parts[0]}.${parts[1]}.${'A'.repeat(43)}` } });
        assert.equal(r.status, 401);
        ns.clearPenalties();
        ns.setClock(() => Date.now() + 28801 * 1000);
        try {
            r = await get(`${ns.url}/api/v1/entries.json`, { headers: { Authorization: `Bearer ${json.token}` } });
            assert.equal(r.status, 401);
        } finally { ns.setClock(undefined); }
    });

    it('API v3 answers the exact v3 errors', async function () {
        let r = await get(`${ns.url}/api/v3/entries`, { headers: { 'api-secret': sha1(API_SECRET) } });
        assert.equal(r.status, 401);
        assert.deepEqual(r.json, { status: 401, message: 'Missing or bad access token or JWT' });
        ns.clearPenalties();
        r = await get(`${ns.url}/api/v3/entries`, { headers: { Authorization: 'Bearer a.b.c' } });
        assert.equal(r.status, 401);
        assert.deepEqual(r.json, { status: 401, message: 'Bad access token or JWT' });
        ns.clearPenalties();
        r = await get(`${ns.url}/api/v3/entries`, { headers: { Authorization: `Bearer ${ns.jwtFor('care')}` } });
        assert.equal(r.status, 403);
        assert.deepEqual(r.json, { status: 403, message: 'Missing permission api:entries:read' });
        r = await get(`${ns.url}/api/v3/entries`, { headers: { Authorization: `Bearer ${ns.jwtFor('Node-RED reader')}` } });
        assert.equal(r.status, 200);
        assert.equal(r.json.status, 200);
        assert.ok(Array.isArray(r.json.result));
    });

    it('POST /api/v1/entries needs write and stores', async function () {
        const doc = [{ type: 'sgv', sgv: 101, date: 1700000600000 }];
        let r = await get(`${ns.url}/api/v1/entries`, { method: 'POST', headers: { 'api-secret': ns.tokenFor('Node-RED reader'), 'content-type': 'application/json' }, body: JSON.stringify(doc) });
        assert.equal(r.status, 401);
        ns.clearPenalties();
        const before = ns.stats.entriesPosted;
        r = await get(`${ns.url}/api/v1/entries`, { method: 'POST', headers: { Authorization: `Bearer ${ns.jwtFor('uploader')}`, 'content-type': 'application/json' }, body: JSON.stringify(doc) });
        assert.equal(r.status, 200);
        assert.equal(r.json[0].sgv, 101);
        assert.match(r.json[0]._id, /^[0-9a-f]{24}$/);
        assert.equal(ns.stats.entriesPosted, before + 1);
    });

    it('makes the next request of a failing IP wait penaltyMs per failure', async function () {
        const f0 = ns.stats.failures;
        const d0 = ns.stats.delayed;
        await get(`${ns.url}/api/v1/experiments/test`, { headers: { 'api-secret': 'wrong' } });
        await new Promise((r) => setTimeout(r, 5)); // the first failure's wait starts after it
        assert.equal(ns.stats.failures, f0 + 1);
        const t0 = Date.now();
        const r = await get(`${ns.url}/api/v1/experiments/test`, { headers: { 'api-secret': sha1(API_SECRET) } });
        const waited = Date.now() - t0;
        assert.equal(r.status, 200);
        assert.ok(waited >= 200, `waited only ${waited} ms`);
        assert.equal(ns.stats.delayed, d0 + 1);
        // success cleared the penalty
        const t1 = Date.now();
        await get(`${ns.url}/api/v1/verifyauth`);
        assert.ok(Date.now() - t1 < 200);
    });

    it('fault knobs: failExchange(n) with a status or a closed socket, down()/up()', async function () {
        const tok = ns.tokenFor('Node-RED reader');
        ns.failExchange(1, 500);
        assert.equal((await get(`${ns.url}/api/v2/authorization/request/${tok}`)).status, 500);
        assert.equal((await get(`${ns.url}/api/v2/authorization/request/${tok}`)).status, 200);
        ns.failExchange(1, 'close');
        await assert.rejects(get(`${ns.url}/api/v2/authorization/request/${tok}`));
        assert.equal((await get(`${ns.url}/api/v2/authorization/request/${tok}`)).status, 200);
        ns.down();
        assert.equal((await get(`${ns.url}/api/v1/verifyauth`)).status, 503);
        ns.up();
        assert.equal((await get(`${ns.url}/api/v1/verifyauth`)).status, 200);
    });

    it('close() ends keep-alive connections promptly', async function () {
        const s = await nightscout.start({ apiSecret: API_SECRET });
        await get(`${s.url}/api/v1/verifyauth`); // fetch keeps the socket alive
        const t0 = Date.now();
        await s.close();
        assert.ok(Date.now() - t0 < 1000);
    });
});

// ---------------------------------------------------------------- Timbr
describe('fake Timbr (PROTOCOLS.md §2)', function () {
    // An independent Fernet encoder for the tests.
    function fernet(keyB64, plaintext, ts, iv = crypto.randomBytes(16)) {
        const key = Buffer.from(keyB64, 'base64url');
        const c = crypto.createCipheriv('aes-128-cbc', key.subarray(16), iv);
        const body = Buffer.concat([Buffer.from([0x80]), Buffer.alloc(8), iv, c.update(plaintext), c.final()]);
        body.writeBigUInt64BE(BigInt(ts), 1);
        const mac = crypto.createHmac('sha256', key.subarray(0, 16)).update(body).digest();
        return padded(Buffer.concat([body, mac]));
    }
    const padded = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    const KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
    const now = () => Math.floor(Date.now() / 1000);
    const exchange = (t, tok, headers = {}) => get(`${t.url}/timbr/api/get_token`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tok}`, ...headers },
    });

    it('derives the keys of the vectors', function () {
        assert.equal(timbr.deriveKey(KEY, 'key').toString('base64'), KEY.replace(/-/g, '+').replace(/_/g, '/'));
        assert.equal(padded(timbr.deriveKey('my-api-auth-salt', 'md5')), 'NTI3ZWEzNzIzNWE1NzE3ZWI2NjRjZWE0OWI2YzQ0NDE=');
        assert.equal(padded(timbr.deriveKey('my-api-auth-salt', 'sha256')), 'PgVdkQKq-HVNcfPdVO2ORz1A1MsRA_4LaFRhzJm88Dc=');
        // md5 mode: the 32 ASCII hex chars are the key bytes
        assert.equal(timbr.deriveKey('my-api-auth-salt', 'md5').toString('ascii'), crypto.createHash('md5').update('my-api-auth-salt').digest('hex'));
    });

    it('its Fernet passes the spec vectors (verify.json, invalid.json)', function () {
        const specDir = path.join(VECTORS, 'fernet');
        for (const v of JSON.parse(fs.readFileSync(path.join(specDir, 'verify.json'), 'utf8'))) {
            const r = timbr.fernetDecrypt(Buffer.from(v.secret, 'base64url'), v.token, Date.parse(v.now) / 1000, v.ttl_sec);
            assert.ok(r.ok, r.reason);
            assert.equal(r.plaintext.toString(), v.src);
        }
        for (const v of JSON.parse(fs.readFileSync(path.join(specDir, 'invalid.json'), 'utf8'))) {
            const r = timbr.fernetDecrypt(Buffer.from(v.secret, 'base64url'), v.token, Date.parse(v.now) / 1000, v.ttl_sec);
            assert.equal(r.ok, false, v.desc);
        }
        for (const v of JSON.parse(fs.readFileSync(path.join(specDir, 'generate.json'), 'utf8'))) {
            const iv = Buffer.from(v.iv);
            assert.equal(timbr.fernetEncrypt(Buffer.from(v.secret, 'base64url'), v.src, Date.parse(v.now) / 1000, iv), v.token);
            assert.equal(fernet(v.secret, v.src, Date.parse(v.now) / 1000, iv), v.token);
        }
    });

    it('exchanges the PROTOCOLS vector (admin/secret, t=1700000000, IV 0..15) at that time', async function () {
        const t = await timbr.start({ salt: KEY, now: 1700000000 * 1000 + 500 });
        try {
            const tok = fernet(KEY, 'YWRtaW46c2VjcmV0', 1700000000, Buffer.from([...Array(16).keys()]));
            const r = await exchange(t, tok);
            assert.equal(r.status, 200);
            assert.equal(r.json.status, 'success');
            assert.match(r.json.data[0], /^tk_[0-9a-f]{32}$/);
            assert.equal(t.stats.exchanges, 1);
        } finally { await t.close(); }
    });

    for (const keyMode of ['key', 'md5', 'sha256']) {
        for (const plaintextMode of ['base64', 'plain']) {
            it(`keyMode ${keyMode}, plaintext ${plaintextMode}: right credentials pass, wrong key or password fail`, async function () {
                const salt = keyMode === 'key' ? KEY : 'my-api-auth-salt';
                const t = await timbr.start({ salt, keyMode, plaintextMode, users: { admin: 'secret' } });
                try {
                    const keyB64 = keyMode === 'key' ? KEY
                        : keyMode === 'md5' ? padded(Buffer.from(crypto.createHash('md5').update(salt).digest('hex')))
                            : padded(crypto.createHash('sha256').update(salt).digest());
                    const pt = (s) => (plaintextMode === 'base64' ? Buffer.from(s).toString('base64') : s);
                    let r = await exchange(t, fernet(keyB64, pt('admin:secret'), now()));
                    assert.equal(r.status, 200, r.text);
                    r = await exchange(t, fernet(keyB64, pt('admin:wrong'), now()));
                    assert.equal(r.status, 401);
                    assert.equal(r.json.status, 'error');
                    assert.equal(typeof r.json.data, 'string');
                    const otherKey = padded(crypto.randomBytes(32));
                    r = await exchange(t, fernet(otherKey, pt('admin:secret'), now()));
                    assert.equal(r.status, 401);
                    // the other plaintext mode is refused
                    const wrongPt = plaintextMode === 'base64' ? 'admin:secret' : Buffer.from('admin:secret').toString('base64');
                    r = await exchange(t, fernet(keyB64, wrongPt, now()));
                    assert.equal(r.status, 401);
                } finally { await t.close(); }
            });
        }
    }

    it('refuses stale, far-future, unpadded and non-Bearer tokens', async function () {
        const t = await timbr.start({ salt: KEY, ttlSecs: 60 });
        try {
            const pt = Buffer.from('admin:secret').toString('base64');
            for (const [desc, tok, headers] of [
                ['older than ttl', fernet(KEY, pt, now() - 120)],
                ['more than 60 s ahead', fernet(KEY, pt, now() + 120)],
                ['no padding', fernet(KEY, pt, now()).replace(/=+$/, '')],
                ['scheme Basic', null, { Authorization: `Basic ${fernet(KEY, pt, now())}` }],
            ]) {
                const r = tok ? await exchange(t, tok, headers) : await exchange(t, 'x', headers);
                assert.equal(r.status, 401, desc);
                assert.equal(r.json.status, 'error', desc);
            }
            // within the allowed skew
            assert.equal((await exchange(t, fernet(KEY, pt, now() + 30))).status, 200);
        } finally { await t.close(); }
    });

    it('accepts what Python cryptography\'s Fernet makes (interop)', async function () {
        this.timeout(120000);
        const py = ensureVenv();
        const t = await timbr.start({ salt: 'my-api-auth-salt', keyMode: 'md5' });
        try {
            const tok = execFileSync(py, ['-c', [
                'import base64, hashlib',
                'from cryptography.fernet import Fernet',
                "k = base64.urlsafe_b64encode(hashlib.md5(b'my-api-auth-salt').hexdigest().encode())",
                "print(Fernet(k).encrypt(base64.b64encode(b'admin:secret')).decode())",
            ].join('\n')], { encoding: 'utf8' }).trim();
            const r = await exchange(t, tok);
            assert.equal(r.status, 200, r.text);
        } finally { await t.close(); }
    });

    it('guards the API with x-api-key + JSON Content-Type; revoke/revokeAll; setTokenReply; faults', async function () {
        const t = await timbr.start({ salt: KEY });
        try {
            const pt = Buffer.from('admin:secret').toString('base64');
            const tk = (await exchange(t, fernet(KEY, pt, now()))).json.data[0];
            const call = (headers) => get(`${t.url}/timbr/api/ontologies`, { headers });
            let r = await call({ 'x-api-key': tk, 'Content-Type': 'application/json' });
            assert.equal(r.status, 200);
            assert.equal(r.json.status, 'success');
            r = await get(`${t.url}/timbr/api/query/demo`, { method: 'POST', headers: { 'x-api-key': tk, 'Content-Type': 'application/json' }, body: '{"query":"SELECT 1"}' });
            assert.equal(r.status, 200);
            r = await call({ 'x-api-key': tk });
            assert.equal(r.status, 400);
            assert.equal(r.json.status, 'error');
            r = await call({ 'Content-Type': 'application/json' });
            assert.equal(r.status, 401);
            r = await call({ 'x-api-key': 'tk_unknown', 'Content-Type': 'application/json' });
            assert.equal(r.status, 401);
            assert.ok(t.revoke(tk));
            r = await call({ 'x-api-key': tk, 'Content-Type': 'application/json' });
            assert.equal(r.status, 403);
            assert.deepEqual(r.json, { status: 'error', data: 'token revoked' });
            const tk2 = (await exchange(t, fernet(KEY, pt, now()))).json.data[0];
            t.revokeAll();
            assert.equal((await call({ 'x-api-key': tk2, 'Content-Type': 'application/json' })).status, 403);

            t.setTokenReply({ status: 200, body: '<html>login</html>', contentType: 'text/html', times: 1 });
            r = await exchange(t, fernet(KEY, pt, now()));
            assert.equal(r.status, 200);
            assert.match(r.type, /text\/html/);
            assert.equal((await exchange(t, fernet(KEY, pt, now()))).status, 200);
            assert.ok(Array.isArray((await exchange(t, fernet(KEY, pt, now()))).json.data));
            t.setTokenReply({ status: 200, body: {} });
            assert.deepEqual((await exchange(t, fernet(KEY, pt, now()))).json, {});
            t.setTokenReply(null);
            t.failExchange(1, 500);
            assert.equal((await exchange(t, fernet(KEY, pt, now()))).status, 500);
            assert.equal((await exchange(t, fernet(KEY, pt, now()))).status, 200);
        } finally { await t.close(); }
    });
});

// ---------------------------------------------------------------- Tedee
describe('fake Tedee bridge (PROTOCOLS.md §4)', function () {
    const TOKEN = 'BE9xnPnGfVUS';
    const INVALID = { 'error-description': 'Invalid token' };
    const key = (ms) => sha256(TOKEN + ms) + ms;

    it('matches the seed vector', function () {
        assert.equal(key(1691058833000), 'e59d9763edc6e59f2faccf9a769e5cf170d68439c3fd67afae5e3e72d0463a711691058833000');
        assert.equal(tedee.tedeeKey(TOKEN, 1691058833000), key(1691058833000));
    });

    it('encrypted: fresh key accepted once (header or query); replay, stale and wrong refused alike', async function () {
        const b = await tedee.start({ token: TOKEN });
        try {
            const k = key(Date.now());
            let r = await get(`${b.url}/v1.0/bridge`, { headers: { api_token: k } });
            assert.equal(r.status, 200);
            r = await get(`${b.url}/v1.0/bridge`, { headers: { api_token: k } });
            assert.equal(r.status, 401);
            assert.deepEqual(r.json, INVALID);
            assert.equal(b.stats.replays, 1);
            r = await get(`${b.url}/v1.0/lock?api_token=${key(Date.now() + 1)}`);
            assert.equal(r.status, 200);
            assert.equal(r.json[0].id, 12345);
            r = await get(`${b.url}/v1.0/lock`, { headers: { api_token: key(Date.now() - 120000) } });
            assert.deepEqual([r.status, r.json], [401, INVALID]);
            r = await get(`${b.url}/v1.0/lock`, { headers: { api_token: sha256('other' + Date.now()) + Date.now() } });
            assert.deepEqual([r.status, r.json], [401, INVALID]);
            r = await get(`${b.url}/v1.0/lock`, { headers: { 'api-token': key(Date.now() + 2) } });
            assert.deepEqual([r.status, r.json], [401, INVALID]);
            r = await get(`${b.url}/v1.0/lock`, { headers: { api_token: TOKEN } });
            assert.equal(r.status, 401);
            r = await get(`${b.url}/v1.0/lock/12345/unlock`, { method: 'POST', headers: { api_token: key(Date.now() + 3) } });
            assert.equal(r.status, 202);
            assert.deepEqual([b.stats.accepted, b.stats.rejected, b.stats.stale, b.stats.unlock], [3, 5, 1, 1]);
        } finally { await b.close(); }
    });

    it('judges freshness by its own clock and window', async function () {
        const b = await tedee.start({ token: TOKEN, now: 1691058833000, windowMs: 5000 });
        try {
            assert.equal((await get(`${b.url}/v1.0/bridge`, { headers: { api_token: key(1691058833000) } })).status, 200);
            assert.equal((await get(`${b.url}/v1.0/bridge`, { headers: { api_token: key(1691058837000) } })).status, 200);
            assert.equal((await get(`${b.url}/v1.0/bridge`, { headers: { api_token: key(1691058839000) } })).status, 401);
            assert.equal((await get(`${b.url}/v1.0/bridge`, { headers: { api_token: key(Date.now()) } })).status, 401);
        } finally { await b.close(); }
    });

    it('plain mode takes the token itself, repeatedly', async function () {
        const b = await tedee.start({ token: TOKEN, mode: 'plain' });
        try {
            for (let i = 0; i < 2; i++) assert.equal((await get(`${b.url}/v1.0/bridge`, { headers: { api_token: TOKEN } })).status, 200);
            assert.equal((await get(`${b.url}/v1.0/bridge`, { headers: { api_token: key(Date.now()) } })).status, 401);
        } finally { await b.close(); }
    });
});

// ---------------------------------------------------------------- Actyx
describe('fake Actyx (PROTOCOLS.md §5)', function () {
    // the sample token of the Actyx Auth API document
    const SEED_TOKEN = fs.readFileSync(path.join(VECTORS, 'actyx-seed-token.txt'), 'utf8').trim();
    let ax;
    before(async () => { ax = await actyx.start({ acceptSignature: 'good-signature' }); });
    after(() => ax && ax.close());
    const auth = (body, headers = { 'Content-Type': 'application/json' }) => get(`${ax.url}/api/v2/auth`, { method: 'POST', headers, body: JSON.stringify(body) });
    const manifest = { appId: 'com.example.app', displayName: 'Example App', version: '1.0.0' };

    it('decodes the seed sample token', function () {
        const d = actyx.decodeToken(SEED_TOKEN);
        assert.deepEqual(d.payload, { created: 1620822548954578, appId: 'com.example.app', cycles: 0, appVersion: '1.0.0', validity: 86400, appMode: 'trial' });
        assert.equal(d.publicKey.length, 32);
        assert.equal(d.signature.length, 64);
        assert.ok(actyx.cborEncode(d.payload).equals(d.cbor), 'the CBOR encoder reproduces the seed bytes');
    });

    it('issues a real, Ed25519-signed token as application/json', async function () {
        const r = await auth({ ...manifest, extra: 'ignored' });
        assert.equal(r.status, 200);
        assert.equal(r.type, 'application/json', 'no charset, as the real node');
        const raw = Buffer.from(r.json.token, 'base64');
        const len = raw.readUInt32BE(0);
        assert.equal(raw.length, 4 + len + 1 + 32 + 64);
        const d = actyx.decodeToken(r.json.token);
        assert.equal(d.payload.appId, 'com.example.app');
        assert.equal(d.payload.appVersion, '1.0.0');
        assert.equal(d.payload.validity, 86400);
        assert.equal(d.payload.appMode, 'trial');
        assert.ok(Math.abs(d.payload.created - Date.now() * 1000) < 5e6);
        assert.ok(d.publicKey.equals(ax.publicKey));
        const pub = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), d.publicKey]), format: 'der', type: 'spki' });
        assert.ok(crypto.verify(null, raw.subarray(4, 4 + len), pub, d.signature));
    });

    it('validates the manifest with the exact errors', async function () {
        let r = await auth({ ...manifest, appId: 'com.acme.app' });
        assert.equal(r.status, 400);
        assert.deepEqual(r.json, { code: 'ERR_BAD_REQUEST', message: "Invalid request. Trial app id needs to start with 'com.example.'. Got 'com.acme.app'." });
        r = await auth({ ...manifest, appId: 'com.acme.app', signature: 'forged' });
        assert.deepEqual([r.status, r.json.code], [400, 'ERR_MANIFEST_INVALID']);
        r = await auth({ appId: 'com.example.app', version: '1.0.0' });
        assert.deepEqual([r.status, r.json.code], [400, 'ERR_BAD_REQUEST']);
        assert.match(r.json.message, /displayName/);
        r = await auth({ ...manifest, appId: 'com.example.App' });
        assert.deepEqual([r.status, r.json.code], [400, 'ERR_BAD_REQUEST']);
        r = await auth({ ...manifest, appId: 'com.acme.app', signature: 'good-signature' });
        assert.equal(r.status, 200);
        assert.equal(actyx.decodeToken(r.json.token).payload.appMode, 'signed');
    });

    it('guards the API: Bearer or raw access_token; exact auth errors; node/id needs no token', async function () {
        const tok = (await auth(manifest)).json.token;
        const OFFSETS = `${ax.url}/api/v2/events/offsets`;
        let r = await get(`${ax.url}/api/v2/node/id`);
        assert.equal(r.status, 200, 'the real node answers node/id without a token');
        assert.equal(r.text, ax.nodeId);
        assert.equal(ax.nodeId, actyx.nodeIdOf(ax.publicKey));
        assert.match(r.type, /^text\/plain; charset=utf-8$/);
        r = await get(OFFSETS, { headers: { Authorization: `Bearer ${tok}` } });
        assert.equal(r.status, 200);
        assert.equal(r.type, 'application/json');
        assert.ok(r.json.present);
        r = await get(`${OFFSETS}?access_token=${tok}`);
        assert.equal(r.status, 200);
        // percent-encoded token: the server does not decode it -> unparsable
        let enc = tok;
        while (encodeURIComponent(enc) === enc) enc = ax.issue();
        r = await get(`${OFFSETS}?access_token=${encodeURIComponent(enc)}`);
        assert.deepEqual([r.status, r.json.code], [400, 'ERR_TOKEN_INVALID']);
        assert.equal(r.json.message, `Invalid token: '${encodeURIComponent(enc)}'. Cannot parse token bytes. Please provide a valid bearer token.`);
        r = await get(OFFSETS);
        assert.deepEqual([r.status, r.json], [401, { code: 'ERR_MISSING_AUTH_HEADER', message: '"Authorization" header is missing.' }]);
        r = await get(OFFSETS, { headers: { Authorization: `bearer ${tok}` } });
        assert.deepEqual([r.status, r.json], [401, { code: 'ERR_UNSUPPORTED_AUTH_TYPE', message: 'Unsupported authentication type \'bearer\'. Only "Bearer" is supported.' }]);
        r = await get(OFFSETS, { headers: { Authorization: 'Bearer not-a-token' } });
        assert.deepEqual([r.status, r.json.code], [400, 'ERR_TOKEN_INVALID']);
        assert.equal(typeof r.json.message, 'string');
        r = await get(OFFSETS, { headers: { Authorization: `Bearer ${SEED_TOKEN}` } });
        assert.deepEqual([r.status, r.json], [401, { code: 'ERR_TOKEN_UNAUTHORIZED', message: 'Unauthorized token.' }]);
        const other = await actyx.start();
        try {
            r = await get(OFFSETS, { headers: { Authorization: `Bearer ${other.issue()}` } });
            assert.deepEqual([r.status, r.json.code], [401, 'ERR_TOKEN_UNAUTHORIZED']);
        } finally { await other.close(); }
    });

    it('expires tokens after validity and on restart()', async function () {
        const n = await actyx.start({ validitySecs: 60 });
        try {
            const tok = (await get(`${n.url}/api/v2/auth`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(manifest) })).json.token;
            assert.equal(actyx.decodeToken(tok).payload.validity, 60);
            const call = (t) => get(`${n.url}/api/v2/events/offsets`, { headers: { Authorization: `Bearer ${t}` } });
            assert.equal((await call(tok)).status, 200);
            n.setClock(() => Date.now() + 61000);
            let r = await call(tok);
            assert.deepEqual([r.status, r.json.code], [401, 'ERR_TOKEN_EXPIRED']);
            n.setClock(undefined);
            assert.equal((await call(tok)).status, 200);
            n.restart();
            r = await call(tok);
            assert.deepEqual([r.status, r.json], [401, { code: 'ERR_TOKEN_EXPIRED', message: 'Expired token.' }]);
            assert.equal(actyx.decodeToken(n.issue()).payload.cycles, 1, 'tokens after the restart carry cycles + 1');
            assert.equal((await call(n.issue())).status, 200);
            n.failExchange(1, 500);
            assert.equal((await get(`${n.url}/api/v2/auth`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(manifest) })).status, 500);
            assert.equal(n.stats.exchanges, 2);
        } finally { await n.close(); }
    });
});

// ---------------------------------------------------------------- TimeTagger (real server)
describe('real TimeTagger harness (PROTOCOLS.md §1)', function () {
    this.timeout(120000);
    let tt;
    before(async () => { tt = await timetagger.start(); });
    after(() => tt && tt.close());

    it('answers /version with the authtoken header', async function () {
        assert.match(tt.base, /^http:\/\/127\.0\.0\.1:\d+\/timetagger\/api\/v2\/$/);
        const r = await get(`${tt.base}version`, { headers: { authtoken: tt.apiToken } });
        assert.equal(r.status, 200);
        assert.deepEqual(r.json, { version: '26.1.3' });
        const payload = JSON.parse(Buffer.from(tt.apiToken.split('.')[1], 'base64url'));
        assert.equal(payload.username, tt.username);
        assert.ok(payload.expires > 32e9, 'API tokens expire in the year 3000');
    });

    it('refuses Authorization: Bearer and "authtoken: Bearer <t>"', async function () {
        let r = await get(`${tt.base}version`, { headers: { Authorization: `Bearer ${tt.apiToken}` } });
        assert.equal(r.status, 401);
        assert.equal(r.text, "unauthorized: Missing jwt 'authtoken' in header.");
        r = await get(`${tt.base}version`, { headers: { authtoken: `Bearer ${tt.apiToken}` } });
        assert.equal(r.status, 401);
    });

    it('resetApiToken() revokes the old token', async function () {
        const old = tt.apiToken;
        const fresh = await tt.resetApiToken();
        assert.notEqual(fresh, old);
        let r = await get(`${tt.base}version`, { headers: { authtoken: old } });
        assert.equal(r.status, 401);
        assert.equal(r.text, 'unauthorized: The apitoken is revoked (seed does not match)');
        r = await get(`${tt.base}version`, { headers: { authtoken: fresh } });
        assert.equal(r.status, 200);
    });

    it('close() stops the server', async function () {
        const s = await timetagger.start();
        await s.close();
        await assert.rejects(get(`${s.root}/timetagger/status`));
    });
});
