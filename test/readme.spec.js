'use strict';
// The README stays true to the code: its two commands exist as npm scripts, the error table it
// links is the one the robustness test checks, every example and node it names exists, and the pictures
// it shows are there.
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const pkg = require('../package.json');

describe('README is true to the code', function () {
    it('gives exactly two commands for a newcomer, and both are npm scripts', function () {
        const block = /## Two commands\s+```sh\n([\s\S]*?)```/.exec(readme);
        assert.ok(block, 'a "Two commands" section with a sh block');
        const lines = block[1].trim().split('\n').map((l) => l.replace(/#.*$/, '').trim());
        assert.deepStrictEqual(lines, ['npm install && npm start', 'npm test']);
        assert.ok(pkg.scripts.start && pkg.scripts.test);
        assert.match(fs.readFileSync(path.join(root, '.ci', 'run'), 'utf8'), /^npm test$/m, 'CI calls the README test command');
    });

    it('links the error table the robustness test checks, and that table is the one it writes, row for row', function () {
        const table = execFileSync(process.execPath, [path.join(root, 'test', 'robustness-bad-input.spec.js'), '--markdown'], { encoding: 'utf8' });
        const rows = table.split('\n').filter((l) => /^\| \d+ \|/.test(l));
        assert.ok(rows.length >= 25);
        assert.ok(readme.includes('](docs/troubleshooting-table.md)'), 'the README links the table');
        assert.ok(readme.includes(`all ${rows.length} of them`), 'the README says how many errors the table lists');
        assert.strictEqual(fs.readFileSync(path.join(root, 'docs', 'troubleshooting-table.md'), 'utf8').trim(), table.trim());
    });

    it('links only files that exist (examples, pictures, sources)', function () {
        for (const m of readme.matchAll(/\]\(((?!https?:|#)[^)\s]+)\)/g)) {
            assert.ok(fs.existsSync(path.join(root, m[1])), 'missing: ' + m[1]);
        }
        for (const f of fs.readdirSync(path.join(root, 'examples'))) assert.ok(readme.includes('examples/' + f), 'README does not mention ' + f);
    });

    it('names the node types package.json registers', function () {
        for (const type of Object.keys(pkg['node-red'].nodes)) assert.ok(readme.includes('`' + type + '`'), type);
    });
});
