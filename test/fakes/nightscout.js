'use strict';
// Fake Nightscout (cgm-remote-monitor v15) written from PROTOCOLS.md §3 — no real one can run
// here (needs MongoDB). Plain node:http + node:crypto, independent of the project's core.
//
// Enforced facts (PROTOCOLS.md §3, cross-read with Nightscout's lib/authorization):
// - API_SECRET is taken as lib/server/env.js takes it: every environment value is trimmed
//   (lodash _trim = JavaScript's trim), then its `.length` (UTF-16 code units) must be ≥ 12 or the
//   server does not start; the hashes are of the trimmed value's UTF-8 bytes, TABs inside included.
// - API secret in header `api-secret` (dash; header names case-insensitive; `api_secret` with
//   underscore is ignored). Accepted: SHA-1 hex of API_SECRET (any case), SHA-512 hex (lower
//   case), not trimmed. The plain secret is NOT accepted. A non-empty `?secret=` is read instead
//   of the header (an empty one falls back to it); the string "null" means no secret.
// - Access tokens: abbrev + "-" + first 16 hex of sha1(sha1hex(API_SECRET) + subjectIdHex),
//   abbrev = lower-cased name without chars outside [A-Za-z0-9_], cut to 10. Matched as
//   storage.findSubject does: the part after the last dash (16+ chars) is a prefix of the subject's
//   digest, or the whole value is a prefix (16+) of the token's SHA-1 hex; case-sensitive, not
//   trimmed. In `api-secret` / `?secret=`, or as `?token=` (a bad ?token= is anonymous, never a 401
//   by itself).
// - GET /api/v2/authorization/request/<accessToken> -> 200 {token, sub, permissionGroups, iat,
//   exp = iat + jwtLifetimeSecs (28800)}; unknown -> 401 v1 body. The JWT is real HS256
//   (payload {accessToken, iat, exp}), verified on use (signature + exp against the fake clock).
// - `Authorization: Bearer <JWT>`, scheme exactly `Bearer`; a raw access token as Bearer fails.
//   A bad/expired JWT on v1 -> 401 (text "Unauthorized - Invalid/Missing", as the real server).
// - v1 refusal body: 401 {"status":401,"message":"Unauthorized","description":"Invalid/Missing"}.
// - GET /api/v1/experiments/test needs admin ('*'), GET /api/v1/verifyauth is always 200,
//   GET /api/v1/entries(.json) needs api:entries:read, POST /api/v1/entries needs api:entries:create.
// - API v3 (GET /api/v3/entries) accepts only Bearer JWT: 401 "Missing or bad access token or JWT"
//   (none), 401 "Bad access token or JWT" (invalid/expired), 403 "Missing permission api:entries:read".
// - AUTH_DEFAULT_ROLES (default 'denied'): roles of anonymous requests.
// - Failed attempts slow the client IP: each failure adds penaltyMs (real: 5000) to the IP's
//   delay deadline; every request from that IP first waits until the deadline; an authorised
//   request clears it (Nightscout's ipDelayList). Failures = unknown api-secret, denied request,
//   bad/expired Bearer JWT (v1 and v3).
//
// start(opts) -> { url, port, close(), stats, tokenFor(subject), jwtFor(subject, iatSecs?),
//   setClock(fnOrMs), failExchange(n, how), down(how), up(), subjects, apiSecretSha1, apiSecretSha512 }
const crypto = require('node:crypto');
const { readBody, send, parseUrl, faultKnob, listen, clock } = require('./_util');

const V1_401 = { status: 401, message: 'Unauthorized', description: 'Invalid/Missing' };

const ROLES = {
    admin: ['*'],
    denied: [],
    'status-only': ['api:status:read'],
    readable: ['*:*:read'],
    careportal: ['api:treatments:create'],
    'devicestatus-upload': ['api:devicestatus:create'],
};

const sha1 = (s) => crypto.createHash('sha1').update(s).digest('hex');
const sha512 = (s) => crypto.createHash('sha512').update(s).digest('hex');
const b64u = (buf) => Buffer.from(buf).toString('base64url');

function abbrevOf(name) {
    return String(name).toLowerCase().replace(/[^A-Za-z0-9_]/g, '').slice(0, 10);
}

