import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { envoyValidatorPath, envoyYamlPath, repoRoot } from '../../src/paths.js';

/** Runs the go-control-plane validator (envoy/validate) on a file; resolves with its exit code and output. */
async function validate(file: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(envoyValidatorPath, [file]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('the validator', () => {
  it('reads the API of the Envoy the Docker files run: go-control-plane pinned to the same minor version', () => {
    const pinned = /github\.com\/envoyproxy\/go-control-plane\/envoy v(\d+\.\d+)\./.exec(
      readFileSync(join(repoRoot, 'envoy/validate/go.mod'), 'utf8'),
    )?.[1];
    assert.ok(pinned, 'go.mod requires go-control-plane/envoy');
    for (const file of ['docker-compose.yml', 'swarm-stack.yml']) {
      const images = [
        ...readFileSync(join(repoRoot, file), 'utf8').matchAll(/image: envoyproxy\/envoy:v(\d+\.\d+)\./g),
      ].map((m) => m[1]);
      assert.ok(images.length > 0, `${file} runs Envoy`);
      assert.deepEqual(
        [...new Set(images)],
        [pinned],
        `${file}: Envoy ${images.join(', ')}, validator ${pinned} (envoy/validate/go.mod)`,
      );
    }
  });
});

describe('envoy.yaml against go-control-plane (envoy-validate)', () => {
  const yaml = readFileSync(envoyYamlPath, 'utf8');
  let dir: string;
  before(() => {
    assert.ok(existsSync(envoyValidatorPath), `${envoyValidatorPath} is missing: bash envoy/validate/build.sh`);
    dir = mkdtempSync(join(tmpdir(), 'badam-envoy-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the checked-in envoy.yaml', async () => {
    const { code, output } = await validate(envoyYamlPath);
    assert.equal(code, 0, output);
  });

  // Each copy breaks one thing Envoy would refuse at start-up; the validator must say which.
  const broken: [string, (text: string) => string, RegExp][] = [
    [
      'a negative connect timeout',
      (t) => t.replace('connect_timeout: 1s', 'connect_timeout: -1s'),
      /ConnectTimeout: value must be greater than 0s/,
    ],
    [
      'a negative per-try timeout',
      (t) => t.replace('per_try_timeout: 3s', 'per_try_timeout: -3s'),
      /per_try_timeout: duration -3s must not be negative/,
    ],
    [
      'an unknown cluster field',
      (t) => t.replace('lb_policy: ROUND_ROBIN', 'lb_polcy: ROUND_ROBIN'),
      /unknown field "lb_polcy"/,
    ],
    [
      'an invalid enum value',
      (t) => t.replace('lb_policy: ROUND_ROBIN', 'lb_policy: FASTEST'),
      /invalid value for enum field lbPolicy/,
    ],
    [
      'an unresolvable typed_config',
      (t) => t.replace('http.router.v3.Router', 'http.router.v3.Routr'),
      /unable to resolve/,
    ],
    [
      'a bad value inside a typed_config',
      (t) => t.replace('stat_prefix: gateway', 'stat_prefix: ""'),
      /HttpConnectionManager\.StatPrefix/,
    ],
    [
      'a route to an undefined cluster',
      (t) => t.replace(/cluster: hapi$/m, 'cluster: hapy'),
      /cluster "hapy" is not defined/,
    ],
    // Envoy 1.38's; the validator knows the API of the Envoy the Docker files run, not a newer one.
    [
      'a field newer than the Envoy in use',
      (t) => t.replace(/^( +)always_consume_default_token_bucket: false$/m, '$&\n$1enable_retry_after_header: true'),
      /unknown field "enable_retry_after_header"/,
    ],
    [
      'a per-client limit with no room for any client',
      (t) => t.replace(/max_dynamic_descriptors: \d+/, 'max_dynamic_descriptors: 0'),
      /MaxDynamicDescriptors: value must be greater than or equal to 1/,
    ],
  ];
  for (const [index, [what, breakIt, message]] of broken.entries()) {
    it(`rejects a copy with ${what}`, async () => {
      const text = breakIt(yaml);
      assert.notEqual(text, yaml, 'the copy is broken');
      const file = join(dir, `broken-${index}.yaml`);
      writeFileSync(file, text);
      const { code, output } = await validate(file);
      assert.equal(code, 1, output);
      assert.match(output, message);
    });
  }
});
