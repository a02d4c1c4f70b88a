import { readFileSync } from 'node:fs';

const major = (version: string) => Number(version.split('.')[0]);

/** The Node.js lines of the Docker image's stages. */
const imageLines = [...readFileSync('Dockerfile', 'utf8').matchAll(/^FROM node:(\d+)/gm)].map((m) => Number(m[1]));
/** `.ci/run`: the line the whole suite runs on, and the older one it checks the service still starts on. */
const ciRun = readFileSync('.ci/run', 'utf8');
const suiteLine = Number(/^SUITE_NODE=(\d+)/m.exec(ciRun)?.[1]);
const oldestLine = Number(/^OLDEST_NODE=(\d+)/m.exec(ciRun)?.[1]);
const { engines } = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };

/**
 * The image runs the Node.js line the whole suite runs on in CI; package.json admits exactly the lines CI
 * tests: that one, and the older one on which CI starts the service and checks /health.
 */
describe('the Node.js lines', () => {
  it('are one line for the Docker image, in both stages, and it is the one CI runs the suite on', () => {
    expect(imageLines.length).toBe(2);
    expect(new Set(imageLines)).toEqual(new Set([suiteLine]));
    expect(suiteLine).toBeGreaterThanOrEqual(24);
  });

  it('are the ones package.json admits, and no other', () => {
    expect(oldestLine).toBeLessThan(suiteLine);
    expect(engines.node).toBe(`^${oldestLine}.19.0 || ^${suiteLine}.0.0`);
  });

  it('include the Node running this suite', () => {
    expect([oldestLine, suiteLine]).toContain(major(process.versions.node));
  });

  // CI puts the suite's line first in PATH (.ci/run); a run on another line is a local one.
  (process.env.CI === 'true' ? it : it.skip)('is the Docker image line when CI runs the suite', () => {
    expect(major(process.versions.node)).toBe(suiteLine);
  });
});
