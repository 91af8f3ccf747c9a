// Test helper: Prometheus text parsed by the reference parser (Debian's python3-prometheus-client,
// prometheus_client.parser), so that tests check what a real scraper reads, not our own reading.

import { spawnSync } from 'node:child_process';

interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  type: string;
  help: string;
  samples: ParsedSample[];
}

/** Debian's interpreter (where python3-prometheus-client is), not whichever python3 is first on PATH */
const PYTHON = '/usr/bin/python3';

const SCRIPT = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": f.name, "type": f.type, "help": f.documentation,
                "samples": [{"name": s.name, "labels": s.labels,
                             "value": s.value if math.isfinite(s.value) else str(s.value)} for s in f.samples]})
print(json.dumps(out))
`;

/** Families by name (counters under their name without `_total`, as the parser reports them). Throws with the parser's error. */
export function parsePrometheusText(text: string): Map<string, ParsedFamily> {
  const r = spawnSync(PYTHON, ['-c', SCRIPT], { input: text, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`prometheus_client could not parse the text: ${r.stderr || r.error?.message}`);
  const fams = JSON.parse(r.stdout) as ParsedFamily[];
  return new Map(fams.map((f) => [f.name, f]));
}

/** The value of the sample `name` whose labels include `labels` (undefined if none). */
export function sampleValue(
  fams: Map<string, ParsedFamily>,
  family: string,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  const f = fams.get(family);
  const s = f?.samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s?.value;
}

/** The parser is installed (tests that need it skip with a reason otherwise). */
export function prometheusParserAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import prometheus_client.parser'], { encoding: 'utf8' }).status === 0;
}
