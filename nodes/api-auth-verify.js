'use strict';
// Verify node `api-auth-verify`: protects a Node-RED `http in` endpoint.
//
// Placed right after `http in`. Every check is done by the WASM core through the config node's one
// shared `Verifier`, built from the same scheme description as the signing side (constant-time
// compares, Nightscout's own rules, Tedee key window and single use). This file only moves data:
// headers/query in, { ok, reason } out, and decides what to do with the message and the HTTP
// response. It never hashes and never sees more of the secret than the config node's label.
//
// Outputs: 1 accepted (msg.auth = { ok:true, scheme, config, name, reason:'ok' }),
//          2 refused  (msg.auth = { ok:false, reason, scheme, config, name }).
//
// Replay memory and penalty: in this Node-RED (the credentials node's Verifier and this node's
// PenaltyList, all synchronous), or in Redis when the credentials node says so (nodes/lib/
// replay-store.js): then the core's claimCheck decides and the store records, and anything the
// store could not do is answered 503 — a key is never accepted unless Redis recorded it.

const i18n = require('./lib/i18n');

const UNAUTHORIZED_BODY = { ok: false, error: 'Unauthorized' };
const MISCONFIGURED_BODY = { ok: false, error: 'Server misconfigured' };
const UNAVAILABLE_BODY = { ok: false, error: 'Service unavailable' };
const TOO_MANY_BODY = { ok: false, error: 'Too many requests' };

const DEFAULT_WINDOW_SECS = 30;
const MAX_WINDOW_SECS = 3600;
const MAX_PENALTY_MS = 60000; // per failure
const MAX_WAIT_MS = 60000; // longest a penalised request is held
const PENALTY_MAX_ADDRESSES = 10000; // bounded memory of penalised client addresses
const MAX_HELD = 100; // requests held back by the penalty at once (each holds its body)
const STATUS_INTERVAL_MS = 250; // status updated at most 4 times per second

/** Parse a numeric node property; throws an Error naming the field. */
function numberProp(value, field, dflt, min, max, t) {
    if (value === undefined || value === null || value === '') return dflt;
    const n = typeof value === 'number' ? value : Number(String(value).trim());
    if (!Number.isFinite(n)) throw new Error(`${field}: ${t('api-auth-verify.errors.notANumber', { value: JSON.stringify(String(value).slice(0, 20)) })}`);
    if (n < min || n > max) throw new Error(`${field}: ${t('api-auth-verify.errors.outOfRange', { min, max, value: n })}`);
    return n;
}

function boolProp(value, dflt) {
    if (value === undefined || value === null || value === '') return dflt;
    return !(value === false || value === 'false' || value === 0 || value === '0');
}

/**
 * Header names lower-cased (Node's req.headers already are; a hand-made msg.req may not be).
 * Values are passed as they are: the core reads a non-string (a repeated query parameter that
 * Express turned into an array, a qs object) as "bad-format", never as a match.
 */
function lowerCaseKeys(obj) {
    const out = {};
    if (!obj || typeof obj !== 'object') return out;
    for (const k of Object.keys(obj)) out[k.toLowerCase()] = obj[k];
    return out;
}

function plainObject(obj) {
    return obj && typeof obj === 'object' ? obj : {};
}

function clientAddress(req) {
    if (!req) return 'unknown';
    return String(req.ip || (req.socket && req.socket.remoteAddress) || (req.connection && req.connection.remoteAddress) || 'unknown');
}

/**
 * Failed-attempt penalty per client address (like Nightscout's delay list): each failure adds
 * `penaltyMs` to the time before which the next request from that address is answered. A success
 * clears the address. Memory is bounded: expired entries are pruned and, when still full, the
 * least recently penalised address is forgotten.
 */
class PenaltyList {
    constructor(penaltyMs, maxEntries) {
        this.penaltyMs = penaltyMs;
        this.maxEntries = maxEntries;
        this.until = new Map(); // address -> epoch ms before which its answers are held
    }

    /** ms the current request from `addr` has to wait (0 when none). */
    waitFor(addr, now) {
        const until = this.until.get(addr);
        if (until === undefined) return 0;
        if (until <= now) {
            this.until.delete(addr);
            return 0;
        }
        return Math.min(until - now, MAX_WAIT_MS);
    }

