/**
 * Print the JavaScript verdict on every vector case, one line each:
 * "<file>\t<case index>\t<canonical JSON of {expected} or {error}>".
 * tests/test_scoring.py compares each line byte for byte with Python's verdict.
 */
import { canonicalJson, loadVectorFiles, runCase } from "./vectors.mjs";

const lines = [];
for (const { file, snapshot, cases } of loadVectorFiles()) {
  cases.forEach((vectorCase, index) => {
    lines.push(`${file}\t${index}\t${canonicalJson(runCase(snapshot, vectorCase.answers))}`);
  });
}
process.stdout.write(`${lines.join("\n")}\n`);
