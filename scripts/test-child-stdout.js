// Preloaded (--import) into every test file's process by scripts/run-tests.js. node:test runs each file in a
// child that streams its results to the runner over a stdout pipe; with --test-force-exit, Node 22+ exits the
// child as soon as its tests end, and whatever of that stream is still queued in the pipe's write buffer is
// lost: the runner then reports fewer tests than ran, with no failure (nodejs/node issue 64833; on Node 24
// the tail of a file with many tests went missing in every run). Blocking writes leave nothing queued at
// exit. Harmless on Node 20, whose runner did not lose results.
process.stdout._handle?.setBlocking?.(true);