    failed(addr, now) {
        const prev = this.until.get(addr);
        const base = prev !== undefined && prev > now ? prev : now;
        const next = Math.min(base + this.penaltyMs, now + MAX_WAIT_MS);
        this.until.delete(addr); // re-insert: Map order = least recently penalised first
        if (this.until.size >= this.maxEntries) this.prune(now);
        if (this.until.size >= this.maxEntries) this.until.delete(this.until.keys().next().value);
        this.until.set(addr, next);
    }

    succeeded(addr) {
        this.until.delete(addr);
    }

    prune(now) {
        for (const [addr, until] of this.until) if (until <= now) this.until.delete(addr);
    }

    get size() {
        return this.until.size;
    }
}

module.exports = function (RED) {
    const t = i18n(RED, 'api-auth-verify');

    function ApiAuthVerifyNode(n) {
        RED.nodes.createNode(this, n);
        const node = this;

        node.configId = n.config;
        node.configNode = n.config ? RED.nodes.getNode(n.config) : null;
        node.counts = { accepted: 0, refused: 0 };
        node.lastRefused = false;
        node.now = () => Date.now(); // the clock; tests may replace it
        const pending = new Set(); // requests held by the penalty
        node.held = pending; // (read by the tests: how many are held now)
        let statusTimer = null;
        let settingsError = null;

        try {
            node.windowSecs = numberProp(n.windowSecs, 'windowSecs', DEFAULT_WINDOW_SECS, 1, MAX_WINDOW_SECS, t);
            node.penaltyMs = Math.round(numberProp(n.penalty, 'penalty', 0, 0, MAX_PENALTY_MS, t));
        } catch (e) {
            settingsError = new Error(`api-auth-verify: ${e.message}`);
            node.windowSecs = DEFAULT_WINDOW_SECS;
            node.penaltyMs = 0;
        }
        node.respond = boolProp(n.respond, true);
        node.penalty = node.penaltyMs > 0 ? new PenaltyList(node.penaltyMs, PENALTY_MAX_ADDRESSES) : null;

        function configLabel() {
            const c = node.configNode;
            if (!c) return '';
            try { return typeof c.label === 'function' ? String(c.label()) : String(c.name || c.scheme || ''); } catch (e) { return String(c.scheme || ''); }
        }

        /**
         * { verifier, store } to use (store: the credentials node's Redis store, or null for the
         * memory of this Node-RED), or { error } explaining why the endpoint cannot be protected.
         */
        function getVerifier() {
            if (settingsError) return { error: settingsError };
            const c = node.configNode;
            if (!c) return { error: new Error(node.configId ? t('api-auth-verify.errors.configMissing', { id: node.configId }) : t('api-auth-verify.errors.noConfig')) };
            if (c.problem) return { error: c.problem instanceof Error ? c.problem : new Error(String(c.problem)) };
            if (typeof c.verifier !== 'function') return { error: new Error(t('api-auth-verify.errors.cannotVerify', { name: configLabel(), reason: '' })) };
            try {
                const verifier = c.verifier(node.windowSecs * 1000);
                return { verifier, store: typeof c.store === 'function' ? c.store() : null };
            } catch (e) {
                if (e && e.field && /^redis|^replayStore/.test(e.field)) return { error: e };
                return { error: new Error(t('api-auth-verify.errors.cannotVerify', { name: configLabel(), reason: `: ${e && e.message ? e.message : e}` })) };
            }
        }

        function shortText(s) {
            s = String(s);
            return s.length > 60 ? s.slice(0, 57) + '...' : s;
        }

        let store = null; // the Redis store, when the credentials node keeps the memory there
        let unsubscribe = null;

        /** Use store `st` (or none): the status follows it, red naming Redis while it cannot be used. */
        function follow(st) {
            if (st === store) return;
            if (unsubscribe) unsubscribe();
            store = st;
            unsubscribe = st ? st.onState(() => { if (!statusTimer) showCounts(); }) : null;
        }

        /** The store's state as a status, or null when it is ready. */
        function storeStatus() {
            if (!store || store.ready) return null;
            const c = node.configNode;
            const why = c && typeof c.storeText === 'function' ? c.storeText(store) : store.state;
            if (store.state === 'connecting') return { fill: 'yellow', shape: 'ring', text: t('api-auth-verify.status.redisConnecting') };
            return { fill: 'red', shape: 'ring', text: shortText(t('api-auth-verify.status.redisDown', { reason: why })) };
        }

        function showCounts() {
            statusTimer = null;
            const s = storeStatus();
            if (s) {
                node.status(s);
                return;
            }
            if (!node.counts.accepted && !node.counts.refused) {
                node.status({});
                return;
            }
            node.status({
                fill: node.lastRefused ? 'red' : 'green',
                shape: node.lastRefused ? 'ring' : 'dot',
                text: t('api-auth-verify.status.counts', { accepted: node.counts.accepted, refused: node.counts.refused }),
            });
        }
        function scheduleStatus() {
            if (!statusTimer) statusTimer = setTimeout(showCounts, STATUS_INTERVAL_MS);
        }
        function showProblem(err) {
            if (statusTimer) {
                clearTimeout(statusTimer);
                statusTimer = null;
            }
            node.status({ fill: 'red', shape: 'ring', text: shortText(err.message) });
        }

        /** Answer the HTTP request (if this node answers and nobody did yet). */
        function answer(msg, code, body) {
            if (!node.respond) return;
            const res = msg && msg.res && msg.res._res;
            if (!res || res.headersSent || typeof res.status !== 'function') return;
            try {
                res.status(code).json(body);
            } catch (e) {
                node.warn(t('api-auth-verify.warn.answerFailed', { code, reason: e.message }));
            }
        }

        function authOf(ok, reason) {
            const c = node.configNode;
            return { ok, reason, scheme: c.scheme, config: c.id, name: configLabel() };
        }

        // Show a config problem (or the state of the Redis store) at once, not only on the first request.
        {
            const v = getVerifier();
            if (v.error) showProblem(v.error);
            else {
                follow(v.store);
                showCounts();
            }
        }

        /** Hold the answer to a penalised request for `ms`, then `finish()`; let go if the client leaves. */
        function hold(msg, done, ms, finish) {
            // If the client goes away meanwhile, let go of it at once: its message (and body) is
            // dropped, nothing is answered.
            const res = msg.res && msg.res._res;
            const entry = { msg, done, timer: null, gone: null };
            const release = function () {
                pending.delete(entry);
                clearTimeout(entry.timer);
                if (res && typeof res.removeListener === 'function') res.removeListener('close', entry.gone);
            };
            entry.gone = function () {
                if (res && res.writableFinished) return;
                release();
                done();
            };
            entry.timer = setTimeout(function () {
                release();
                finish();
            }, ms);
            if (res && typeof res.once === 'function') res.once('close', entry.gone);
            pending.add(entry);
        }

        /** A refusal: counted, answered `status` + `body`, output 2 with `reason`; `show` updates the status. */
        function refuse(msg, send, done, reason, status, body, show = scheduleStatus) {
            node.counts.refused++;
            node.lastRefused = true;
            msg.auth = authOf(false, reason);
            answer(msg, status, body);
            show();
            send([null, msg]);
            done();
        }

        /** Answer 429 at once: too many penalised requests are already held. */
        function tooMany(msg, send, done) {
            // Not checked: no key is used up, nothing is learnt, nothing is held.
            refuse(msg, send, done, 'penalty', 429, TOO_MANY_BODY);
        }

        /** The outcome of a check: output 1, or 401 and output 2. */
        function finisher(msg, send, done, ok, reason) {
            return function () {
                if (!ok) {
                    refuse(msg, send, done, reason, 401, UNAUTHORIZED_BODY);
                    return;
                }
                node.counts.accepted++;
                node.lastRefused = false;
                msg.auth = authOf(true, 'ok');
                scheduleStatus();
                send([msg, null]);
                done();
            };
        }

        /** Redis could not record (down, slow, an error): 503, output 2 with reason 'unavailable'. */
        function unavailable(msg, send, done) {
            // the store's state at once (red naming Redis), not after the status delay
            refuse(msg, send, done, 'unavailable', 503, UNAVAILABLE_BODY, () => {
                const s = storeStatus();
                if (!s) {
                    scheduleStatus();
                    return;
                }
                if (statusTimer) {
                    clearTimeout(statusTimer);
                    statusTimer = null;
                }
                node.status(s);
            });
        }

        function checkFailed(msg, done, e) {
            const err = new Error(t('api-auth-verify.errors.checkFailed', { name: configLabel(), reason: e && e.message ? e.message : e }));
            showProblem(err);
            answer(msg, 500, MISCONFIGURED_BODY);
            done(err);
        }

        /**
         * The Redis path: penalty wait (PTTL), the core's claimCheck, the claim (SET NX PX) issued in
         * the same turn as the check (so a reconnection's new floor cannot fall in between), the
         * penalty update; any store failure → 503. The answer is held for what is left of the wait.
         */
        async function viaStore(st, verifier, msg, send, done) {
            const req = msg.req;
            const arrived = node.now();
            if (!st.ready) {
                unavailable(msg, send, done);
                return;
            }
            const addr = node.penaltyMs > 0 ? clientAddress(req) : null;
            let wait = 0;
            let ok;
            let reason;
            try {
                if (addr !== null) wait = await st.penaltyWait(addr, MAX_WAIT_MS);
                if (wait > 0 && pending.size >= MAX_HELD) {
                    tooMany(msg, send, done);
                    return;
                }
                let result;
                try {
                    result = verifier.claimCheck(lowerCaseKeys(req.headers), plainObject(req.query), node.now(), node.windowSecs * 1000);
                } catch (e) {
                    checkFailed(msg, done, e);
                    return;
                }
                ok = !!(result && result.ok);
                reason = result && result.reason ? String(result.reason) : (ok ? 'ok' : 'mismatch');
                if (reason === 'claim') {
                    ok = await st.claim(verifier.scope, result.ms, result.ttlMs);
                    reason = ok ? 'ok' : 'replay';
                }
                if (addr !== null) {
                    if (!ok) await st.penaltyFailed(addr, node.penaltyMs, MAX_WAIT_MS);
                    else if (wait > 0) await st.penaltySucceeded(addr).catch(() => { /* it expires by itself */ });
                }
            } catch (e) {
                unavailable(msg, send, done);
                return;
            }
            const finish = finisher(msg, send, done, ok, reason);
            const left = wait - (node.now() - arrived);
            if (left <= 0) finish();
            else hold(msg, done, left, finish);
        }

        node.on('input', function (msg, send, done) {
            const got = getVerifier();
            if (got.error) {
                showProblem(got.error);
                answer(msg, 500, MISCONFIGURED_BODY);
                done(got.error);
                return;
            }
            const req = msg.req;
            if (!req || typeof req !== 'object') {
                done(new Error(t('api-auth-verify.errors.noReq')));
                return;
            }
            if (got.store) {
                follow(got.store);
                viaStore(got.store, got.verifier, msg, send, done);
                return;
            }
            const now = node.now();
            const addr = node.penalty ? clientAddress(req) : null;
            const wait = node.penalty ? node.penalty.waitFor(addr, now) : 0;
            if (wait > 0 && pending.size >= MAX_HELD) {
                // Too many requests are already held back: answer this penalised one at once.
                tooMany(msg, send, done);
                return;
            }
            let result;
            try {
                result = got.verifier.check(lowerCaseKeys(req.headers), plainObject(req.query), now, node.windowSecs * 1000);
            } catch (e) {
                checkFailed(msg, done, e);
                return;
            }
            const ok = !!(result && result.ok);
            const reason = result && result.reason ? String(result.reason) : (ok ? 'ok' : 'mismatch');
            if (node.penalty) {
                if (ok) node.penalty.succeeded(addr);
                else node.penalty.failed(addr, now);
            }
            const finish = finisher(msg, send, done, ok, reason);
            if (wait <= 0) finish();
            else hold(msg, done, wait, finish); // held back by the penalty
        });

        node.on('close', function (removed, closeDone) {
            if (typeof removed === 'function') closeDone = removed;
            if (unsubscribe) unsubscribe();
            unsubscribe = null;
            if (statusTimer) {
                clearTimeout(statusTimer);
                statusTimer = null;
            }
            for (const entry of [...pending]) {
                clearTimeout(entry.timer);
                const res = entry.msg.res && entry.msg.res._res;
                if (res && typeof res.removeListener === 'function') res.removeListener('close', entry.gone);
                answer(entry.msg, 503, UNAVAILABLE_BODY);
                entry.done();
            }
            pending.clear();
            if (typeof closeDone === 'function') closeDone();
        });
    }

    RED.nodes.registerType('api-auth-verify', ApiAuthVerifyNode);
};

module.exports.PenaltyList = PenaltyList;
module.exports.MAX_HELD = MAX_HELD;
