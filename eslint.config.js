'use strict';
// One JavaScript style for nodes/, scripts/, test/ and bench/: `npm run lint` (CI runs it).
// The recommended rules catch mistakes; @stylistic keeps the layout the node files share
// (4 spaces, single quotes, semicolons, trailing commas on multi-line literals).
const js = require('@eslint/js');
const stylistic = require('@stylistic/eslint-plugin');

const node = {
    require: 'readonly', module: 'writable', exports: 'writable', __dirname: 'readonly', __filename: 'readonly', process: 'readonly',
    Buffer: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly',
    clearInterval: 'readonly', setImmediate: 'readonly', clearImmediate: 'readonly', URL: 'readonly', URLSearchParams: 'readonly',
    fetch: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly',
    WebAssembly: 'readonly', structuredClone: 'readonly', performance: 'readonly', queueMicrotask: 'readonly', global: 'readonly',
    FormData: 'readonly', Blob: 'readonly',
};
const mocha = { describe: 'readonly', it: 'readonly', before: 'readonly', after: 'readonly', beforeEach: 'readonly', afterEach: 'readonly' };
const browser = { window: 'readonly', document: 'readonly', $: 'readonly', RED: 'readonly', navigator: 'readonly' };

module.exports = [
    { ignores: ['pkg/**', 'node_modules/**', '.cache/**', 'fuzz/**', 'test/artifacts/**', 'target/**'] },
    js.configs.recommended,
    {
        files: ['**/*.js'],
        plugins: { '@stylistic': stylistic },
        languageOptions: { ecmaVersion: 2022, sourceType: 'commonjs', globals: { ...node, ...mocha } },
        rules: {
            strict: ['error', 'global'],
            'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none' }],
            'no-empty': ['error', { allowEmptyCatch: true }],
            eqeqeq: ['error', 'always'],
            'prefer-const': 'error',
            'no-var': 'error',
            '@stylistic/indent': ['error', 4, { SwitchCase: 1 }],
            '@stylistic/quotes': ['error', 'single', { avoidEscape: true }],
            '@stylistic/semi': ['error', 'always'],
            '@stylistic/comma-dangle': ['error', 'always-multiline'],
            '@stylistic/brace-style': ['error', '1tbs', { allowSingleLine: true }],
            '@stylistic/no-trailing-spaces': 'error',
            '@stylistic/eol-last': 'error',
            '@stylistic/space-before-blocks': 'error',
            '@stylistic/keyword-spacing': 'error',
        },
    },
    {
        // code that runs in the browser (page.evaluate callbacks are plain functions too)
        files: ['test/editor-browser.spec.js', 'scripts/screenshots.js'],
        languageOptions: { globals: { ...node, ...mocha, ...browser } },
    },
];
