// Layering rules of DESIGN.md, enforced in `npm test` (npm run lint).
/** @type {import('dependency-cruiser').IConfiguration} */
const layer2 = ['apiserver', 'scheduler', 'controllers', 'agent', 'network'];
const others = (me) => layer2.filter((x) => x !== me).join('|');
// Test support (fakes, fixtures, conformance suites) lives in testing/ folders; tests and test support
// may wire anything together (an integration test of the scheduler starts the whole server), so the
// layering rules are about production code only.
const TESTING = '/testing/';
module.exports = {
  forbidden: [
    { name: 'base-is-pure', severity: 'error', from: { path: '^src/base/', pathNot: TESTING }, to: { path: '^src/(?!base/)' } },
    { name: 'api-only-base', severity: 'error', from: { path: '^src/api/', pathNot: TESTING }, to: { path: '^src/(?!base/|api/)' } },
    { name: 'storage-below-layer2', severity: 'error', from: { path: '^src/storage/', pathNot: TESTING }, to: { path: '^src/(?!base/|api/|storage/)' } },
    { name: 'pki-below-layer2', severity: 'error', from: { path: '^src/pki/', pathNot: TESTING }, to: { path: '^src/(?!base/|pki/)' } },
    { name: 'client-below-layer2', severity: 'error', from: { path: '^src/client/', pathNot: TESTING }, to: { path: '^src/(?!base/|api/|client/)' } },
    ...layer2.map((me) => ({
      name: `${me}-no-sibling-layer2`, severity: 'error',
      from: { path: `^src/${me}/`, pathNot: TESTING },
      to: { path: me === 'apiserver' ? `^src/(${others(me)}|cli)/` : `^src/(${others(me)}|storage|apiserver|cli)/` },
    })),
    // the web view's server (src/webui): beside the API server, it calls the API over HTTP only; the CLI starts it through its index.ts
    { name: 'webui-above-apiserver', severity: 'error', from: { path: '^src/webui/', pathNot: TESTING }, to: { path: '^src/(?!base/|api/|client/|apiserver/|webui/)' } },
    { name: 'webui-only-from-cli', severity: 'error', from: { path: '^src/(?!cli/|webui/)' }, to: { path: '^src/webui/' } },
    { name: 'cli-webui-through-index', severity: 'error', from: { path: '^src/cli/' }, to: { path: '^src/webui/', pathNot: '^src/webui/index\\.ts$' } },
    { name: 'platform-linux-only-common', severity: 'error', from: { path: '^src/agent/platform/linux/' }, to: { path: '^src/agent/platform/(?!common/|linux/)' } },
    { name: 'platform-windows-only-common', severity: 'error', from: { path: '^src/agent/platform/windows/' }, to: { path: '^src/agent/platform/(?!common/|windows/)' } },
    {
      // the CLI wires layer-2 components through their public faces only (vscode's no-deep-import
      // rule): a folder's index.ts, or a sub-package's (agent/sim, agent/streaming), which lets a
      // command load only what it runs
      name: 'cli-only-through-index', severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: `^src/(${layer2.join('|')})/`, pathNot: [`^src/(${layer2.join('|')})/index\\.ts$`, `^src/(${layer2.join('|')})/[a-z0-9-]+/index\\.ts$`, `^src/(${layer2.join('|')})/[a-z0-9-]+/[a-z0-9-]+/index\\.ts$`] },
    },
    {
      name: 'no-testing-in-production', severity: 'error',
      from: { path: '^src/', pathNot: TESTING },
      to: { path: TESTING },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // test files are not production code; testing/ folders are analysed so that the rule above sees imports of them
    exclude: { path: '\\.test\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
