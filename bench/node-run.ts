// `node dist/bench/node-run.js`: the bench's `node` phase alone (progress on stderr, figures on stdout).
import { renderNode, runNodeBench } from './node.js';

const log = (s: string) => process.stderr.write(`[bench node] ${s}\n`);

runNodeBench(log).then(
  (r) => {
    process.stdout.write(`\n${renderNode(r)}`);
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(`node bench crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
