// The tools' usage lines, apart from their code: the server's --help prints them without loading
// the tools (and with them the LevelDB/RocksDB native modules).
export const LOG_DUMP_USAGE = 'zkts-server log-dump <log file | dataLogDir> [--json]';
export const SNAPSHOT_DUMP_USAGE = 'zkts-server snapshot-dump <snapshot file> [--json] [--data]';
export const VERIFY_USAGE = 'zkts-server verify <dataDir> [--data-log-dir D] [--storage file|level|rocksdb] [--json]';
