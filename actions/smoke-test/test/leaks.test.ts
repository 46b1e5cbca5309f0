import { describe, expect, it } from '@jest/globals';
import { findLeak } from '../src/leaks.js';

describe('findLeak', () => {
  it.each([
    [
      'a Node stack frame',
      'Error: boom\n    at foo (/srv/service/file.js:1:2)',
      'a stack frame "at foo (/srv/service/file.js:1:2)"',
    ],
    ['a frame without a function name', 'at /opt/app/main.js:10:5', 'a stack frame "at /opt/app/main.js:10:5"'],
    [
      'a node: internal frame',
      'at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      'a stack frame "at process.processTicksAndRejections (node:internal/process/task_queues:95:5)"',
    ],
    ['a source position', JSON.stringify({ message: 'failed in main.ts:14' }), 'a source position "main.ts:14"'],
    [
      'a home directory',
      JSON.stringify({ message: 'cannot read /home/deploy/.env' }),
      'a file path "/home/deploy/.env"',
    ],
    [
      'a Windows path',
      JSON.stringify({ message: 'open C:\\inetpub\\site\\web.config failed' }),
      'a Windows file path "C:\\inetpub\\site\\web.config"',
    ],
    [
      'a node_modules path',
      JSON.stringify({ message: 'in node_modules/@nestjs/core/router' }),
      'a node_modules path "node_modules/@nestjs/core/router"',
    ],
    ['a stack field', JSON.stringify({ message: 'x', error: { stack: 'anything' } }), 'a "stack" field'],
    ['a trace field in a list', JSON.stringify({ errors: [{ trace: ['x'] }] }), 'a "trace" field'],
  ])('finds %s', (_, body, leak) => {
    expect(findLeak(body)).toBe(leak);
  });

  it.each([
    [
      'a NestJS 404',
      JSON.stringify({ statusCode: 404, message: 'Cannot GET /smoke-test/no-such-path', error: 'Not Found' }),
    ],
    ['a URL with a path', JSON.stringify({ message: 'See https://docs.example.com/app/errors' })],
    ['an empty stack field', JSON.stringify({ message: 'x', stack: null })],
    ['a request id and timestamp', JSON.stringify({ requestId: 'a1b2', at: '2026-01-01T00:00:00.000Z' })],
    ['plain text', 'Not Found'],
  ])('finds nothing in %s', (_, body) => {
    expect(findLeak(body)).toBeUndefined();
  });
});
