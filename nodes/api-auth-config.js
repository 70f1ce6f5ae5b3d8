'use strict';
// Config node `api-auth-config`: holds the secrets (Node-RED credentials or ${ENV_VAR}), the
// scheme settings, the shared core Signer, the one single-flight token cache, and the admin
// endpoint behind the dialog's Test button. Its face to other nodes is in docs/CORE_API.md.

const { TokenCache } = require('./lib/token-cache');
const { EXCHANGES, MAX_MARGIN_MS } = require('./lib/exchanges');
const { buildSettings, CREDENTIAL_NAMES } = require('./lib/settings');
const { runTest } = require('./lib/test-endpoint');
const { redact } = require('./lib/http');

let core = null;
let coreLoadError = null;
try {
    core = require('../pkg/api_auth_core.js');
} catch (err) {
    coreLoadError = err;
}

module.exports = function (RED) {
    function ApiAuthConfigNode(n) {
        RED.nodes.createNode(this, n);
        const node = this;
        node.name = n.name || '';
        node.scheme = n.scheme;
        node.savedBaseUrl = typeof n.baseUrl === 'string' ? n.baseUrl : ''; // as written in the dialog
        node.problem = null;
        node.signer = null;
        node._listeners = new Set();
        node._verifier = null;
        node._windowMs = 0;
        node.queryNames = [];
        node._recentTokens = [];

        const title = `API credentials "${node.name || n.scheme || node.id}"`;
        node.title = title;
        const settings = buildSettings(n, node.credentials || {}, false);
        node.mode = settings.mode;
        node.baseUrl = settings.baseUrl;
        node.timeoutMs = settings.timeoutMs;
        node.exchange = !!settings.exchange;
        node._coreConfig = settings.coreConfig;
        node._secrets = settings.secrets;

        if (!core) {
            node.problem = new Error(`${title}: the WebAssembly core could not be loaded (${coreLoadError && coreLoadError.message})`);
        } else if (settings.problems.length) {
            node.problem = new Error(`${title}: ${settings.problems.join('; ')}`);
        } else {
            try {
                node.signer = new core.Signer(settings.coreConfig);
                node.queryNames = node.signer.queryNames();
                if (!node.exchange && settings.scheme !== 'tedee') {
                    // what a static scheme sends (e.g. the Nightscout SHA-1) is as good as the secret
                    const built = node.signer.build(Date.now());
                    for (const part of [built.headers, built.query]) {
                        for (const v of Object.values(part || {})) node._secrets.push(String(v), String(v).replace(/^Bearer /, ''));
                    }
                }
                const warnings = node.signer.warnings ? node.signer.warnings() : [];
                for (const w of warnings) node.warn(`${title}: ${node.redact(String(w))}`);
            } catch (err) {
                node.signer = null;
                node.problem = new Error(`${title}: ${node.redact(err && err.message ? err.message : String(err))}`);
            }
        }

        if (node.exchange && !node.problem) {
            const exchange = EXCHANGES[settings.scheme];
            const ctx = { core, label: title, timeoutMs: settings.timeoutMs, secrets: settings.secrets };
            node._cache = new TokenCache({
                exchange: () => exchange(ctx, settings.coreConfig).then((res) => {
                    // the last few tokens stay masked: a late error may still quote one
                    node._recentTokens = [res.token].concat(node._recentTokens).slice(0, 4);
                    return res;
                }),
                maxMarginMs: MAX_MARGIN_MS[settings.scheme] || 0,
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
            if (node.signer && node.signer.free) { try { node.signer.free(); } catch (_) { /* already freed */ } }
            if (node._verifier && node._verifier.free) { try { node._verifier.free(); } catch (_) { /* already freed */ } }
            node.signer = null;
            node._verifier = null;
        });
    }

    ApiAuthConfigNode.prototype.label = function () {
        return this.name || this.scheme || 'api-auth-config';
    };

    /**
     * Replace every known secret in `text` (in any encoding) by its mask: the credentials, what a
     * static scheme derives from them (the Nightscout SHA-1), and the recent exchanged tokens.
     */
    ApiAuthConfigNode.prototype.redact = function (text) {
        const secrets = (this._secrets || []).concat(this._recentTokens || []);
        return redact(text, secrets, core && core.maskSecret);
    };

    ApiAuthConfigNode.prototype.getToken = function (force) {
        if (this.problem) return Promise.reject(this.problem);
        if (!this._cache) return Promise.reject(new Error(`${this.title}: scheme ${this.scheme} (${this.mode}) has no token exchange`));
        return this._cache.get(!!force);
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

    const credentials = {};
    for (const name of CREDENTIAL_NAMES) credentials[name] = { type: name === 'username' ? 'text' : 'password' };
    RED.nodes.registerType('api-auth-config', ApiAuthConfigNode, { credentials });

    // Test button: try the dialog's current (possibly unsaved) values against the API's check
    // endpoint. Stored secrets (where the dialog sends `__PWRD__` or has_<name>) and ${ENV}
    // references are used only for a deployed API credentials node and only towards the Base URL
    // saved in it: a request cannot send them to a URL of its choosing. JSON bodies only: a form
    // post from another web page (Node-RED's admin API has no login by default) is refused.
    RED.httpAdmin.post('/api-auth/test/:id', RED.auth.needsPermission('api-auth-config.write'), async function (req, res) {
        if (!req.is('application/json')) {
            res.status(415).json({ ok: false, status: 0, message: 'the Test endpoint accepts application/json only' });
            return;
        }
        try {
            const body = req.body || {};
            const sent = Object.assign({}, body.credentials || {});
            for (const name of CREDENTIAL_NAMES) {
                if (sent[name] === undefined && body[name] !== undefined) sent[name] = body[name];
                if (sent['has_' + name] === undefined && body['has_' + name] !== undefined) sent['has_' + name] = body['has_' + name];
            }
            const deployed = RED.nodes.getNode(req.params.id);
            const trusted = !!deployed && deployed.type === 'api-auth-config' && typeof body.baseUrl === 'string' && body.baseUrl === deployed.savedBaseUrl;
            const creds = {};
            for (const name of CREDENTIAL_NAMES) {
                const v = sent[name];
                const useStored = v === '__PWRD__' || ((v === undefined || v === '') && (sent['has_' + name] === true || sent['has_' + name] === 'true'));
                if (useStored && !trusted) {
                    res.json({ ok: false, status: 0, message: `${name}: the stored secret is only used with the saved Base URL of a deployed API credentials node — deploy first, or type the secret again` });
                    return;
                }
                // a deployed node's credentials already hold the values of its ${ENV} references
                creds[name] = useStored ? (deployed.credentials || {})[name] : v;
            }
            if (!core) {
                res.json({ ok: false, status: 0, message: `the WebAssembly core could not be loaded (${coreLoadError && coreLoadError.message})` });
                return;
            }
            const base = trusted ? Object.assign({}, body, { baseUrl: deployed.baseUrl || body.baseUrl }) : body;
            const result = await runTest(core, base, creds, trusted);
            res.json(result);
        } catch (err) {
            res.json({ ok: false, status: 0, message: String((err && err.message) || err).slice(0, 300) });
        }
    });
};
