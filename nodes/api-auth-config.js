'use strict';
// Config node `api-auth-config`: holds the secrets (Node-RED credentials or ${ENV_VAR}), the
// shared core Signer, the one single-flight token cache, the verify side's shared Verifier and
// where it keeps its replay memory (this Node-RED, or one Redis connection shared by several
// instances: nodes/lib/replay-store.js), and the admin endpoint behind the dialog's Test button. It knows no API: the core's table says which
// fields exist (and goes to the editor as the node setting `apiAuthConfigSchemes`), the core
// checks them, describes the exchange and reads the replies. Its face to other nodes is in
// docs/CORE_API.md.

const { TokenCache } = require('./lib/token-cache');
const { runExchange } = require('./lib/exchange');
const { buildSettings } = require('./lib/settings');
const { runTest } = require('./lib/test-endpoint');
const { redact } = require('./lib/http');
const { storeSettings, RedisStore, COMMAND_TIMEOUT_MS } = require('./lib/replay-store');
const i18n = require('./lib/i18n');

// The core's table of APIs, modes and fields, as the build wrote it from the core
// (scripts/build-wasm.sh: pkg/scheme-table.json is core.schemeTable(); CI rebuilds pkg/ and fails
// on any difference). Loading this file therefore compiles no WebAssembly: the first node that
// needs the core loads it (loadCore), once, and a Node-RED that has these nodes installed but
// unused never pays for it.
let TABLE = [];
let core = null;
let coreLoadError = null;
try {
    TABLE = require('../pkg/scheme-table.json');
} catch (err) {
    coreLoadError = err;
}

/** The WebAssembly core, loaded on first use; null when it cannot load (coreLoadError says why). */
function loadCore() {
    if (core === null && coreLoadError === null) {
        try {
            core = require('../pkg/api_auth_core.js');
        } catch (err) {
            coreLoadError = err;
        }
    }
    return core;
}

/** Every credential of every API, with its Node-RED type (password for secrets). */
function credentialTypes() {
    const out = {};
    for (const api of TABLE) {
        for (const [name, f] of Object.entries(api.fields)) {
            if (f.credential) out[name] = { type: f.kind === 'secret' ? 'password' : 'text' };
        }
    }
    return out;
}

/** The fields whose value is a URL a token exchange is sent to (an OAuth 2.0 token URL). */
const EXCHANGE_URLS = [...new Set(TABLE.flatMap((api) => Object.keys(api.fields).filter((name) => api.fields[name].exchangeUrl)))];

/** The exchange URLs of node properties `n`, as written in the dialog. */
function exchangeUrls(n) {
    return EXCHANGE_URLS.map((name) => (typeof n[name] === 'string' ? n[name] : ''));
}

/** The config node's own credentials (not a scheme's): the Redis URL may hold its password. */
const STORE_CREDENTIALS = { redisUrl: { type: 'password' } };

/** An Error with a code (the core's or ours) and, for HTTP refusals, a status. */
function codedError(message, code, extra) {
    const e = new Error(message);
    e.code = code;
    return Object.assign(e, extra || {});
}

