#ifndef JOURNEY_SQLITE_H
#define JOURNEY_SQLITE_H

/// SQLite's memory statistics are turned off when the program loads, before
/// any code can open a connection (`sqlite3_config` must come before SQLite
/// starts, and it is variadic, so Swift cannot call it). With them on, every
/// allocation SQLite makes takes a global mutex to count itself.
///
/// Returns SQLite's result of that setting: 0 when it was set.
int journey_sqlite_configured(void);

#endif
