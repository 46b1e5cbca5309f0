import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One invocation of the fake `docker`, as it saw it. */
export interface DockerCall {
  argv: string[];
  /** Standard input, read only for `docker login` (the one call that is given any). */
  stdin?: string;
  dockerConfig?: string;
  /** Whether `<DOCKER_CONFIG>/cli-plugins` resolved, i.e. the user's plugins stayed visible. */
  sawCliPlugins: boolean;
}

/**
 * Behaviour, chosen per test through the environment of the process under test:
 * FAKE_DOCKER_BUILDX=missing|old, FAKE_DOCKER_DRIVER=<driver>, FAKE_DOCKER_LOGIN=fail|helper (stores elsewhere),
 * FAKE_DOCKER_BUILD=ok|denied|forbidden|immutable|driver|fail|no-metadata|prints-commands, FAKE_DOCKER_DIGEST=sha256:...
 */
const SCRIPT = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const argv = process.argv.slice(2);
const env = process.env;
const call = { argv, dockerConfig: env.DOCKER_CONFIG, sawCliPlugins: Boolean(env.DOCKER_CONFIG && fs.existsSync(path.join(env.DOCKER_CONFIG, 'cli-plugins'))) };
if (argv[0] === 'login') call.stdin = fs.readFileSync(0, 'utf8');
fs.appendFileSync(env.FAKE_DOCKER_LOG, JSON.stringify(call) + '\n');
const fail = (message, code = 1) => { process.stderr.write(message + '\n'); process.exit(code); };

if (argv[0] === 'buildx') {
  if (env.FAKE_DOCKER_BUILDX === 'missing') fail("docker: 'buildx' is not a docker command.\nSee 'docker --help'");
  if (argv[1] === 'version') {
    const version = env.FAKE_DOCKER_BUILDX === 'old' ? 'v0.9.1' : 'v0.19.3';
    process.stdout.write('github.com/docker/buildx ' + version + ' 48d6a39\n');
    process.exit(0);
  }
  if (argv[1] === 'inspect') {
    process.stdout.write('Name:          builder\nDriver:        ' + (env.FAKE_DOCKER_DRIVER || 'docker-container') + '\n\nNodes:\nName:      builder0\nStatus:    running\n');
    process.exit(0);
  }
  if (argv[1] === 'build') {
    const tag = argv[argv.indexOf('--tag') + 1];
    process.stderr.write('#0 building with "builder" instance using docker-container driver\n#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\n');
    const behaviour = env.FAKE_DOCKER_BUILD || 'ok';
    if (behaviour === 'hang') {
      // A long build: it stops on SIGINT, as buildx does, and leaves a mark that it was told to.
      process.on('SIGINT', () => { fs.writeFileSync(env.FAKE_DOCKER_LOG + '.sigint', ''); process.exit(130); });
      setInterval(() => undefined, 1000);
      return;
    }
    if (behaviour === 'denied') fail('#14 pushing layers\n#14 ERROR: denied: User: arn:aws:sts::123456789012:assumed-role/ci/gha is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-1:123456789012:repository/team/web because no identity-based policy allows the ecr:InitiateLayerUpload action\nERROR: failed to solve: failed to push ' + tag + ': denied: User: arn:aws:sts::123456789012:assumed-role/ci/gha is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-1:123456789012:repository/team/web');
    if (behaviour === 'forbidden') fail('ERROR: failed to solve: failed to push ' + tag + ': unexpected status from POST request to https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/v2/team/web/blobs/uploads/: 403 Forbidden');
    if (behaviour === 'immutable') fail('ERROR: failed to solve: failed to push ' + tag + ": tag invalid: The image tag 'abc1234' already exists in the 'team/web' repository and cannot be overwritten because the repository is immutable.");
    if (behaviour === 'driver') fail('ERROR: failed to build: Cache export is not supported for the docker driver.\nSwitch to a different driver, or turn on the containerd image store, and try again.');
    if (behaviour === 'fail') fail('#9 [build 3/5] RUN npm ci\n#9 0.512 sh: npm: Permission denied\n#9 ERROR: process "/bin/sh -c npm ci" did not complete successfully: exit code: 126\nERROR: failed to solve: process "/bin/sh -c npm ci" did not complete successfully: exit code: 126');
    // A Dockerfile whose RUN steps print workflow commands, on both streams, the last line without its newline.
    if (behaviour === 'prints-commands') {
      process.stdout.write('#7 0.211 ::add-mask::not-a-secret\n::stop-commands::guess\n');
      process.stderr.write('::warning::from the build\n#7 0.3 ##[set-output name=digest]sha256:forged\n');
    }
    if (behaviour !== 'no-metadata') {
      const file = argv[argv.indexOf('--metadata-file') + 1];
      fs.writeFileSync(file, JSON.stringify({ 'buildx.build.ref': 'builder/builder0/xyz', 'containerimage.digest': env.FAKE_DOCKER_DIGEST, 'image.name': tag }));
    }
    process.stderr.write('#12 exporting to image\n#12 pushing layers done\n#12 DONE 1.2s\n');
    if (behaviour === 'prints-commands') process.stderr.write('::notice::last');
    process.exit(0);
  }
}
if (argv[0] === 'login') {
  if (env.FAKE_DOCKER_LOGIN === 'fail') fail('Error response from daemon: Get "https://' + argv.at(-1) + '/v2/": dial tcp: lookup ' + argv.at(-1) + ': no such host');
  if (env.FAKE_DOCKER_LOGIN === 'helper') { process.stdout.write('Login Succeeded\n'); process.exit(0); }
  const file = path.join(env.DOCKER_CONFIG, 'config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8'));
  config.auths = { ...config.auths, [argv.at(-1)]: { auth: Buffer.from('AWS:' + call.stdin).toString('base64') } };
  fs.writeFileSync(file, JSON.stringify(config));
  process.stderr.write('WARNING! Your password will be stored unencrypted in ' + file + '.\n');
  process.stdout.write('Login Succeeded\n');
  process.exit(0);
}
fail('fake docker: unexpected arguments ' + JSON.stringify(argv));
`;

export interface FakeDocker {
  /** Put first on PATH. */
  dir: string;
  calls(): DockerCall[];
  remove(): void;
}

/** Writes an executable `docker` (a small node script) that records each call to a log file. */
export function installFakeDocker(env: NodeJS.ProcessEnv = process.env): FakeDocker {
  const dir = mkdtempSync(join(tmpdir(), 'fake-docker-'));
  const log = join(dir, 'calls.jsonl');
  // The folder is outside the repository's "type": "module" scope, but say so anyway: the script is CommonJS.
  writeFileSync(join(dir, 'package.json'), '{"type": "commonjs"}\n');
  writeFileSync(join(dir, 'docker'), `#!${process.execPath}\n${SCRIPT}`, { mode: 0o755 });
  env.FAKE_DOCKER_LOG = log;
  env.PATH = `${dir}:${env.PATH ?? ''}`;
  return {
    dir,
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as DockerCall)
        : [],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
