'use strict';
// The config node's properties + credentials → the core's configuration, passed through as given:
// the core checks every value and refuses an unknown one with an error naming the field and the
// allowed values (JavaScript never substitutes a default). What only JavaScript can do is done
// here: `${ENV_VAR}` references (an unset one is reported), the base URL's shape, the timeout.
// Which names exist, and which are credentials, comes from the core's table.

const ENV_RE = /^\$\{(\S+)\}$/;
const ENV_RE_OLD = /^\$\((\S+)\)$/;

/** The variable name when `v` is a whole `${NAME}` (or legacy `$(NAME)`) reference, else null. */
function envRef(v) {
    if (typeof v !== 'string') return null;
    const m = ENV_RE.exec(v) || ENV_RE_OLD.exec(v);
    return m ? m[1] : null;
}

/**
 * The names a configuration may carry for `api` (all its modes' fields), which are credentials,
 * and which of those are secrets (a name credential — a user name, an OAuth client id — is not:
 * it is not masked, so a reply that names it stays readable).
 */
function fieldsOf(api) {
    return api ? Object.entries(api.fields).map(([name, f]) => ({ name, credential: f.credential, secret: f.credential && f.kind !== 'name' })) : [];
}

/**
 * Build { coreConfig, scheme, baseUrl, timeoutMs, secrets, problems[] } from the node's properties
 * `n` and credentials `creds`. `env`:
 * - false (a deployed node): Node-RED already replaced the set `${X}` at deploy, so any `${X}`
 *   still present is an unset variable;
 * - 'resolve' (Test endpoint, a deployed node's saved Base URL): `${X}` is replaced from process.env;
 * - 'refuse' (Test endpoint, any other URL): `${X}` is not resolved, it is an error.
 * `t` gives the texts; problems are { field, code, message }.
 */
function buildSettings(table, n, creds, env, t) {
    creds = creds || {};
    const problems = [];
    const problem = (field, code, key, vars) => problems.push({ field, code, message: `${field}: ${t(key, vars)}` });
    const value = (field, v) => {
        const ref = envRef(v);
        if (!ref) return v;
        if (env === 'refuse') problem(field, 'env-refused', 'api-auth-config.errors.envRefused', { ref });
        else if (env === 'resolve' && process.env[ref] !== undefined) return process.env[ref];
        else problem(field, 'env-unset', 'api-auth-config.errors.envUnset', { ref });
        return undefined;
    };
    const api = table.find((a) => a.id === n.scheme);
    const coreConfig = {};
    for (const k of ['scheme', 'mode']) {
        if (typeof n[k] === 'string' && n[k] !== '') coreConfig[k] = n[k];
    }
    const secrets = [];
    for (const { name, credential, secret } of fieldsOf(api)) {
        const raw = credential ? creds[name] : n[name];
        if (raw === undefined || raw === null) continue;
        const v = value(name, typeof raw === 'string' ? raw : String(raw));
        if (v === undefined) continue;
        coreConfig[name] = v;
        if (secret) secrets.push(v, v.trim());
    }
    let baseUrl = typeof n.baseUrl === 'string' ? value('baseUrl', n.baseUrl.trim()) : undefined;
    if (baseUrl) {
        let ok;
        try { ok = ['http:', 'https:'].includes(new URL(baseUrl).protocol); } catch (_) { ok = false; }
        if (!ok) {
            problem('baseUrl', 'bad-url', 'api-auth-config.errors.badUrl', { url: JSON.stringify(baseUrl.slice(0, 80)) });
            baseUrl = undefined;
        }
    }
    if (baseUrl) coreConfig.baseUrl = baseUrl;
    let timeout = Number(n.timeout);
    if (n.timeout === undefined || n.timeout === '' || n.timeout === null) timeout = 10;
    if (!Number.isFinite(timeout) || timeout <= 0) {
        problem('timeout', 'bad-number', 'api-auth-config.errors.badTimeout', { value: JSON.stringify(n.timeout) });
        timeout = 10;
    }
    return { coreConfig, scheme: n.scheme, baseUrl, timeoutMs: Math.round(timeout * 1000), secrets, problems };
}

module.exports = { envRef, fieldsOf, buildSettings };
