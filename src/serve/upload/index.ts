/** Uploads (legacy upload API), administration routes and their audit log for `pyindex serve`. */
export { ADMIN_ACTIONS, applyAdminRequest, parseAdminRequest, type AdminAction, type AdminRequest, type AdminResult } from './admin.js';
export { appendAudit, auditLogPath, readAuditLog, type AuditEntry } from './audit-log.js';
export { DEFAULT_MAX_BODY_BYTES, readUploadForm, type UploadForm, type UploadLimits } from './form.js';
export { handleUpload, statusForError, type UploadContext } from './handler.js';
export { MultipartParser, multipartBoundary, type MultipartEvent, type PartHeaders } from './multipart.js';
export { uploadRoutes, uploadServeOptions, type UploadRouteOptions, type UploadServeOptions } from './routes.js';
export { sweepUploadTemps } from './sweep.js';
export { unsafeFilenameReason, validateUploadForm, verifyArchive } from './validate.js';
