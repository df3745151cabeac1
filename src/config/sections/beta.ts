import { absolutePath, list, matching, strict } from './primitives.js';

const hostName = () => matching(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a host name (letters, digits, `_`, `-` and `.`)');

export const beta = strict(
  {
    // nginx reads a cookie as `$cookie_<name>`: only letters, digits and `_` survive that.
    cookie: matching(/^[A-Za-z0-9_]+$/, 'a cookie name (letters, digits and `_`)')
      .optional()
      .describe('Requests carrying this cookie with a non-empty value go to the beta hosts.'),
    header: matching(/^[A-Za-z0-9][A-Za-z0-9-]*$/, 'a header name (letters, digits and `-`)')
      .optional()
      .describe('Requests carrying this header with a non-empty value go to the beta hosts (instead of `cookie`).'),
    hosts: list(hostName(), 0, 'a list of host names')
      .default([])
      .describe('Hosts of the balancer pool that serve the beta (besides hosts with `beta: true`).'),
    backend: matching(/^[A-Za-z0-9_.-]+$/, 'a backend name (letters, digits, `_`, `-` and `.`)')
      .optional()
      .describe('haproxy: the backend that serves the beta (default: the balancer’s backend + `_beta`).'),
    upstream_file: absolutePath()
      .optional()
      .describe('nginx: the include file this tool owns for the beta: the `map` and the beta `upstream`. Required behind nginx.'),
    upstream_name: matching(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'an upstream name (letters, digits, `_`, `-` and `.`)')
      .optional()
      .describe('nginx: the name of the beta `upstream` block (default: the balancer’s upstream name + `_beta`).'),
  },
  'a mapping with `cookie` or `header`, and `hosts`',
)
  .superRefine((b, ctx) => {
    if ((b.cookie === undefined) === (b.header === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'expected exactly one of `cookie` and `header`: the mark a beta request carries', input: b });
    }
  })
  .describe('Selective beta (`deploy beta`): which hosts serve it and the cookie or header that sends a request there.');
