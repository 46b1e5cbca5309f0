// Node 24.22's TLS handle reads OpenSSL's session when a client's handshake completes (onConnectSecure: the
// key-exchange group, then the peer's certificate check), and OpenSSL dereferences a null session when there is none
// (openssl/openssl#32379): the whole process dies with SIGSEGV. nock's interceptors (@mswjs/interceptors) emulate
// that handshake and answer these calls on the sockets they claim, but not on every path: a TLS connection to a
// loopback server passed through to the real one, or, under `npm run mutate`, a mutant's unexpected AWS call, reached
// the native calls on a handle with no session, and Stryker reported hundreds of mutants as runtime errors.
// Here, a handle with no TLS session answers as a connection that was never verified: no ephemeral key, and a
// verification error, so the client fails that connection with an error instead of the test process crashing.
// Loaded by jest (setupFilesAfterEnv) in every test file; it patches the shared handle prototype once per process.
import { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

const GUARDED = Symbol.for('ecs-actions.tls-session-guard');
const probe = new TLSSocket(new Socket());
const handlePrototype = Object.getPrototypeOf(probe._handle);
probe.destroy();

/** What a handle without a session answers instead of asking OpenSSL. */
const WITHOUT_SESSION = {
  getEphemeralKeyInfo: () => ({}),
  verifyError: () =>
    Object.assign(new Error('the TLS connection has no session: no handshake took place'), {
      code: 'ERR_TLS_NO_SESSION',
    }),
};

if (!handlePrototype[GUARDED]) {
  for (const [method, answer] of Object.entries(WITHOUT_SESSION)) {
    const native = handlePrototype[method];
    handlePrototype[method] = function guarded(...args) {
      if (this.getSession() === undefined) return answer();
      return native.apply(this, args);
    };
  }
  Object.defineProperty(handlePrototype, GUARDED, { value: true });
}
