import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, formatLine, nullLogger, objectRef, parseLogLevel } from './log.js';

test('lines name the component and carry fields; children nest and inherit fields', () => {
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l), level: 'info' });
  log.info('started');
  const ctl = log.child('controllers').child('deployment', { worker: 1 });
  ctl.warn('sync failed', { deployment: 'default/web', error: new Error('conflict'), n: 3, ok: true, empty: '', spaced: 'a b' });
  ctl.debug('not shown at info');
  assert.deepEqual(lines, [
    'info started',
    'warn controllers/deployment: sync failed worker=1 deployment=default/web error="conflict" n=3 ok=true empty="" spaced="a b"',
  ]);
});

test('levels filter, and the level is read from TANDEM_LOG_LEVEL by default', () => {
  assert.equal(parseLogLevel('debug'), 'debug');
  assert.equal(parseLogLevel('nonsense'), 'info');
  assert.equal(parseLogLevel(undefined), 'info');
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l), level: 'error' });
  log.info('x');
  log.warn('y');
  log.error('z');
  assert.deepEqual(lines, ['error z']);
  const child = log.child('c');
  child.warn('still filtered');
  assert.equal(lines.length, 1);
});

test('objectRef and the null logger', () => {
  assert.equal(objectRef({ metadata: { namespace: 'ns', name: 'p' } }), 'ns/p');
  assert.equal(objectRef({ metadata: { name: 'node-1' } }), 'node-1');
  assert.equal(objectRef(undefined), '');
  nullLogger.child('x').error('dropped');
  assert.equal(formatLine('info', '', 'm', { u: undefined }), 'info m');
});
