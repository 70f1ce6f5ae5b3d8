#!/usr/bin/env node
'use strict';
// Drop the "name" custom section (function names for stack traces, ~65 KB) from a built .wasm.
// It has to happen after wasm-bindgen: stripping at link time (Cargo `strip = true`) also
// removes the custom sections wasm-bindgen reads. Nothing else in the module changes.
//   node scripts/strip-wasm-names.js pkg/api_auth_core_bg.wasm
const fs = require('node:fs');

function readLeb(buf, pos) {
    let result = 0;
    let shift = 0;
    for (;;) {
        const byte = buf[pos++];
        result += (byte & 0x7f) * 2 ** shift;
        if ((byte & 0x80) === 0) return [result, pos];
        shift += 7;
    }
}

function stripNames(buf) {
    if (buf.readUInt32LE(0) !== 0x6d736100) throw new Error('not a WebAssembly module');
    const parts = [buf.subarray(0, 8)];
    let pos = 8;
    while (pos < buf.length) {
        const start = pos;
        const id = buf[pos++];
        const [size, body] = readLeb(buf, pos);
        const end = body + size;
        if (end > buf.length) throw new Error('truncated section at byte ' + start);
        let drop = false;
        if (id === 0) {
            const [nameLen, namePos] = readLeb(buf, body);
            drop = buf.toString('utf8', namePos, namePos + nameLen) === 'name';
        }
        if (!drop) parts.push(buf.subarray(start, end));
        pos = end;
    }
    return Buffer.concat(parts);
}

if (require.main === module) {
    const file = process.argv[2];
    const before = fs.readFileSync(file);
    const after = stripNames(before);
    fs.writeFileSync(file, after);
    console.log(`${file}: ${before.length} -> ${after.length} bytes (name section removed)`);
}
module.exports = { stripNames };
