'use strict';
// Auth node `api-auth`: put the scheme's headers / query parameters on msg before the core
// `http request` node, and run the 401 loop when the http request node's output is wired back in.
//
//   output 1 "request"  → http request node → (wire back into this node)
//   output 2 "response" ← final responses that came back through the loop
//
// A message going out on output 1 carries `msg._apiAuth = {node, attempt, gen, redirects, url,
// method, saved}`: the id of this node, the attempt number, the cache generation of the exchanged
// token it used (never the token itself — debug nodes print msg), how many redirects it followed,
// the URL and method of the current hop (unsigned), and the request as the flow gave it.
//
// Credentials never leave the request they were signed for:
// - output 1 sets msg.followRedirects = false, so the http request node never follows a redirect
//   with our headers; the loop follows a redirect to the SAME origin with a fresh signature, and a
//   redirect to another origin ends in an error naming both origins (the flow can set
//   msg.followRedirects = false itself to receive 3xx responses instead);
// - whatever leaves after the request (output 2, done(err), a Catch node on this node) has
//   msg.url, msg.headers and msg.followRedirects as the flow gave them, the signed query
//   parameters masked in msg.responseUrl, msg.redirectList and an error payload, and every
//   known secret masked.
//
// The per-message work depends on how the scheme signs (the core says: cfg.kind): a static
// scheme's headers were built once by the core and are copied; a fresh key (Tedee) is one call
// into the core; an exchanged token's headers are built once per token. What a 401/403 is worth
// (cfg.retry) and the server's words (cfg.refusal) come from the core too.

const { removeQuery, joinUrl, pathOf, maskQueryParams, maskDeep } = require('./lib/http');
const i18n = require('./lib/i18n');
const freshKey = require('./lib/fresh-key');
const { planOf, oneHeader, oneParam, withAuth, withQuery } = require('./lib/auth-headers');

const RESPONSE_LEFTOVERS = ['statusCode', 'responseUrl', 'redirectList', 'retry', 'responseCookies'];
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;
const RESPONSE_MARK = 'x-node-red-request-node';
// the core's configuration codes: the credentials node cannot be used as it is
const CONFIG_CODES = new Set(['required', 'empty', 'control-char', 'non-ascii', 'unknown-value', 'bad-format', 'too-short', 'bad-type',
    'not-supported', 'bad-url', 'bad-number', 'config', 'no-core']);

function originOf(url) {
    try { return new URL(url).origin; } catch (_) { return null; }
}

function isAbsolute(url) {
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
}

/** A body as text for the core (the http request node may have parsed it, or kept a Buffer). */
function bodyText(payload) {
    if (payload === undefined || payload === null) return '';
    if (typeof payload === 'string') return payload;
    if (Buffer.isBuffer(payload)) return payload.toString('utf8');
    try { return JSON.stringify(payload); } catch (_) { return String(payload); }
}

