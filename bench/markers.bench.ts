/**
 * PEP 508 markers and requirements: parse N markers, parse N requirements,
 * evaluate M (marker, environment, extras) triples — pyindex against
 * packaging 24.1 (pip 24.2's vendored copy), on the same inputs in the same
 * run. packaging's figures are timed inside the Python process around the
 * loop, so interpreter start-up is not counted.
 */
import { medianMs, type Bench, type BenchRow } from './lib.js';
import { evaluateMarker, parseMarker, type Marker } from '../src/pep/markers.js';
import { parseRequirement } from '../src/pep/requirement.js';
import { ENVIRONMENTS, EXTRAS_SETS, corpusRequirements, generateMarkers, generateRequirements, packaging24Python } from '../test/helpers/pep508-gen.js';
import { runPythonJson } from '../test/helpers/python.js';

const RUNS = 5;

const PEER = `
import sys, json, time, warnings
warnings.simplefilter('ignore')
from pip._vendor.packaging import markers as M, requirements as R
inp = json.load(sys.stdin)
runs = inp['runs']
def median(f):
    f()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter(); f(); ts.append((time.perf_counter() - t0) * 1000)
    ts.sort()
    return ts[len(ts) // 2]
envs = [dict(e) for e in inp['envs']]
for e in envs:
    if e['python_full_version'].endswith('+'):
        e['python_full_version'] += 'local'
def raises(m):
    try:
        for env in envs:
            for extras in inp['extras']:
                for x in (extras or ['']):
                    m.evaluate(dict(env, extra=x))
        return False
    except Exception:
        return True
# Only markers 24.1 evaluates without raising (it raises on non-version operands).
usable = [not raises(M.Marker(t)) for t in inp['markers']]
parsed = [M.Marker(t) for t, ok in zip(inp['markers'], usable) if ok]
def evaluate():
    for m in parsed:
        for env in envs:
            for extras in inp['extras']:
                any(m.evaluate(dict(env, extra=x)) for x in (extras or ['']))
print(json.dumps({
    'parseMarkers': median(lambda: [M.Marker(t) for t in inp['markers']]),
    'parseRequirements': median(lambda: [R.Requirement(t) for t in inp['requirements']]),
    'evaluate': median(evaluate),
    'usable': usable,
}))
`;

function parses<T>(parse: (s: string) => T, text: string): boolean {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}

const bench: Bench = {
  title: 'PEP 508 markers and requirements (pyindex vs packaging 24.1)',
  async run(): Promise<BenchRow[]> {
    const markers = [...new Set(generateMarkers(2024, 5000))].filter((m) => parses(parseMarker, m));
    const requirements = [...new Set([...corpusRequirements(), ...generateRequirements(2024, 3000)])].filter((r) => parses(parseRequirement, r));
    const envs = Object.values(ENVIRONMENTS);
    const python = packaging24Python();
    const peer = python
      ? runPythonJson<{ parseMarkers: number; parseRequirements: number; evaluate: number; usable: boolean[] }>(python, PEER, {
          markers,
          requirements,
          envs,
          extras: EXTRAS_SETS,
          runs: RUNS,
        })
      : undefined;
    // Evaluation is compared on the markers packaging evaluates without raising.
    const evaluable = peer ? markers.filter((_, i) => peer.usable[i]) : markers;
    const evaluations = evaluable.length * envs.length * EXTRAS_SETS.length;

    const parseMarkersMs = await medianMs(() => markers.map(parseMarker), RUNS);
    const parseRequirementsMs = await medianMs(() => requirements.map(parseRequirement), RUNS);
    const parsed: Marker[] = evaluable.map(parseMarker);
    const evaluateMs = await medianMs(() => {
      for (const m of parsed) for (const env of envs) for (const x of EXTRAS_SETS) evaluateMarker(m, env, x);
    }, RUNS);
    const firstEvaluateMs = await medianMs(
      () => {
        for (const m of evaluable.map(parseMarker)) for (const env of envs) for (const x of EXTRAS_SETS) evaluateMarker(m, env, x);
      },
      RUNS,
    );
    const peerParseEvaluable = peer ? peer.parseMarkers * (evaluable.length / markers.length) : undefined;

    const peerName = 'packaging 24.1';
    return [
      { name: `parse ${markers.length} markers`, ours: parseMarkersMs, peer: peer?.parseMarkers, peerName, unit: 'ms' },
      {
        name: `parse ${requirements.length} requirements`,
        ours: parseRequirementsMs,
        peer: peer?.parseRequirements,
        peerName,
        unit: 'ms',
        note: 'specifier sets and versions are cached per string after the first run, as in a resolver',
      },
      { name: `evaluate ${evaluations} (marker, env, extras)`, ours: evaluateMs, peer: peer?.evaluate, peerName, unit: 'ms', note: 'markers parsed and compiled once' },
      {
        name: `parse + first evaluation of ${evaluations}`,
        ours: firstEvaluateMs,
        peer: peer && peerParseEvaluable !== undefined ? peerParseEvaluable + peer.evaluate : undefined,
        peerName,
        unit: 'ms',
        note: "includes compiling each marker; packaging's parse time pro-rated to these markers",
      },
    ];
  },
};

export default bench;
