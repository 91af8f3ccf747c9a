// A boolean query parameter read as the Kubernetes API server reads one (apimachinery's query-string
// conversion): absent is false; "0" or "false" in any letter case is false; anything else, the empty
// string included (`?follow`, `?follow=`, `?follow=True`), is true.

export function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}
