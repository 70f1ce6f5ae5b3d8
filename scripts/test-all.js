#!/usr/bin/env node
'use strict';
// The one test command (`npm test`): the Rust core's unit and property tests (cargo test),
// then every mocha suite in test/ against the committed pkg/ and the real Node-RED runtime.
// Ends with one line "tests: N passed, N failed" (Rust and JavaScript added up).
// Arguments are mocha file globs to run a subset: `npm test -- test/verify-*.spec.js`.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');
const Mocha = require('mocha');

const root = path.resolve(__dirname, '..');
process.chdir(root);
let passed = 0;
let failed = 0;
const only = process.argv.slice(2);

function rustTests() {
    const probe = spawnSync('cargo', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
        if (process.env.CI) {
            console.error('cargo not found: CI must run the Rust tests');
            failed += 1;
        } else {
            console.warn('! cargo not found: Rust unit tests skipped (install Rust to run them)');
        }
        return;
    }
    const r = spawnSync('cargo', ['test', '--release', '--quiet'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    process.stdout.write(r.stdout || '');
    for (const m of (r.stdout || '').matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
        passed += Number(m[1]);
        failed += Number(m[2]);
    }
    if (r.status !== 0 && failed === 0) failed += 1; // a build error counts as a failure
}

function specFiles() {
    const dir = path.join(root, 'test');
    const all = fs.readdirSync(dir).filter((f) => f.endsWith('.spec.js')).sort().map((f) => path.join('test', f));
    if (!only.length) return all;
    const wanted = only.map((g) => new RegExp('^' + g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$'));
    return all.filter((f) => wanted.some((re) => re.test(f)));
}

function jsTests() {
    return new Promise((resolve) => {
        const mocha = new Mocha({ timeout: 60000, reporter: 'spec' });
        for (const f of specFiles()) mocha.addFile(path.join(root, f));
        const runner = mocha.run(() => {
            passed += runner.stats.passes;
            failed += runner.stats.failures;
            resolve();
        });
    });
}

(async () => {
    if (!only.length) rustTests();
    await jsTests();
    console.log(`\ntests: ${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
})();
