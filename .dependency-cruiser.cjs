// Layering rules of DESIGN.md, enforced in `npm test` (npm run lint).
/** @type {import('dependency-cruiser').IConfiguration} */
const layer2 = ['apiserver', 'scheduler', 'controllers', 'agent', 'network'];
const others = (me) => layer2.filter((x) => x !== me).join('|');
module.exports = {
  forbidden: [
    { name: 'base-is-pure', severity: 'error', from: { path: '^src/base/' }, to: { path: '^src/(?!base/)' } },
    { name: 'api-only-base', severity: 'error', from: { path: '^src/api/' }, to: { path: '^src/(?!base/|api/)' } },
    { name: 'storage-below-layer2', severity: 'error', from: { path: '^src/storage/' }, to: { path: '^src/(?!base/|api/|storage/)' } },
    { name: 'client-below-layer2', severity: 'error', from: { path: '^src/client/' }, to: { path: '^src/(?!base/|api/|client/)' } },
    ...layer2.map((me) => ({
      name: `${me}-no-sibling-layer2`, severity: 'error',
      from: { path: `^src/${me}/` },
      to: { path: me === 'apiserver' ? `^src/(${others(me)}|cli)/` : `^src/(${others(me)}|storage|apiserver|cli)/` },
    })),
    { name: 'platform-linux-only-common', severity: 'error', from: { path: '^src/agent/platform/linux/' }, to: { path: '^src/agent/platform/(?!common/|linux/)' } },
    { name: 'platform-windows-only-common', severity: 'error', from: { path: '^src/agent/platform/windows/' }, to: { path: '^src/agent/platform/(?!common/|windows/)' } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Tests may wire anything together (an integration test of the scheduler starts the whole
    // server); the layering rules are about production code.
    exclude: { path: '(\\.test\\.ts$|/testing/)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