/** Nightscout access token of a subject (PROTOCOLS.md §3). */
function accessToken(apiSecret, subjectId, name) {
    return abbrevOf(name) + '-' + sha1(sha1(apiSecret) + subjectId).slice(0, 16);
}

/** Shiro-style permission check: grant "a:*:read" implies "a:entries:read"; "*" implies all. */
function implies(grant, perm) {
    const g = grant.split(':');
    const p = perm.split(':');
    for (let i = 0; i < g.length; i++) {
        if (g[i] === '*') continue;
        if (i >= p.length) return false;
        if (!g[i].split(',').includes(p[i]) && p[i] !== g[i]) return false;
    }
    return true;
}

async function start(opts = {}) {
    if (typeof opts.apiSecret !== 'string' || opts.apiSecret.trim().length < 12) {
        throw new Error('nightscout fake: opts.apiSecret must be a string of at least 12 characters (after trimming, as env.js does)');
    }
    const apiSecret = opts.apiSecret.trim();
    const jwtLifetimeSecs = opts.jwtLifetimeSecs ?? 28800;
    const penaltyMs = opts.penaltyMs ?? 5000;
    const roles = { ...ROLES, ...(opts.roles || {}) };
    const defaultRoles = String(opts.authDefaultRoles ?? 'denied').split(/[, :]/).filter(Boolean);
    const jwtKey = opts.jwtKey || crypto.randomBytes(32);
    const clk = clock(opts);
    const secretSha1 = sha1(apiSecret);
    const secretSha512 = sha512(apiSecret);

    const subjects = (opts.subjects || []).map((s) => {
        if (!/^[0-9a-f]{24}$/.test(s.id)) throw new Error(`nightscout fake: subject id must be 24 hex chars: ${s.id}`);
        const token = accessToken(apiSecret, s.id, s.name);
        return { id: s.id, name: s.name, roles: s.roles || [], accessToken: token, tokenDigest: sha1(token), digest: sha1(sha1(apiSecret) + s.id) };
    });
    const findSubject = (t) => {
        if (!t || typeof t !== 'string') return null;
        const tail = t.split('-').pop();
        if (tail.length < 16) return null;
        return subjects.find((s) => s.tokenDigest.indexOf(t) === 0 || s.digest.indexOf(tail) === 0) || null;
    };

    const stats = {
        requests: 0, exchanges: 0, exchangeFailures: 0, failures: 0,
        delayed: 0, delayedMs: 0, entriesPosted: 0, faults: 0,
        log: [], // last 200 requests: { method, path, query, headers }
    };
    const entries = [
        { _id: '65a000000000000000000001', type: 'sgv', sgv: 120, direction: 'Flat', date: 1700000000000, dateString: '2023-11-14T22:13:20.000Z' },
        { _id: '65a000000000000000000002', type: 'sgv', sgv: 118, direction: 'Flat', date: 1699999700000, dateString: '2023-11-14T22:08:20.000Z' },
    ];
    const delayList = new Map(); // ip -> deadline (real ms)
    const exchangeFault = faultKnob();
    const allFault = faultKnob();
    if (opts.failExchange) exchangeFault.set(opts.failExchange, opts.failExchangeHow ?? 500);

    function addFailedRequest(ip) {
        stats.failures += 1;
        const now = Date.now();
        const entry = delayList.get(ip);
        delayList.set(ip, (entry && entry > now ? entry : now) + penaltyMs);
    }
    const succeeded = (ip) => delayList.delete(ip);

    function signJwt(subject, iat) {
        const header = b64u(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
        const payload = b64u(JSON.stringify({ accessToken: subject.accessToken, iat, exp: iat + jwtLifetimeSecs }));
        const sig = b64u(crypto.createHmac('sha256', jwtKey).update(`${header}.${payload}`).digest());
        return `${header}.${payload}.${sig}`;
    }
    /** -> subject, or null when the JWT is malformed, badly signed, expired or names no subject */
    function verifyJwt(tok) {
        const parts = String(tok).split('.');
        if (parts.length !== 3) return null;
        let header; let payload;
        try {
            header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
            payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
        } catch (_) { return null; }
        if (!header || header.alg !== 'HS256' || !payload || typeof payload !== 'object') return null;
        const want = crypto.createHmac('sha256', jwtKey).update(`${parts[0]}.${parts[1]}`).digest();
        const got = Buffer.from(parts[2], 'base64url');
        if (got.length !== want.length || !crypto.timingSafeEqual(got, want)) return null;
        if (typeof payload.exp !== 'number' || Math.floor(clk.now() / 1000) >= payload.exp) return null;
        return subjects.find((s) => s.accessToken === payload.accessToken) || null;
    }

    const permsOf = (roleNames) => roleNames.flatMap((r) => roles[r] || []);
    const can = (grants, perm) => grants.some((g) => implies(g, perm));

    /**
     * Resolve the caller: { kind: 'admin'|'subject'|'anonymous'|'badjwt', grants, subject, failed }
     * Order as the real server: secret (query wins) -> admin hash or access token; Bearer JWT;
     * ?token= access token; else anonymous with the default roles.
     */
    function resolve(req, u) {
        const defaults = permsOf(defaultRoles);
        let secret = u.query.get('secret') || req.headers['api-secret'];
        if (secret === 'null') secret = undefined;
        let badSecret = false;
        if (secret) {
            if (secret.toLowerCase() === secretSha1 || secret === secretSha512) {
                return { kind: 'admin', grants: ['*'] };
            }
            const s = findSubject(secret);
            if (s) return { kind: 'subject', subject: s, grants: permsOf(s.roles).concat(defaults) };
            badSecret = true;
        }
        const auth = req.headers.authorization;
        if (auth) {
            const parts = auth.split(' ');
            if (parts.length === 2 && parts[0] === 'Bearer') {
                const s = verifyJwt(parts[1]);
                if (!s) return { kind: 'badjwt', grants: [], badSecret };
                return { kind: 'subject', subject: s, grants: permsOf(s.roles).concat(defaults), badSecret };
            }
        }
        const qt = u.query.get('token');
        if (qt) {
            const s = findSubject(qt);
            if (s) return { kind: 'subject', subject: s, grants: permsOf(s.roles).concat(defaults), badSecret };
        }
        return { kind: 'anonymous', grants: defaults, badSecret };
    }

    async function waitPenalty(ip) {
        const deadline = delayList.get(ip);
        const wait = deadline ? deadline - Date.now() : 0;
        if (wait > 0) {
            stats.delayed += 1;
            stats.delayedMs += wait;
            await srv.delay(wait);
        }
    }

    /** v1 permission gate; returns true when the request may proceed (else it answered). */
    function v1Permit(req, res, who, ip, perm) {
        if (who.kind === 'badjwt') {
            addFailedRequest(ip);
            send(res, 401, 'Unauthorized - Invalid/Missing', 'text/plain; charset=utf-8');
            return false;
        }
        if (can(who.grants, perm)) { succeeded(ip); return true; }
        addFailedRequest(ip);
        send(res, 401, V1_401);
        return false;
    }

    async function handle(req, res) {
        stats.requests += 1;
        const u = parseUrl(req);
        stats.log.push({ method: req.method, path: u.pathname, query: Object.fromEntries(u.query), headers: { ...req.headers } });
        if (stats.log.length > 200) stats.log.shift();
        if (allFault.apply(req, res, stats)) return;
        const ip = req.headers['x-forwarded-for'] || req.socket.remoteAddress;
        const path = u.pathname.replace(/\/+$/, '') || '/';

        await waitPenalty(ip);

        const ex = /^\/api\/v2\/authorization\/request\/([^/]+)$/.exec(path);
        if (ex && req.method === 'GET') {
            stats.exchanges += 1;
            if (exchangeFault.apply(req, res, stats)) return;
            let tok;
            try { tok = decodeURIComponent(ex[1]); } catch (_) { tok = ex[1]; }
            const s = findSubject(tok);
            if (!s) { stats.exchangeFailures += 1; send(res, 401, V1_401); return; }
            const iat = Math.floor(clk.now() / 1000);
            const groups = [...new Set(s.roles.concat(defaultRoles))].map((r) => roles[r] || []);
            send(res, 200, { token: signJwt(s, iat), sub: s.name, permissionGroups: groups, iat, exp: iat + jwtLifetimeSecs });
            return;
        }

        if (path === '/api/v1/verifyauth' && req.method === 'GET') {
            const who = resolve(req, u);
            if (who.badSecret || who.kind === 'badjwt') addFailedRequest(ip);
            const canRead = can(who.grants, 'api:entries:read');
            const canWrite = can(who.grants, 'api:entries:create');
            const isAdmin = who.kind === 'admin' || can(who.grants, '*:*:admin');
            const authorized = who.kind === 'admin' || who.kind === 'subject';
            send(res, 200, {
                status: 200,
                message: {
                    canRead, canWrite, isAdmin,
                    message: authorized ? 'OK' : 'UNAUTHORIZED',
                    rolefound: authorized ? 'FOUND' : 'NOTFOUND',
                    permissions: authorized ? 'ROLE' : 'DEFAULT',
                },
            });
            return;
        }

        if (path === '/api/v1/experiments/test' && req.method === 'GET') {
            if (!v1Permit(req, res, resolve(req, u), ip, '*:*:admin')) return;
            send(res, 200, { status: 'ok' });
            return;
        }

        if ((path === '/api/v1/entries.json' || path === '/api/v1/entries') && req.method === 'GET') {
            if (!v1Permit(req, res, resolve(req, u), ip, 'api:entries:read')) return;
            send(res, 200, entries.slice(-10).reverse());
            return;
        }

        if ((path === '/api/v1/entries' || path === '/api/v1/entries.json') && req.method === 'POST') {
            const body = await readBody(req);
            if (!v1Permit(req, res, resolve(req, u), ip, 'api:entries:create')) return;
            let docs;
            try { docs = JSON.parse(body.toString('utf8') || 'null'); } catch (_) { docs = null; }
            if (!docs || typeof docs !== 'object') { send(res, 400, { status: 400, message: 'Bad Request', description: 'body must be JSON' }); return; }
            const list = (Array.isArray(docs) ? docs : [docs]).slice(0, 100);
            const stored = list.map((d) => {
                const doc = { ...d, _id: crypto.randomBytes(12).toString('hex') };
                entries.push(doc);
                return doc;
            });
            while (entries.length > 1000) entries.shift();
            stats.entriesPosted += stored.length;
            send(res, 200, stored);
            return;
        }

        if (path === '/api/v3/entries' && req.method === 'GET') {
            const auth = req.headers.authorization || '';
            const m = /^Bearer (\S+)$/.exec(auth);
            if (!m) { send(res, 401, { status: 401, message: 'Missing or bad access token or JWT' }); return; }
            const s = verifyJwt(m[1]);
            if (!s) { addFailedRequest(ip); send(res, 401, { status: 401, message: 'Bad access token or JWT' }); return; }
            const grants = permsOf(s.roles).concat(permsOf(defaultRoles));
            if (!can(grants, 'api:entries:read')) { send(res, 403, { status: 403, message: 'Missing permission api:entries:read' }); return; }
            succeeded(ip);
            send(res, 200, { status: 200, result: entries.slice(-10).reverse() });
            return;
        }

        send(res, 404, { status: 404, message: 'Not Found' });
    }

    const srv = await listen(handle, undefined, opts.port || 0);
    return {
        url: srv.url,
        port: srv.port,
        stats,
        subjects,
        apiSecretSha1: secretSha1,
        apiSecretSha512: secretSha512,
        entries,
        /** access token of a subject given by name or id */
        tokenFor(nameOrId) {
            const s = subjects.find((x) => x.name === nameOrId || x.id === nameOrId);
            if (!s) throw new Error(`nightscout fake: no subject ${nameOrId}`);
            return s.accessToken;
        },
        /** a JWT the server accepts (for tests that skip the exchange); iat in seconds */
        jwtFor(nameOrId, iatSecs = Math.floor(clk.now() / 1000)) {
            const s = subjects.find((x) => x.name === nameOrId || x.id === nameOrId);
            if (!s) throw new Error(`nightscout fake: no subject ${nameOrId}`);
            return signJwt(s, iatSecs);
        },
        /** server clock in ms: a function, a fixed number, or undefined for Date.now */
        setClock: clk.set,
        now: clk.now,
        /** make the next n exchange requests fail: how = HTTP status (default 500) or 'close' */
        failExchange: (n, how = 500) => exchangeFault.set(n, how),
        /** every request fails (status or 'close') until up() */
        down: (how = 503) => allFault.set(Infinity, how),
        up: () => { allFault.clear(); exchangeFault.clear(); },
        /** forget the failed-attempt penalties of every IP */
        clearPenalties: () => delayList.clear(),
        close: () => srv.close(),
    };
}

module.exports = { start, accessToken, abbrevOf };
