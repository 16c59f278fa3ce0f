/**
 * Test helper: load the shared scoring vectors and run them through the JavaScript
 * evaluator. Node-only (reads files); the evaluator itself stays browser-clean.
 */
import { readdirSync, readFileSync } from "node:fs";
import { AnswerError, compareCodePoints, score } from "../../static/js/scoring.js";

const ROOT = new URL("../../", import.meta.url);
const VECTORS = new URL("tests/vectors/", ROOT);
const SNAPSHOT_REFS = { seed: new URL("quiz/seed/content.json", ROOT) };

function readJson(url) {
  return JSON.parse(readFileSync(url, "utf-8"));
}

/** Every vector file, in name order, with its snapshot resolved. */
export function loadVectorFiles() {
  return readdirSync(VECTORS)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((file) => {
      const vectors = readJson(new URL(file, VECTORS));
      const snapshot = vectors.snapshot_ref
        ? readJson(SNAPSHOT_REFS[vectors.snapshot_ref])
        : vectors.snapshot;
      return { file, description: vectors.description, snapshot, cases: vectors.cases };
    });
}

/** Score one answer set the way a vector states it: {expected} or {error}. */
export function runCase(snapshot, answers) {
  try {
    return { expected: score(snapshot, answers) };
  } catch (error) {
    if (!(error instanceof AnswerError)) throw error;
    return { error: { code: error.code, key: error.key } };
  }
}

/** What a vector case expects, in the same shape as runCase() returns. */
export function expectedResult(vectorCase) {
  return "error" in vectorCase ? { error: vectorCase.error } : { expected: vectorCase.expected };
}

/**
 * JSON with keys sorted by code point and no whitespace: byte-identical to Python's
 * json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False) for the
 * strings, integers, booleans, nulls, lists and objects an outcome is made of.
 */
export function canonicalJson(value) {
  if (typeof value === "number" && !Number.isInteger(value)) {
    throw new TypeError(`Outcomes hold whole numbers only, got ${value}.`);
  }
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const members = Object.keys(value)
    .sort(compareCodePoints)
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
  return `{${members.join(",")}}`;
}