module.exports = function (RED) {
    const t = i18n(RED, 'api-auth-config');

    function ApiAuthConfigNode(n) {
        RED.nodes.createNode(this, n);
        const node = this;
        node.name = n.name || '';
        node.scheme = n.scheme;
        const api = TABLE.find((a) => a.id === n.scheme);
        node.apiLabel = api ? api.label : n.scheme;
        node.savedBaseUrl = typeof n.baseUrl === 'string' ? n.baseUrl : ''; // as written in the dialog
        node.savedExchangeUrls = exchangeUrls(n); // likewise: where stored secrets may be sent
        node.problem = null;
        node.signer = null;
        node.kind = null;
        node.queryNames = [];
        node._listeners = new Set();
        node._verifier = null;
        node._windowMs = 0;
        node._recentTokens = [];
        node._tokenAuth = null; // { token, auth }: the headers of the current token, built once

        const title = t('api-auth-config.title', { name: node.name || n.scheme || node.id });
        node.title = title;
        const settings = buildSettings(TABLE, n, node.credentials || {}, false, t);
        node.baseUrl = settings.baseUrl;
        node.timeoutMs = settings.timeoutMs;
        node._coreConfig = settings.coreConfig;
        node._secrets = settings.secrets;

        if (!loadCore()) {
            node.problem = codedError(`${title}: ${t('api-auth-config.errors.noCore', { reason: coreLoadError && coreLoadError.message })}`, 'no-core');
        } else if (settings.problems.length) {
            const first = settings.problems[0];
            node.problem = codedError(`${title}: ${settings.problems.map((p) => p.message).join('; ')}`, first.code, { field: first.field });
        } else {
            try {
                const s = new core.Signer(settings.coreConfig);
                node.signer = s;
                node.mode = s.mode;
                node.kind = s.kind;
                node.queryNames = s.queryNames();
                node.retry = s.retry();
                // what is as good as the secret (the Nightscout SHA-1 …) is masked like it
                node._secrets = node._secrets.concat(s.derived());
                if (s.kind === 'static') node.staticAuth = s.staticAuth();
                if (s.kind === 'fresh') node.freshPlace = s.freshPlace();
                for (const w of s.warnings()) node.warn(`${title}: ${node.redact(String(w))}`);
            } catch (err) {
                node.signer = null;
                node.problem = codedError(`${title}: ${node.redact(err && err.message ? err.message : String(err))}`, err.code || 'config', { field: err.field });
            }
        }
        node.exchange = !!(node.signer && node.kind === 'exchange');

        // Where the verify nodes keep the replay memory and the penalty: properties replayStore
        // ('memory' | 'redis') and redisPrefix, credential redisUrl (never in flows.json). Only
        // the verify nodes depend on it: a problem here does not stop signing.
        const store = storeSettings(n, node.credentials || {}, t);
        node.replayStore = store.kind;
        node.redisPrefix = store.prefix;
        node._storeSettings = store;
        node._secrets = node._secrets.concat(store.secrets);
        node.storeProblem = store.problem
            ? codedError(`${title}: ${store.problem.message}`, store.problem.code, { field: store.problem.field })
            : null;
        node._store = null;

        if (node.exchange) {
            node._cache = new TokenCache({
                exchange: async () => {
                    const res = await runExchange(node.signer, {
                        baseUrl: node.baseUrl, timeoutMs: node.timeoutMs, label: title, secrets: node._secrets, mask: core.maskSecret, t,
                    });
                    // the last few tokens (and what a reply carries, e.g. a rotated refresh token)
                    // stay masked: a late error may still quote one
                    node._recentTokens = [res.token].concat(res.carried || [], node._recentTokens).slice(0, 8);
                    if (res.notice) node.warn(`${title}: ${node.redact(res.notice)}`);
                    return res;
                },
                onState: (state, err) => {
                    for (const fn of node._listeners) {
                        try { fn(state, err); } catch (_) { /* a listener must not break the cache */ }
                    }
                },
            });
        }

        node.on('close', function () {
            node._listeners.clear();
            if (node._cache) node._cache.clear();
            // the one Redis connection of this node; the closed store stays, so a late request of a
            // verify node that is still closing gets "closed" (503) instead of a new connection
            if (node._store) node._store.close();
            for (const o of [node.signer, node._verifier]) {
                if (o && o.free) { try { o.free(); } catch (_) { /* already freed */ } }
            }
            node.signer = null;
            node._verifier = null;
        });
    }

    ApiAuthConfigNode.prototype.label = function () {
        return this.name || this.scheme || 'api-auth-config';
    };

    /**
     * Replace every known secret in `text` (in any encoding) by its mask: the credentials, what
     * the core says is as good as them (the Nightscout SHA-1), and the recent exchanged tokens.
     */
    ApiAuthConfigNode.prototype.redact = function (text) {
        return redact(text, (this._secrets || []).concat(this._recentTokens || []), core && core.maskSecret);
    };

    ApiAuthConfigNode.prototype.getToken = function (force) {
        if (this.problem) return Promise.reject(this.problem);
        if (!this._cache) return Promise.reject(codedError(`${this.title}: ${t('api-auth-config.errors.noExchange', { scheme: this.scheme })}`, 'not-supported'));
        return this._cache.get(!!force);
    };

    /** The headers/query/extra for an exchanged token, built by the core once per token. */
    ApiAuthConfigNode.prototype.tokenAuth = function (token) {
        const c = this._tokenAuth;
        if (c && c.token === token) return c.auth;
        const auth = this.signer.tokenAuth(token);
        this._tokenAuth = { token, auth };
        return auth;
    };

    /** { token, gen } of the cached token, or null (gen is what a msg may safely remember). */
    ApiAuthConfigNode.prototype.currentToken = function () {
        return this._cache ? this._cache.peek() : null;
    };

    ApiAuthConfigNode.prototype.invalidate = function (token) {
        return this._cache ? this._cache.invalidate(token) : false;
    };

    ApiAuthConfigNode.prototype.invalidateGen = function (gen) {
        return this._cache ? this._cache.invalidateGen(gen) : false;
    };

    /** Subscribe to exchange state changes ('exchanging' | 'ok' | 'failed', err); returns unsubscribe. */
    ApiAuthConfigNode.prototype.onState = function (fn) {
        this._listeners.add(fn);
        return () => this._listeners.delete(fn);
    };

    /** The server's own words for a refused request (`body` as text), with the scheme's hint. */
    ApiAuthConfigNode.prototype.refusal = function (body) {
        return this.signer ? this.signer.refusal(body) : core.serverWords(body);
    };

    /**
     * The one Verifier (and replay memory) of every verify node using these credentials. Its
     * memory starts at the moment it is made: keys from before a deploy or restart are refused.
     * `windowMs`: the caller's window, so the memory remembers long enough for the widest one.
     */
    ApiAuthConfigNode.prototype.verifier = function (windowMs) {
        if (this.problem) throw this.problem;
        if (!this._verifier) this._verifier = new core.Verifier(this._coreConfig, Date.now());
        if (windowMs > this._windowMs) {
            this._verifier.widen(windowMs);
            this._windowMs = windowMs;
        }
        return this._verifier;
    };

    /**
     * The Redis store of every verify node using these credentials (one connection, made on the
     * first call), or null when the replay memory is kept in this Node-RED. Throws the store's
     * configuration problem (an unset ${REDIS_URL}, a bad URL…). Each (re)connection raises the
     * shared Verifier's floor to that moment.
     */
    ApiAuthConfigNode.prototype.store = function () {
        const s = this._storeSettings;
        if (!s || s.kind !== 'redis') return null;
        if (this.storeProblem) throw this.storeProblem;
        if (!this._store) {
            const node = this;
            let was = 'connecting';
            node._store = new RedisStore({
                url: s.url,
                prefix: s.prefix,
                onConnect(nowMs) {
                    if (node._verifier) node._verifier.raiseFloor(nowMs);
                },
            });
            node._store.onState((state) => {
                if (state === 'down' && was !== 'down') {
                    node.warn(`${node.title}: ${t('api-auth-config.redis.down', { reason: node.storeText(node._store) })}`);
                } else if (state === 'ready' && was === 'down') {
                    node.log(`${node.title}: ${t('api-auth-config.redis.back')}`);
                }
                was = state;
            });
            node._store.start();
        }
        return this._store;
    };

    /** What is wrong with the store, in words (never the URL or the password). */
    ApiAuthConfigNode.prototype.storeText = function (st) {
        st = st || this._store;
        if (!st) return '';
        if (st.state === 'connecting') return t('api-auth-config.redis.connecting');
        const code = st.problem ? st.problem.code : (st.state === 'closed' ? 'closed' : 'offline');
        const text = t('api-auth-config.redis.problem.' + code, { secs: COMMAND_TIMEOUT_MS / 1000 });
        return this.redact(text === 'api-auth-config.redis.problem.' + code ? t('api-auth-config.redis.problem.error') : text);
    };

    RED.nodes.registerType('api-auth-config', ApiAuthConfigNode, {
        credentials: Object.assign(credentialTypes(), STORE_CREDENTIALS),
        // the core's table of APIs, modes and fields, for the editor (RED.settings.apiAuthConfigSchemes)
        settings: { apiAuthConfigSchemes: { value: TABLE, exportable: true } },
    });

    // Test button: try the dialog's current (possibly unsaved) values against the API's check.
    // Stored secrets (where the dialog sends `__PWRD__` or has_<name>) and ${ENV} references are
    // used only for a deployed API credentials node and only towards the Base URL (and the URL a
    // token exchange goes to, if the API has one) saved in it: a request cannot send them to a URL
    // of its choosing. JSON bodies only: a form post from another
    // web page (Node-RED's admin API has no login by default) is refused.
    RED.httpAdmin.post('/api-auth/test/:id', RED.auth.needsPermission('api-auth-config.write'), async function (req, res) {
        if (!req.is('application/json')) {
            res.status(415).json({ ok: false, status: 0, message: t('api-auth-config.test.jsonOnly') });
            return;
        }
        try {
            const body = req.body || {};
            const sent = Object.assign({}, body.credentials || {});
            const names = Object.keys(credentialTypes());
            const deployed = RED.nodes.getNode(req.params.id);
            const trusted = !!deployed && deployed.type === 'api-auth-config' && typeof body.baseUrl === 'string' && body.baseUrl === deployed.savedBaseUrl &&
                exchangeUrls(body).every((url, i) => url === deployed.savedExchangeUrls[i]);
            const creds = {};
            for (const name of names) {
                const v = sent[name];
                const useStored = v === '__PWRD__' || ((v === undefined || v === '') && (sent['has_' + name] === true || sent['has_' + name] === 'true'));
                if (useStored && !trusted) {
                    res.json({ ok: false, status: 0, message: `${name}: ${t('api-auth-config.test.storedElsewhere')}` });
                    return;
                }
                // a deployed node's credentials already hold the values of its ${ENV} references
                creds[name] = useStored ? (deployed.credentials || {})[name] : v;
            }
            if (!loadCore()) {
                res.json({ ok: false, status: 0, message: t('api-auth-config.errors.noCore', { reason: coreLoadError && coreLoadError.message }) });
                return;
            }
            const props = trusted ? Object.assign({}, body, { baseUrl: deployed.baseUrl || body.baseUrl }) : body;
            res.json(await runTest(core, TABLE, props, creds, trusted ? 'resolve' : 'refuse', t));
        } catch (err) {
            res.json({ ok: false, status: 0, message: String((err && err.message) || err).slice(0, 300) });
        }
    });
};
