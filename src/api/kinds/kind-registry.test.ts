import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createKindRegistry } from './kind-registry.js';
import { configMapKind } from './core/configmap.js';

test('kinds added at run time are looked up, never shadow built-ins, and go again', () => {
  const reg = createKindRegistry([configMapKind]);
  let changes = 0;
  reg.onChange(() => changes++);
  const widget = { ...configMapKind, group: 'g.example.com', version: 'v1', kind: 'Widget', plural: 'widgets' };
  const shadow = { ...configMapKind, kind: 'Shadow' };
  reg.set('widgets.g.example.com', [widget, shadow]);
  assert.equal(reg.byResource('g.example.com', 'v1', 'widgets'), widget);
  assert.equal(reg.byGVK('g.example.com', 'v1', 'Widget'), widget);
  assert.equal(reg.byResource('', 'v1', 'configmaps'), configMapKind, 'a built-in resource keeps its kind');
  assert.equal(reg.all().length, 3);
  assert.ok(reg.isBuiltIn('', 'configmaps') && !reg.isBuiltIn('g.example.com', 'widgets'));
  const gen = reg.generation;
  reg.set('widgets.g.example.com', []);
  assert.equal(reg.byResource('g.example.com', 'v1', 'widgets'), undefined);
  assert.ok(reg.generation > gen);
  assert.equal(changes, 2);
  reg.set('nothing', []);
  assert.equal(changes, 2, 'removing what is not there is no change');
});
