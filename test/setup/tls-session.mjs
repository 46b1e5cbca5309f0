// Node 24.22's TLSSocket#getEphemeralKeyInfo() reads OpenSSL's negotiated key-exchange group, and OpenSSL dereferences
// a null session when no handshake has happened (openssl/openssl#32379): the whole process dies with SIGSEGV instead
// of getting `{}` as on earlier Node versions. Node calls it itself when a client's handshake completes, and nock's
// interceptors (@mswjs/interceptors) emulate that handshake on sockets that never had one. They answer the call on the
// sockets they claim, but not on every path: under `npm run mutate`, a mutant that makes an unexpected AWS call killed
// the jest child this way on hundreds of mutants, which Stryker then reported as runtime errors.
// Here, a socket with no TLS session gets what Node answers for a connection without an ephemeral key: `{}`.
// Loaded by jest (setupFilesAfterEnv) in every test file; it patches the shared prototype once per process.
import { TLSSocket } from 'node:tls';

const GUARDED = Symbol.for('ecs-actions.tls-session-guard');
const prototype = TLSSocket.prototype;

if (!prototype[GUARDED]) {
  const original = prototype.getEphemeralKeyInfo;
  prototype.getEphemeralKeyInfo = function getEphemeralKeyInfo() {
    const handle = this._handle;
    if (handle && typeof handle.getSession === 'function' && handle.getSession() === undefined) return {};
    return original.call(this);
  };
  Object.defineProperty(prototype, GUARDED, { value: true });
}
