'use strict';
// nodes/api-auth.js with the Tedee fast path applied — the one change the bench proposes for that
// file (bench/README.md): `cfg.signer.freshKey(Date.now())` → `freshKey(cfg.signer, Date.now())`
// of nodes/lib/fresh-key.js. Compiled in memory from the file's current source, as if it were
// that file (its relative requires resolve as usual), and registered as 'api-auth-fast'. When the
// file already has the change (or no longer has the line), there is nothing to compare: null.

const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

const FILE = require.resolve('../nodes/api-auth.js');
const FROM = 'const key = cfg.signer.freshKey(Date.now());';
const TO = 'const key = freshKey(cfg.signer, Date.now());';
const REQUIRE = "const freshKey = require('./lib/fresh-key');";

function patchedAuthModule() {
    const src = fs.readFileSync(FILE, 'utf8');
    if (!src.includes(FROM) || src.includes(REQUIRE)) return null;
    const patched = src.replace("'use strict';\n", `'use strict';\n${REQUIRE}\n`).replace(FROM, TO);
    const m = new Module(FILE, module);
    m.filename = FILE;
    m.paths = Module._nodeModulePaths(path.dirname(FILE));
    m._compile(patched, FILE);
    const fn = m.exports;
    // register it under another name, next to the real node
    return function (RED) {
        const nodes = Object.assign({}, RED.nodes, { registerType: (type, ctor, opts) => RED.nodes.registerType(type === 'api-auth' ? 'api-auth-fast' : type, ctor, opts) });
        return fn(Object.assign({}, RED, { nodes }));
    };
}

module.exports = { patchedAuthModule, FROM, TO, REQUIRE };
