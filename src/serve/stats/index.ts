/** Download statistics: the server's `/stats/days/` routes, and the reading and summing behind `pyindex stats`. */
export { CountTable, isDay, parseLogLine, type DownloadLine, type FileCount, type LogProblem, type MirrorDay } from './counts.js';
export { LogFileReader } from './log-file.js';
export { STATS_FORMAT, statsRoutes, type StatsContext } from './routes.js';
export { isUrlSource, readPathSource, readSource, readUrlSource, statsBaseUrl, type DayRange, type FetchOptions, type SourceCounts } from './sources.js';
export { GROUPINGS, sumStats, type StatsGrouping, type StatsReport, type StatsRow } from './sum.js';
