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

const { appendQuery, removeQuery, serverWords, pathOf, maskQueryParams, maskDeep } = require('./lib/http');

const RESPONSE_LEFTOVERS = ['statusCode', 'responseUrl', 'redirectList', 'retry', 'responseCookies'];
const TEDEE_RETRY_DELAY_MS = 500;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;
const RESPONSE_MARK = 'x-node-red-request-node';

function originOf(url) {
    try { return new URL(url).origin; } catch (_) { return null; }
}

module.exports = function (RED) {
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

        const setStatus = (fill, shape, text) => {
            const key = fill + shape + text;
            if (key === lastStatus) return;
            lastStatus = key;
            node.status({ fill, shape, text });
        };
        const okStatus = () => {
            if (!cfg) return;
            if (cfg.exchange) {
                const cur = cfg.currentToken();
                setStatus(cur ? 'green' : 'grey', cur ? 'dot' : 'ring', cur ? 'ok' : cfg.scheme);
            } else {
                setStatus('green', 'dot', cfg.scheme);
            }
        };
        const failStatus = (err) => {
            let reason = 'error';
            const code = err && err.code;
            if (code === 'network') reason = /no answer|did not complete/.test(err.message) ? 'timeout' : 'unreachable';
            else if (code === 'redirect') reason = 'redirect';
            else if (code === 'too-large') reason = 'reply too large';
            else if (code === 'msg') reason = 'bad msg';
            else if (err && err.status) reason = 'HTTP ' + err.status;
            else if (err && /environment variable/.test(err.message)) { setStatus('red', 'ring', 'env var unset'); return; }
            setStatus('red', 'ring', 'failed: ' + reason);
        };

        if (!cfg) {
            setStatus('red', 'ring', 'no API credentials');
        } else if (cfg.problem) {
            if (/environment variable/.test(cfg.problem.message)) setStatus('red', 'ring', 'env var unset');
            else setStatus('red', 'ring', 'failed: config');
        } else {
            okStatus();
        }

        let unsubscribe = null;
        if (cfg && cfg.onState) {
            unsubscribe = cfg.onState((state, err) => {
                if (state === 'exchanging') setStatus('yellow', 'ring', 'exchanging…');
                else if (state === 'ok') setStatus('green', 'dot', 'ok');
                else if (state === 'failed') failStatus(err);
            });
        }

        // An http request node on output 1 with "Use authentication" on would overwrite our
        // Authorization header; with a URL of its own it ignores msg.url (query placement).
        const checkWiring = () => {
            if (!cfg) return;
            for (const id of wiresOut1) {
                const w = RED.nodes.getNode(id);
                if (!w || w.type !== 'http request') continue;
                const c = w.credentials || {};
                if (c.user || c.password || (w.authType === 'bearer' && Object.keys(c).length)) {
                    node.warn(`the http request node "${w.name || w.id}" wired to output 1 has "Use authentication" on: it will overwrite the Authorization header this node sets — turn it off`);
                    setStatus('yellow', 'ring', 'http request: turn off "Use authentication"');
                }
                if (w.url && cfg._coreConfig && cfg._coreConfig.placement === 'query') {
                    node.warn(`the http request node "${w.name || w.id}" wired to output 1 has its own URL, so it ignores msg.url and the ${cfg.scheme} key this node adds to the query — leave its URL empty and set msg.url`);
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
        const immediate = setImmediate(checkWiring);

        const sleep = (ms) => new Promise((resolve) => {
            const t = setTimeout(() => { timers.delete(t); resolve(); }, ms);
            timers.add(t);
        });

        /** Put the auth on msg (headers/url) for the current hop of marker `mk`. */
        async function decorate(msg, mk) {
            let token;
            if (cfg.exchange) {
                const busy = !cfg.currentToken();
                if (busy) setStatus('yellow', 'ring', 'exchanging…');
                token = await cfg.getToken();
                const cur = cfg.currentToken();
                mk.gen = cur && cur.token === token ? cur.gen : 0;
            }
            const built = cfg.signer.build(Date.now(), token);
            const headers = Object.assign({}, mk.saved.headers || {});
            for (const name of Object.keys(built.headers || {})) {
                const lower = name.toLowerCase();
                for (const k of Object.keys(headers)) if (k.toLowerCase() === lower) delete headers[k];
                headers[name] = built.headers[name];
            }
            const query = built.query || {};
            if (Object.keys(query).length) {
                if (typeof mk.url !== 'string' || !mk.url) {
                    const err = new Error(`${cfg.title}: the ${cfg.scheme} key goes in the query string, so msg.url must be set before this node (leave the http request node's URL empty)`);
                    err.code = 'msg';
                    throw err;
                }
                msg.url = appendQuery(mk.url, query);
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
            msg.payload = maskDeep(msg.payload, typeof msg.statusCode !== 'number' ? scrubText : (t) => cfg.redact(t));
            delete msg._apiAuth;
        }

        /** A new hop of the same request (a retry or a redirect): the flow's request back on msg. */
        function resetRequest(msg, mk, payload) {
            msg.payload = payload;
            if (mk.method === undefined) delete msg.method; else msg.method = mk.method;
            for (const k of RESPONSE_LEFTOVERS) delete msg[k];
        }

        /** A 3xx came back: follow it to the same origin with a fresh signature, else refuse. */
        async function redirect(msg, mk, status, send, done) {
            const location = msg.headers && msg.headers.location;
            let target = null;
            try { target = new URL(String(location), mk.url).href; } catch (_) { target = null; }
            const from = originOf(mk.url);
            const to = target && originOf(target);
            const fail = (text, code) => {
                const err = new Error(cfg.redact(`${cfg.title}: ${text}`));
                err.status = status;
                err.code = code;
                scrub(msg);
                setStatus('red', 'ring', 'failed: redirect');
                done(err);
            };
            if (!to) return fail(`HTTP ${status} redirect without a usable Location — not followed`, 'redirect');
            if (to !== from) {
                return fail(`HTTP ${status} redirect from ${from} to ${to} not followed: the credentials are for ${from} only (set the URL to the final address, or msg.followRedirects = false to receive the redirect)`, 'cross-origin');
            }
            if (mk.redirects >= MAX_REDIRECTS) return fail(`more than ${MAX_REDIRECTS} redirects — not followed further`, 'redirect');
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

        function refusal(msg, mk) {
            const words = scrubText(serverWords(msg.payload));
            const where = mk.url ? ' from ' + (mk.method ? String(mk.method).toUpperCase() + ' ' : '') + pathOf(mk.url) : '';
            const retried = mk.attempt > 1 ? (cfg.exchange ? ' (also after a fresh token)' : ' (also with a fresh key)') : '';
            const text = `${cfg.title}: the server refused the credentials: HTTP ${msg.statusCode}${where}${words ? ' — ' + words : ''}${retried}`;
            const err = new Error(cfg.redact(text));
            err.status = Number(msg.statusCode);
            return err;
        }

        async function handle(msg, send, done) {
            if (!cfg) {
                done(new Error('api-auth: no API credentials (api-auth-config) node is selected'));
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
                    const retryable = cfg.exchange || cfg.scheme === 'tedee';
                    if (mk.attempt === 1 && retryable && !cfg.problem) {
                        if (cfg.exchange) cfg.invalidateGen(mk.gen);
                        else await sleep(TEDEE_RETRY_DELAY_MS); // tedee: a fresh key, 0.5 s later like the official client
                        resetRequest(msg, mk, mk.saved.payload);
                        mk.attempt = 2;
                        await decorate(msg, mk);
                        send([msg, null]);
                        done();
                        return;
                    }
                    const err = refusal(msg, mk);
                    scrub(msg);
                    setStatus('red', 'ring', 'failed: HTTP ' + status);
                    done(err);
                    return;
                }
                scrub(msg);
                if (typeof msg.statusCode === 'number' && lastStatus.startsWith('redring')) okStatus();
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
            if (!reqHeaders || typeof reqHeaders !== 'object' || Object.prototype.hasOwnProperty.call(reqHeaders, 'x-node-red-request-node')) {
                reqHeaders = {};
            }
            const marker = {
                node: node.id,
                attempt: 1,
                gen: 0,
                redirects: 0,
                url: msg.url,
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
            clearImmediate(immediate);
            for (const t of timers) clearTimeout(t);
            timers.clear();
            if (unsubscribe) unsubscribe();
        });
    }

    RED.nodes.registerType('api-auth', ApiAuthNode);
};