module.exports = function (RED) {
    const t = i18n(RED, 'api-auth');
    const STARTED = new Set();
    let startedListener = null;

    function ApiAuthNode(n) {
        RED.nodes.createNode(this, n);
        const node = this;
        node.config = n.config;
        const cfg = RED.nodes.getNode(n.config);
        node.configNode = cfg;
        const wiresOut1 = (n.wires && n.wires[0]) || [];
        const timers = new Set();
        let lastStatus = '';

        const setStatus = (fill, shape, key, vars) => {
            const text = t(`api-auth.status.${key}`, vars);
            const k = fill + shape + text;
            if (k === lastStatus) return;
            lastStatus = k;
            node.status({ fill, shape, text });
        };
        // grey ring "<API>" until something worked, green "ok" after a good answer (or a token),
        // red on a failure, yellow while exchanging or when the wiring needs a look
        let worked = false;
        const okStatus = () => {
            if (!cfg) return;
            if (worked || (cfg.exchange && cfg.currentToken())) setStatus('green', 'dot', 'ok');
            else setStatus('grey', 'ring', 'ready', { api: cfg.apiLabel || cfg.scheme });
        };
        /** The status for an error, chosen by its code (never by its text). */
        const failStatus = (err) => {
            const code = err && err.code;
            if (code === 'env-unset') return setStatus('red', 'ring', 'envUnset');
            if (CONFIG_CODES.has(code)) return setStatus('red', 'ring', 'config');
            if (code === 'timeout') return setStatus('red', 'ring', 'timeout');
            if (code === 'network') return setStatus('red', 'ring', 'unreachable');
            if (code === 'redirect' || code === 'cross-origin') return setStatus('red', 'ring', 'redirect');
            if (code === 'too-large') return setStatus('red', 'ring', 'tooLarge');
            if (code === 'msg') return setStatus('red', 'ring', 'badMsg');
            if (code === 'bad-reply') return setStatus('red', 'ring', 'badReply');
            if (err && err.status) return setStatus('red', 'ring', 'http', { status: err.status });
            return setStatus('red', 'ring', 'error');
        };

        if (!cfg) setStatus('red', 'ring', 'noConfig');
        else if (cfg.problem) failStatus(cfg.problem);
        else okStatus();

        let unsubscribe = null;
        if (cfg && cfg.onState) {
            unsubscribe = cfg.onState((state, err) => {
                if (state === 'exchanging') setStatus('yellow', 'ring', 'exchanging');
                else if (state === 'ok') {
                    worked = true;
                    setStatus('green', 'dot', 'ok');
                } else if (state === 'failed') failStatus(err);
            });
        }

        // An http request node on output 1 with "Use authentication" on would overwrite an
        // Authorization header this node sets; with a URL of its own it ignores msg.url (query
        // placement); if its output does not come back here, this node never sees a 401 (and a
        // refused request looks like a success downstream). Checked once per deploy, named by label.
        let wiringChecked = false;
        const checkWiring = () => {
            if (!cfg || !cfg.signer || wiringChecked) return;
            wiringChecked = true;
            const ours = cfg.signer.headerNames().map((h) => h.toLowerCase());
            for (const id of wiresOut1) {
                const w = RED.nodes.getNode(id);
                if (!w || w.type !== 'http request') continue;
                const label = w.name || t('api-auth.label.httpRequest');
                const back = (w.wires || []).some((out) => (out || []).includes(node.id));
                if (!back) {
                    node.warn(t('api-auth.warn.noLoop', { label }));
                    setStatus('yellow', 'ring', 'noLoop');
                }
                const c = w.credentials || {};
                const useAuth = c.user || c.password || (w.authType === 'bearer' && Object.keys(c).length);
                if (useAuth && ours.includes('authorization')) {
                    node.warn(t('api-auth.warn.useAuthentication', { label }));
                    setStatus('yellow', 'ring', 'useAuthentication');
                }
                if (w.url && cfg.queryNames.length) {
                    node.warn(t('api-auth.warn.ownUrl', { label, scheme: cfg.scheme }));
                }
            }
        };
        STARTED.add(checkWiring);
        if (!startedListener) {
            // One listener for every auth node (one per node would trip Node's
            // MaxListenersExceededWarning with more than 10 auth nodes).
            startedListener = () => { for (const fn of STARTED) { try { fn(); } catch (_) { /* a check must not break the deploy */ } } };
            RED.events.on('flows:started', startedListener);
        }

        const sleep = (ms) => new Promise((resolve) => {
            const timer = setTimeout(() => { timers.delete(timer); resolve(); }, ms);
            timers.add(timer);
        });

        const freshLowers = cfg && cfg.kind === 'fresh' ? new Set([cfg.freshPlace.name.toLowerCase()]) : null;

        /** The plan of the auth (lib/auth-headers.js) for one request of marker `mk`. */
        async function authFor(mk) {
            switch (cfg.kind) {
                case 'static':
                    return planOf(cfg.staticAuth);
                case 'fresh': {
                    const key = freshKey(cfg.signer, Date.now());
                    const p = cfg.freshPlace;
                    return p.placement === 'query' ? oneParam(p.name, key) : oneHeader(p.name, freshLowers, key);
                }
                default: {
                    if (!cfg.currentToken()) setStatus('yellow', 'ring', 'exchanging');
                    const token = await cfg.getToken();
                    const cur = cfg.currentToken();
                    mk.gen = cur && cur.token === token ? cur.gen : 0;
                    return planOf(cfg.tokenAuth(token));
                }
            }
        }

        /** Put the auth on msg (headers/url) for the current hop of marker `mk`. */
        async function decorate(msg, mk) {
            const plan = await authFor(mk);
            const headers = withAuth(mk.saved.headers, plan);
            if (plan.query) {
                if (typeof mk.url !== 'string' || !mk.url) {
                    const err = new Error(`${cfg.title}: ${t('api-auth.errors.queryNeedsUrl', { scheme: cfg.scheme })}`);
                    err.code = 'msg';
                    throw err;
                }
                msg.url = withQuery(mk.url, plan);
            } else if (mk.url !== undefined) {
                msg.url = mk.url;
            }
            msg.headers = headers;
            // the http request node must not carry these headers to wherever a redirect points
            msg.followRedirects = false;
            msg._apiAuth = mk;
        }

        /** Mask what a signed URL may show: our query parameters, and every known secret. */
        function scrubText(text) {
            return cfg.redact(maskQueryParams(text, cfg.queryNames));
        }

        /**
         * Take every credential off a message that leaves after the request: the flow's own url,
         * headers (unless they are a response's) and followRedirects back, signed query
         * parameters masked in the response URL, the redirect list and an error payload.
         */
        function scrub(msg) {
            const mk = msg._apiAuth;
            if (!mk || typeof mk !== 'object' || mk.node !== node.id) return;
            const saved = mk.saved || {};
            if (saved.url === undefined) delete msg.url; else msg.url = saved.url;
            if (saved.followRedirects === undefined) delete msg.followRedirects; else msg.followRedirects = saved.followRedirects;
            const h = msg.headers;
            if (!h || typeof h !== 'object' || !Object.prototype.hasOwnProperty.call(h, RESPONSE_MARK)) {
                msg.headers = Object.assign({}, saved.headers || {});
            }
            if (typeof msg.responseUrl === 'string') msg.responseUrl = scrubText(msg.responseUrl);
            if (Array.isArray(msg.redirectList)) {
                msg.redirectList = msg.redirectList.map((r) => (r && typeof r.location === 'string' ? Object.assign({}, r, { location: scrubText(r.location) }) : r));
            }
            // a network error: the http request node put the full (signed) URL in the payload; a
            // server may quote what it got (an error body echoing the header): no known secret
            // stays in the payload
            msg.payload = maskDeep(msg.payload, typeof msg.statusCode !== 'number' ? scrubText : (x) => cfg.redact(x));
            delete msg._apiAuth;
        }

        /** A new hop of the same request (a retry or a redirect): the flow's request back on msg. */
        function resetRequest(msg, mk, payload) {
            msg.payload = payload;
            if (mk.method === undefined) delete msg.method; else msg.method = mk.method;
            for (const k of RESPONSE_LEFTOVERS) delete msg[k];
        }

        /** An error for a message that leaves now: scrubbed, status set, through done(err). */
        function failWith(msg, done, message, props) {
            const err = new Error(cfg.redact(message));
            Object.assign(err, props);
            scrub(msg);
            failStatus(err);
            done(err);
        }
        /** The same, the message led by the credentials' title. */
        function fail(msg, done, text, props) {
            failWith(msg, done, `${cfg.title}: ${text}`, props);
        }

        /** A 3xx came back: follow it to the same origin with a fresh signature, else refuse. */
        async function redirect(msg, mk, status, send, done) {
            const location = msg.headers && msg.headers.location;
            let target;
            try { target = new URL(String(location), mk.url).href; } catch (_) { target = null; }
            const from = originOf(mk.url);
            const to = target && originOf(target);
            if (!to) return fail(msg, done, t('api-auth.errors.redirectNoLocation', { status }), { status, code: 'redirect' });
            if (to !== from) return fail(msg, done, t('api-auth.errors.crossOrigin', { status, from, to }), { status, code: 'cross-origin' });
            if (mk.redirects >= MAX_REDIRECTS) return fail(msg, done, t('api-auth.errors.tooManyRedirects', { max: MAX_REDIRECTS }), { status, code: 'redirect' });
            mk.redirects += 1;
            mk.url = removeQuery(target, cfg.queryNames);
            let payload = mk.saved.payload;
            if (status === 303 && String(mk.method || 'GET').toUpperCase() !== 'HEAD') {
                mk.method = 'GET';
                payload = undefined;
            }
            resetRequest(msg, mk, payload);
            await decorate(msg, mk);
            send([msg, null]);
            done();
        }

        /**
         * A second 401/403 (or one not worth a retry): via done(err), with a message that starts
         * with what the user needs (the status and the server's own words), so it reads whole in
         * the debug sidebar: `HTTP 401 from GET /bridge: Invalid token (also with a fresh key) —
         * API credentials "…"`.
         */
        function refused(msg, mk, status, done) {
            const words = scrubText(cfg.refusal(bodyText(msg.payload)));
            const where = mk.url ? (mk.method ? String(mk.method).toUpperCase() + ' ' : '') + pathOf(mk.url) : '';
            const head = where ? t('api-auth.errors.refusedFrom', { status, where }) : t('api-auth.errors.refused', { status });
            const retried = mk.attempt > 1 ? ' ' + t(cfg.exchange ? 'api-auth.errors.afterFreshToken' : 'api-auth.errors.afterFreshKey') : '';
            failWith(msg, done, `${head}${words ? ': ' + words : ''}${retried} — ${cfg.title}`, { status, code: 'refused' });
        }

        async function handle(msg, send, done) {
            if (!cfg) {
                const err = new Error(t('api-auth.errors.noConfig'));
                err.code = 'no-config';
                done(err);
                return;
            }
            const mk = msg._apiAuth;
            if (msg.statusCode !== undefined && mk && typeof mk === 'object' && mk.node === node.id) {
                // A response coming back through the loop.
                const status = Number(msg.statusCode);
                if (REDIRECTS.has(status) && mk.saved.followRedirects !== false && !cfg.problem) {
                    await redirect(msg, mk, status, send, done);
                    return;
                }
                if (status === 401 || status === 403) {
                    const retry = cfg.retry || {};
                    if (mk.attempt === 1 && retry.fresh && !cfg.problem) {
                        if (retry.fresh === 'token') cfg.invalidateGen(mk.gen);
                        if (retry.delayMs) await sleep(retry.delayMs); // Tedee: a fresh key, later, like the official client
                        resetRequest(msg, mk, mk.saved.payload);
                        mk.attempt = 2;
                        await decorate(msg, mk);
                        send([msg, null]);
                        done();
                        return;
                    }
                    refused(msg, mk, status, done);
                    return;
                }
                scrub(msg);
                if (typeof msg.statusCode === 'number' && msg.statusCode < 400) {
                    worked = true;
                    okStatus();
                }
                send([null, msg]);
                done();
                return;
            }

            // A new request.
            if (cfg.problem) {
                done(cfg.problem);
                return;
            }
            let reqHeaders = msg.headers;
            if (!reqHeaders || typeof reqHeaders !== 'object' || Object.prototype.hasOwnProperty.call(reqHeaders, RESPONSE_MARK)) {
                reqHeaders = {};
            }
            // a relative msg.url names a path under the credentials' Base URL
            let url = msg.url;
            if (typeof url === 'string' && url && !isAbsolute(url) && cfg.baseUrl) url = joinUrl(cfg.baseUrl, url);
            const marker = {
                node: node.id,
                attempt: 1,
                gen: 0,
                redirects: 0,
                url,
                method: msg.method,
                saved: { payload: msg.payload, headers: Object.assign({}, reqHeaders), url: msg.url, method: msg.method, followRedirects: msg.followRedirects },
            };
            await decorate(msg, marker);
            send([msg, null]);
            done();
        }

        node.on('input', function (msg, send, done) {
            handle(msg, send, done).catch((err) => {
                const e = err instanceof Error ? err : new Error(String(err));
                if (cfg && cfg.redact) {
                    if (cfg.title && !e.message.startsWith(cfg.title)) e.message = `${cfg.title}: ${e.message}`;
                    e.message = scrubText(e.message);
                    scrub(msg);
                }
                failStatus(e);
                done(e);
            });
        });

        node.on('close', function () {
            STARTED.delete(checkWiring);
            if (!STARTED.size && startedListener) {
                RED.events.removeListener('flows:started', startedListener);
                startedListener = null;
            }
            for (const timer of timers) clearTimeout(timer);
            timers.clear();
            if (unsubscribe) unsubscribe();
        });
    }

    RED.nodes.registerType('api-auth', ApiAuthNode);
};
