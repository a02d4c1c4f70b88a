import { readFileSync } from 'node:fs';

/** The image runs the Node.js line that CI tests on, and package.json says which that is. */
describe('the Node.js line', () => {
  const ciMajor = Number(process.versions.node.split('.')[0]);

  it('is the one the Docker image runs, in both stages', () => {
    const images = [...readFileSync('Dockerfile', 'utf8').matchAll(/^FROM node:(\d+)/gm)].map((m) => Number(m[1]));
    expect(images.length).toBeGreaterThan(0);
    expect(images.every((major) => major === ciMajor)).toBe(true);
  });

  it('is the one package.json asks for', () => {
    const { engines } = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
    expect(engines.node).toMatch(new RegExp(`^>=${ciMajor}\\.`));
  });
});
