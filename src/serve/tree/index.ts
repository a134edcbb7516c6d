export { openTree, Tree, type AddFileInput, type AddFileResult, type ProjectListing } from './tree.js';
export { parseDistFilename, treeLayout, type DistFilename, type TreeLayout } from './layout.js';
export { readProjectState, type FileState, type ProjectState } from './state.js';
export { projectHtml, projectJson, rootHtml, rootJson } from './pages.js';
