export { SimpleIndexClient, type SimpleIndexClientOptions } from './client.js';
export type { GetMetadataOptions } from './metadata.js';
export { SIMPLE_ACCEPT, fileKind, type FileKind, type IndexFile, type ProjectPage } from './types.js';
export { HttpClient, type HttpClientOptions, type HttpResponse } from './http.js';
