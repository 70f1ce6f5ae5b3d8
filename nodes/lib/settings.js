'use strict';
// Turn the config node's properties + credentials into the core's scheme configuration
// (docs/CORE_API.md), taking only what the chosen scheme and mode need, and find unset
// `${ENV_VAR}` references. Shared by the config node and its Test endpoint.

const SCHEMES = ['timetagger', 'timbr', 'nightscout', 'tedee', 'actyx', 'header'];
const MODES = {
    timetagger: ['authtoken', 'bearer'],
    timbr: ['token', 'exchange'],
    nightscout: ['secret', 'token', 'jwt'],
    tedee: ['encrypted', 'plain'],
    actyx: ['exchange'],
    header: [''],
};
const EXCHANGE = { timbr: 'exchange', nightscout: 'jwt', actyx: 'exchange' };
const PLACEMENT = { nightscout: true, tedee: true, actyx: true, header: true };

const CREDENTIAL_NAMES = ['token', 'secret', 'username', 'password', 'salt'];

/** Which credentials a scheme/mode needs. */
function credentialsFor(scheme, mode) {
    switch (scheme) {
        case 'timetagger': return ['token'];
        case 'timbr': return mode === 'exchange' ? ['username', 'password', 'salt'] : ['token'];
        case 'nightscout': return mode === 'secret' ? ['secret'] : ['token'];
        case 'tedee': return ['token'];
        case 'actyx': return [];
        case 'header': return ['token'];
        default: return [];
    }
}

function isExchange(scheme, mode) {
    return EXCHANGE[scheme] !== undefined && EXCHANGE[scheme] === mode;
}

/** The mode actually used: the given one if valid for the scheme, else the scheme's default. */
function modeOf(scheme, mode) {
    const list = MODES[scheme] || [''];
    return list.includes(mode) ? mode : list[0];
}

const ENV_RE = /^\$\{(\S+)\}$/;
const ENV_RE_OLD = /^\$\((\S+)\)$/;

/** The variable name when `v` is a whole `${NAME}` (or legacy `$(NAME)`) reference, else null. */
function envRef(v) {
    if (typeof v !== 'string') return null;
    const m = ENV_RE.exec(v) || ENV_RE_OLD.exec(v);
    return m ? m[1] : null;
}

function trimStr(v) {
    return typeof v === 'string' ? v.trim() : (v === undefined || v === null ? '' : String(v));
}

/**
 * Build { coreConfig, scheme, mode, baseUrl, timeoutMs, secrets, problems[] } from the node's
 * properties `n` and credentials `creds`. `env`:
 * - false (a deployed node): Node-RED already replaced the set `${X}` at deploy, so any `${X}`
 *   still present is an unset variable;
 * - 'resolve' (Test endpoint, a deployed node's saved Base URL): `${X}` is replaced from process.env;
 * - 'refuse' (Test endpoint, any other URL): `${X}` is not resolved, it is an error.
 */
function buildSettings(n, creds, env) {
    creds = creds || {};
    const problems = [];
    const scheme = SCHEMES.includes(n.scheme) ? n.scheme : null;
    if (!scheme) {
        problems.push(`scheme: must be one of ${SCHEMES.join(', ')} (got ${JSON.stringify(n.scheme)})`);
        return { problems, secrets: [] };
    }
    const mode = modeOf(scheme, n.mode);
    const value = (field, v) => {
        let s = v;
        const ref = envRef(s);
        if (ref) {
            if (env === 'refuse') {
                problems.push(`${field}: \${${ref}} is only resolved for the saved Base URL of a deployed API credentials node — deploy first`);
                return undefined;
            }
            if (env === 'resolve' && process.env[ref] !== undefined) s = process.env[ref];
            else { problems.push(`${field}: environment variable \${${ref}} is not set`); return undefined; }
        }
        return s;
    };
    const cfg = { scheme, mode };
    const secrets = [];
    for (const name of credentialsFor(scheme, mode)) {
        const v = value(name, creds[name]);
        if (v === undefined) continue;
        if (v === undefined || v === null || v === '') {
            problems.push(`${name}: is empty — enter it, or write \${ENV_VAR} to read it from the environment`);
            continue;
        }
        cfg[name] = String(v);
        if (name !== 'username') secrets.push(String(v), String(v).trim());
    }
    if (PLACEMENT[scheme]) cfg.placement = n.placement === 'query' ? 'query' : 'header';
    if (scheme === 'header') {
        cfg.headerName = value('headerName', trimStr(n.headerName) || 'Authorization');
        cfg.prefix = value('prefix', typeof n.prefix === 'string' ? n.prefix : '') ;
        cfg.queryName = value('queryName', trimStr(n.queryName) || 'api_key');
    }
    if (scheme === 'timbr' && mode === 'exchange') {
        cfg.keyMode = ['key', 'md5', 'sha256'].includes(n.keyMode) ? n.keyMode : 'key';
        cfg.plaintextMode = ['base64', 'plain'].includes(n.plaintextMode) ? n.plaintextMode : 'base64';
    }
    if (scheme === 'actyx') {
        cfg.appId = value('appId', trimStr(n.appId));
        cfg.displayName = value('displayName', trimStr(n.displayName));
        cfg.appVersion = value('appVersion', trimStr(n.appVersion));
        const sig = value('signature', trimStr(n.signature));
        if (sig) cfg.signature = sig;
    }
    let baseUrl = value('baseUrl', trimStr(n.baseUrl));
    if (baseUrl) {
        try {
            const u = new URL(baseUrl);
            if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('x');
        } catch (_) {
            problems.push(`baseUrl: not an http(s) URL (${JSON.stringify(baseUrl.slice(0, 80))})`);
            baseUrl = undefined;
        }
    }
    if (baseUrl) cfg.baseUrl = baseUrl;
    const exchange = isExchange(scheme, mode);
    if (exchange && !baseUrl && !problems.some((p) => p.startsWith('baseUrl'))) {
        problems.push('baseUrl: is required for the token exchange (e.g. ' + exampleBase(scheme) + ')');
    }
    let timeout = Number(n.timeout);
    if (n.timeout === undefined || n.timeout === '' || n.timeout === null) timeout = 10;
    if (!Number.isFinite(timeout) || timeout <= 0) {
        problems.push(`timeout: must be a positive number of seconds (got ${JSON.stringify(n.timeout)})`);
        timeout = 10;
    }
    return { coreConfig: cfg, scheme, mode, exchange, baseUrl, timeoutMs: Math.round(timeout * 1000), secrets, problems };
}

function exampleBase(scheme) {
    return {
        timetagger: 'http://127.0.0.1:8080/timetagger/api/v2',
        timbr: 'https://timbr.example.com',
        nightscout: 'https://my-nightscout.example.com',
        tedee: 'http://192.168.1.25/v1.0',
        actyx: 'http://localhost:4454',
        header: 'https://api.example.com',
    }[scheme];
}

module.exports = {
    SCHEMES, MODES, CREDENTIAL_NAMES, credentialsFor, isExchange, modeOf, envRef, buildSettings, exampleBase,
};
