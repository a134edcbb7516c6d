/**
 * The upload and admin routes, for `ServeOptions.routes` (server.ts), and
 * the `--read-auth` gate for `ServeOptions.readGate`.
 *
 * `POST /` is where twine posts with `--repository-url http://host:port/`;
 * `POST /legacy/` is PyPI's upload path, so a `.pypirc` written for PyPI's
 * layout works too. Neither ever redirects (a redirected POST loses its body
 * in most clients), with or without the trailing slash. The web UI's upload
 * form (`/upload/`, web/routes.ts) goes through the same handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Authenticator, type AuthenticatorOptions } from '../auth/authenticator.js';
import { authorizeRead } from '../auth/http.js';
import type { Route } from '../routes.js';
import type { Tree } from '../tree/index.js';
import { ADMIN_ACTIONS, handleAdmin } from './admin.js';
import type { UploadLimits } from './form.js';
import { webUploadRoutes } from '../web/routes.js';
import { handleUpload } from './handler.js';

export interface UploadRouteOptions {
  limits?: UploadLimits;
  auth?: AuthenticatorOptions;
  /** Require credentials for reads too (`--read-auth`). */
  readAuth?: boolean;
}

/** What `startServer` needs from the upload side: spread it into `ServeOptions`. */
export interface UploadServeOptions {
  routes: (ctx: { tree: Tree }) => Route[];
  readGate: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) | undefined;
  auth: Authenticator;
}

export function uploadRoutes(ctx: { tree: Tree; auth: Authenticator; limits?: UploadLimits }): Route[] {
  return [
    {
      name: 'upload',
      methods: ['POST'],
      read: false,
      matches: (s) => (s.length === 1 && s[0] === '') || (s[0] === 'legacy' && (s.length === 1 || (s.length === 2 && s[1] === ''))),
      handle: (r) => handleUpload(r.req, r.res, ctx),
    },
    ...webUploadRoutes(ctx),
    ...ADMIN_ACTIONS.map(
      (action): Route => ({
        name: `admin-${action}`,
        methods: ['POST'],
        read: false,
        matches: (s) => s[0] === 'admin' && s[1] === action && (s.length === 2 || (s.length === 3 && s[2] === '')),
        handle: (r) => handleAdmin(r.req, r.res, ctx, action),
      }),
    ),
  ];
}

export function uploadServeOptions(root: string, options: UploadRouteOptions = {}): UploadServeOptions {
  const auth = new Authenticator(root, options.auth);
  return {
    auth,
    routes: ({ tree }) => uploadRoutes({ tree, auth, ...(options.limits ? { limits: options.limits } : {}) }),
    readGate: options.readAuth === true ? (req, res) => authorizeRead(req, res, auth, true) : undefined,
  };
}
