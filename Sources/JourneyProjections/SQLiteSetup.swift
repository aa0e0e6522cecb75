import CJourneySQLite

/// SQLite's process-wide setting, made when the program loads (a constructor
/// in the CJourneySQLite target), before any connection can open: memory
/// statistics are off.
///
/// With them on (SQLite's default), every allocation SQLite makes takes a
/// global mutex to count itself: 3.3 % of a rebuild's samples (0.7 % without), spread
/// over every thread that writes or reads (docs/benchmarks.md). Nothing here
/// reads those statistics. Connections need no setting of their own: GRDB
/// already opens each without a mutex (its queues and pools let one thread at
/// a time use a connection).
public enum SQLiteSetup {
    /// SQLite's result of the setting: 0 (`SQLITE_OK`) when it was made;
    /// otherwise statistics stay on, which is correct, only slower.
    public static var result: Int32 { journey_sqlite_configured() }
}
