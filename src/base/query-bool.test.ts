import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queryBool, queryBoolOrUndefined } from './query-bool.js';

const read = (query: string, name = 'b') => queryBool(new URLSearchParams(query), name);

test("every spelling Go's strconv.ParseBool reads as true is true", () => {
  for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(read(`b=${v}`), true, v);
});

test("every spelling Go's strconv.ParseBool reads as false but f/F is false; f and F are true, as in apimachinery", () => {
  for (const v of ['0', 'FALSE', 'false', 'False', 'fAlSe']) assert.equal(read(`b=${v}`), false, v);
  // apimachinery's query conversion only knows "0" and "false": a lone f is true to the API server
  assert.equal(read('b=f'), true);
  assert.equal(read('b=F'), true);
});

test('present without a value is true; absent is false (or undefined for the optional form)', () => {
  assert.equal(read('b'), true);
  assert.equal(read('b='), true);
  assert.equal(read('other=1'), false);
  assert.equal(queryBoolOrUndefined(new URLSearchParams('other=1'), 'b'), undefined);
  assert.equal(queryBoolOrUndefined(new URLSearchParams('b=False'), 'b'), false);
  assert.equal(queryBoolOrUndefined(new URLSearchParams('b=yes'), 'b'), true);
});

test('the first value decides, as upstream reads values[0]', () => {
  assert.equal(read('b=false&b=true'), false);
  assert.equal(read('b=True&b=0'), true);
});
