// A boolean query parameter read as the Kubernetes API server reads one (apimachinery's query-string
// conversion, runtime.Convert_Slice_string_To_bool): absent is false; a first value of "0" or "false"
// in any letter case is false; anything else, the empty string included (`?follow`, `?follow=`,
// `?watch=True`, `?stdin=1`, `?tty=t`), is true. Upstream never refuses a boolean's spelling (it does
// not use strconv.ParseBool here: `f` is true to it), so neither do we. Every boolean parameter of the
// API server and of the node agent's streaming endpoints is read through this one function, because
// the API server passes the client's query on to the agent unchanged.

export function queryBool(q: URLSearchParams, name: string): boolean {
  return queryBoolOrUndefined(q, name) ?? false;
}

/** As queryBool, but undefined when the parameter is absent (upstream's `*bool` fields: force, orphanDependents, sendInitialEvents). */
export function queryBoolOrUndefined(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  return !(v === '0' || v.toLowerCase() === 'false');
}
